package sandbox

import (
	"net/http"
	"testing"
	"time"

	"github.com/payform/payform/providers/emulator"
)

func TestRateLimit(t *testing.T) {
	h := newHarness(t, Options{RateLimit: RateLimit{N: 2, Per: time.Minute}})
	for i := range 2 {
		if status, body := h.call(http.MethodGet, "/api/v1/wallets", ""); status != http.StatusOK {
			t.Fatalf("request %d: %d %s", i+1, status, body)
		}
	}
	h.clock.Advance(20 * time.Second)
	status, hdr, body := h.send(http.MethodGet, "/api/v1/wallets", "", h.signed(http.MethodGet, "/api/v1/wallets", ""))
	expectError(t, "third request", status, body, errLimit())
	if got := hdr.Get("Retry-After"); got != "40" {
		t.Errorf("Retry-After = %q, want 40", got)
	}
	h.clock.Advance(40 * time.Second)
	if status, body := h.call(http.MethodGet, "/api/v1/wallets", ""); status != http.StatusOK {
		t.Errorf("after the window: %d %s", status, body)
	}
	if _, err := New(Options{RateLimit: RateLimit{N: 2}}); err == nil {
		t.Error("New took a rate limit without a period")
	}
}

// TestFault429 answers the catalogue's LIMIT_ERROR body.
func TestFault429(t *testing.T) {
	h := newHarness(t, Options{})
	h.faults.Set(emulator.Faults{Status429: 1})
	status, _, body := h.send(http.MethodGet, "/api/v1/wallets", "", h.signed(http.MethodGet, "/api/v1/wallets", ""))
	expectError(t, "status-429 fault", status, body, errLimit())
}

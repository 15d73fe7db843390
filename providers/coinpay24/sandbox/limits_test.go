package sandbox

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const tooMany = `{"error_message":"Too Many Requests: slow down.","errors":{}}`

// postRetryAfter posts a form with the default api_key and returns the
// Retry-After header too.
func (h *harness) postRetryAfter(path string, form string) (int, string, string) {
	h.t.Helper()
	resp, err := h.srv.Client().Post(h.url+path, formType, strings.NewReader("api_key="+DefaultAPIKey+"&"+form))
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header.Get("Retry-After")
}

func TestRequestLimit(t *testing.T) {
	h := newHarness(t, Options{RequestLimit: Limit{3, time.Second}, HourlyRequestLimit: Limit{5, time.Hour}})
	for i := range 3 {
		if status, body := h.post("/invoices"); status != 200 {
			t.Fatalf("request %d: %d %s", i+1, status, body)
		}
		h.clock.Advance(100 * time.Millisecond)
	}
	status, body, after := h.postRetryAfter("/invoices", "")
	if status != 429 || body != tooMany || after != "1" {
		t.Errorf("4th request within a second: %d %s, Retry-After %q", status, body, after)
	}
	h.clock.Advance(700 * time.Millisecond) // the first left the window
	if status, body := h.post("/invoices"); status != 200 {
		t.Errorf("after the window moved: %d %s", status, body)
	}
	h.clock.Advance(time.Minute)
	h.post("/invoices") // the 5th this hour
	status, body, after = h.postRetryAfter("/invoices", "")
	if status != 429 || body != tooMany || after != "3539" { // the first request was 61 s ago
		t.Errorf("6th request within the hour: %d %s, Retry-After %q", status, body, after)
	}
	// A refused create makes nothing but counts for its order_id.
	h.postRetryAfter("/invoices/create", "order_id=r1&price_amount=1&price_currency=USD")
	if got := h.em.Ledger(); len(got) != 0 {
		t.Errorf("ledger %+v, want nothing", got)
	}
	h.clock.Advance(time.Hour)
	h.create("r1", "1", "USD")
	if diff := cmp.Diff([]string{"r1 1 USD 1 new 2"}, ledgerLines(h.em)); diff != "" {
		t.Errorf("ledger (-want +got):\n%s", diff)
	}
}

func TestInvoiceLimit(t *testing.T) {
	h := newHarness(t, Options{InvoiceLimit: Limit{2, 5 * time.Second}})
	h.create("i1", "1", "USD")
	h.create("i2", "1", "USD")
	status, body, after := h.postRetryAfter("/invoices/create", "order_id=i3&price_amount=1&price_currency=USD")
	if status != 429 || body != tooMany || after != "5" {
		t.Errorf("3rd invoice: %d %s, Retry-After %q", status, body, after)
	}
	if status, body := h.post("/invoices"); status != 200 {
		t.Errorf("a list after the invoice limit: %d %s", status, body)
	}
	// A refused validation does not use the allowance.
	h.clock.Advance(5 * time.Second)
	h.post("/invoices/create", "order_id", "i3", "price_amount", "0", "price_currency", "USD")
	h.create("i3", "1", "USD")
	h.create("i4", "1", "USD")
	if diff := cmp.Diff([]string{"i1 1 USD 1 new 1", "i2 2 USD 1 new 1", "i3 3 USD 1 new 3", "i4 4 USD 1 new 1"}, ledgerLines(h.em)); diff != "" {
		t.Errorf("ledger (-want +got):\n%s", diff)
	}
}

func TestDefaultLimits(t *testing.T) {
	h := newHarness(t, Options{})
	for i := range 200 {
		if status, body := h.post("/invoices", "per_page", "1"); status != 200 {
			t.Fatalf("request %d: %d %s", i+1, status, body)
		}
	}
	if status, body, after := h.postRetryAfter("/invoices", ""); status != http.StatusTooManyRequests || after != "60" {
		t.Errorf("201st request in a minute: %d %s, Retry-After %q", status, body, after)
	}
}

func TestLimitOptions(t *testing.T) {
	for _, opts := range []Options{
		{RequestLimit: Limit{N: 0, Per: time.Second}},
		{InvoiceLimit: Limit{N: 5}},
		{Expiry: -time.Minute},
		{CallbackScale: -1},
	} {
		if _, err := New(opts); err == nil {
			t.Errorf("New(%+v) accepted it", opts)
		}
	}
	h := newHarness(t, Options{RequestLimit: Limit{N: -1}, HourlyRequestLimit: Limit{N: -1}})
	for i := range 300 {
		if status, _ := h.post("/invoices", "per_page", "1"); status != 200 {
			t.Fatalf("without limits, request %d: %d", i+1, status)
		}
	}
}

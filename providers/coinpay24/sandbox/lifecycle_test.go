package sandbox

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/payform/payform/providers/providertest"
)

// status reads an invoice's status through the API.
func (h *harness) status(id string) string {
	h.t.Helper()
	code, body := h.post("/invoices/" + id)
	if code != http.StatusOK {
		h.t.Fatalf("get %s: %d %s", id, code, body)
	}
	_, rest, _ := strings.Cut(body, `"status":"`)
	s, _, _ := strings.Cut(rest, `"`)
	return s
}

// field reads one string field of an invoice through the API.
func (h *harness) field(id, name string) string {
	h.t.Helper()
	_, body := h.post("/invoices/" + id)
	_, rest, ok := strings.Cut(body, `"`+name+`":"`)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}

func TestExpiry(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.create("e1", "10", "EUR")
	h.clock.Advance(20*time.Minute - time.Second)
	if got := h.status(id); got != StatusNew {
		t.Errorf("after 19:59, status %s, want new", got)
	}
	h.clock.Advance(time.Second)
	if got := h.status(id); got != StatusExpired {
		t.Errorf("after 20:00, status %s, want expired", got)
	}
	status, body := h.post("/invoices/"+id+"/checkout", "pay_currency", "BTC")
	providertest.Expect(t, "checkout when expired", status, body, 422,
		`{"error_message":"Checkout is not valid: status is expired; only a new invoice can be checked out","errors":{"status":"is expired; only a new invoice can be checked out"}}`)

	custom := newHarness(t, Options{Expiry: time.Hour})
	id = custom.create("e2", "10", "EUR")
	custom.clock.Advance(59 * time.Minute)
	if got := custom.status(id); got != StatusNew {
		t.Errorf("Expiry 1h, after 59m: status %s, want new", got)
	}
}

func TestCheckoutValidation(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.create("c1", "10", "EUR")
	status, body := h.post("/invoices/"+id+"/checkout", "pay_currency", "EUR", "purchaser_email", "Bob <bob@example.com>")
	providertest.Expect(t, "checkout", status, body, 422, `{"error_message":"Checkout is not valid: pay_currency is not supported: EUR; purchaser_email must be an email address",`+
		`"errors":{"pay_currency":"is not supported: EUR","purchaser_email":"must be an email address"}}`)
	status, body = h.post("/invoices/"+id+"/checkout", "pay_currency", "ETH", "purchaser_fullname", "Bob Jones", "purchaser_email", "bob@example.com")
	if status != 200 || !strings.Contains(body, `"pay_amount":"0.0036","pay_currency":"ETH","payment_address":"0x`) {
		t.Errorf("checkout in ETH: %d %s", status, body)
	}
	status, body = h.post("/invoices/"+id+"/checkout", "pay_currency", "BTC")
	providertest.Expect(t, "second checkout", status, body, 422,
		`{"error_message":"Checkout is not valid: status is pending; only a new invoice can be checked out","errors":{"status":"is pending; only a new invoice can be checked out"}}`)
}

package sandbox

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers/emulator"
)

// receiver is a merchant's callback endpoint: it answers with the
// statuses it is given, in turn (the last one from then on), and keeps
// every form.
type receiver struct {
	mu       sync.Mutex
	answers  []int
	forms    []url.Values
	types    []string
	srv      *httptest.Server
	received chan struct{}
}

func newReceiver(t *testing.T, answers ...int) *receiver {
	rc := &receiver{answers: answers, received: make(chan struct{}, 100)}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		rc.mu.Lock()
		rc.forms = append(rc.forms, form)
		rc.types = append(rc.types, r.Header.Get("Content-Type"))
		status := rc.answers[0]
		if len(rc.answers) > 1 {
			rc.answers = rc.answers[1:]
		}
		rc.mu.Unlock()
		if status == http.StatusFound {
			w.Header().Set("Location", "/elsewhere")
		}
		w.WriteHeader(status)
		rc.received <- struct{}{}
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) statuses() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for _, f := range rc.forms {
		out = append(out, f.Get("status"))
	}
	return out
}

// fast makes a minute of the callback schedule a millisecond.
const fast = 60_000

func TestCallbackFields(t *testing.T) {
	rc := newReceiver(t, 200)
	h := newHarness(t, Options{CallbackScale: fast})
	id := h.create("cb1", "100", "USD", "callback_url", rc.srv.URL+"/hook?shop=1")
	h.post("/invoices/"+id+"/checkout", "pay_currency", "BTC")
	h.clock.Advance(time.Minute)
	if _, err := h.em.Pay(emulator.Payment{ID: id, Mode: emulator.PayPartial}); err != nil {
		t.Fatal(err)
	}
	h.em.WaitCallbacks()
	h.clock.Advance(20 * time.Minute) // past expire_at: the short payment's invoice is invalid
	h.post("/invoices/" + id)
	h.em.WaitCallbacks()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.forms) != 3 {
		t.Fatalf("got %d callbacks, want pending (checkout), pending (the short payment) and invalid", len(rc.forms))
	}
	// Each callback is delivered on its own: they may arrive in any order.
	var pending, short, invalid url.Values
	for _, f := range rc.forms {
		switch {
		case f.Get("status") == "invalid":
			invalid = f
		case f.Get("underpaid_amount") == "0":
			pending = f
		default:
			short = f
		}
	}
	want := url.Values{
		"txn_id": {"1"}, "order_id": {"cb1"}, "status": {"pending"},
		"price_amount": {"100.0"}, "price_currency": {"USD"}, "created_at": {"2026-03-01T12:00:00+00:00"},
		"receive_currency": {"USD"}, "receive_amount": {"100.0"},
		"pay_amount": {"0.00166667"}, "pay_currency": {"BTC"}, "payment_address": {h.field(id, "payment_address")},
		"expire_at": {"2026-03-01T12:20:00+00:00"}, "underpaid_amount": {"0.00083334"}, "overpaid_amount": {"0"},
		"verify_hash": {testSign(DefaultAPIKey, short)},
	}
	if diff := cmp.Diff(want, short); diff != "" {
		t.Errorf("the short payment's callback (-want +got):\n%s", diff)
	}
	want["status"], want["verify_hash"] = []string{"invalid"}, []string{testSign(DefaultAPIKey, invalid)}
	if diff := cmp.Diff(want, invalid); diff != "" {
		t.Errorf("the expiry's callback (-want +got):\n%s", diff)
	}
	if got := pending.Get("verify_hash"); pending.Get("status") != "pending" || got != testSign(DefaultAPIKey, pending) || got != strings.ToLower(got) {
		t.Errorf("pending callback verify_hash %q", got)
	}
	if rc.types[0] != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type %q", rc.types[0])
	}
}

// TestCallbackSignVector checks Sign against the vector in
// gateways/NOTES.md (computed with the plugins' recipe).
func TestCallbackSignVector(t *testing.T) {
	form := url.Values{
		"txn_id": {"309272569091632"}, "order_id": {"14037"}, "status": {"paid"}, "price_amount": {"1050.99"},
		"price_currency": {"USD"}, "pay_amount": {"4.81849315"}, "pay_currency": {"BTC"},
		"created_at": {"2014-11-03T13:07:28+00:00"}, "verify_hash": {"ignored"},
	}
	if got, want := Sign("API_KEY", form), "dbdfeb96db59c4e17207346edd2feced866f9e66b49a70a7e8f9d1327122e919"; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	if got := phpEncode(url.Values{"a b": {"x~y*z"}}, ""); got != "a+b=x%7Ey%2Az" {
		t.Errorf("phpEncode = %s", got)
	}
}

package sandbox

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers/emulator"
)

func TestCallbackRetries(t *testing.T) {
	rc := newReceiver(t, 500, 500, 200)
	h := newHarness(t, Options{CallbackScale: fast})
	id := h.create("r1", "10", "USD", "callback_url", rc.srv.URL)
	h.post("/invoices/"+id+"/checkout", "pay_currency", "LTC")
	h.em.WaitCallbacks()
	var got []string
	for _, d := range h.em.Deliveries() {
		got = append(got, strings.Join([]string{http.StatusText(d.Status), map[bool]string{true: "final"}[d.Final]}, " "))
	}
	if diff := cmp.Diff([]string{"Internal Server Error ", "Internal Server Error ", "OK final"}, got); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
	status, body := h.admin(http.MethodGet, "/_sandbox/coinpay24/callbacks", "")
	if status != 200 || !strings.Contains(body, `"callbacks":[{"txn_id":"1","order_id":"r1","status":"pending","url":"`+rc.srv.URL+`"`) ||
		!strings.Contains(body, `"attempt":3`) {
		t.Errorf("GET /callbacks: %d %s", status, body)
	}
}

func TestCallbackGivesUp(t *testing.T) {
	for _, answer := range []int{401, 302, 301} {
		rc := newReceiver(t, answer)
		h := newHarness(t, Options{CallbackScale: fast})
		id := h.create("g", "10", "USD", "callback_url", rc.srv.URL)
		h.post("/invoices/"+id+"/checkout", "pay_currency", "LTC")
		h.em.WaitCallbacks()
		if d := h.em.Deliveries(); len(d) != 1 || !d[0].Final || d[0].Status != answer {
			t.Errorf("answer %d: deliveries %+v, want one final attempt (no redirect followed)", answer, d)
		}
	}
	// Never a 2xx: the first send and 40 retries, then it is given up.
	if s := callbackSchedule(); len(s) != 40 || s[0] != time.Minute || s[5] != 5*time.Minute || s[39] != 24*time.Hour {
		t.Errorf("schedule %v", s)
	}
	rc := newReceiver(t, 503)
	h := newHarness(t, Options{CallbackScale: 20_000_000}) // the 6.5 days take 28 ms
	id := h.create("g", "10", "USD", "callback_url", rc.srv.URL)
	h.post("/invoices/"+id+"/checkout", "pay_currency", "LTC")
	h.em.WaitCallbacks()
	if d := h.em.Deliveries(); len(d) != 41 || !d[40].Final || d[39].Final {
		t.Errorf("%d deliveries, want 41, the last final", len(d))
	}
}

func TestCallbacksOnEveryChange(t *testing.T) {
	rc := newReceiver(t, 200)
	h := newHarness(t, Options{CallbackScale: fast})
	hook := []string{"callback_url", rc.srv.URL}
	a := h.create("a", "10", "USD", hook...) // expires
	b := h.create("b", "10", "USD", hook...) // paid late
	c := h.create("c", "10", "USD", hook...) // canceled
	h.create("d", "10", "USD")               // no callback_url
	h.post("/invoices/"+b+"/checkout", "pay_currency", "ETH")
	if _, err := h.em.SetStatus(c, "", "cancelled"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.em.SetStatus(c, "", StatusCanceled); err != nil { // no change, no callback
		t.Fatal(err)
	}
	if _, err := h.em.Pay(emulator.Payment{ID: b, Mode: emulator.PayLate}); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(20 * time.Minute)
	h.post("/invoices/" + a) // any request sends what the clock made due
	h.post("/invoices/" + a)
	h.em.WaitCallbacks()
	var got []string
	for _, cb := range h.em.Callbacks() {
		got = append(got, cb.OrderID+" "+cb.Status)
	}
	if diff := cmp.Diff([]string{"b pending", "c canceled", "b expired", "b paid", "a expired"}, got); diff != "" {
		t.Errorf("callbacks (-want +got):\n%s", diff)
	}
	if n := len(rc.statuses()); n != 5 {
		t.Errorf("receiver got %d callbacks, want 5", n)
	}
}

// TestExpiryTimer: with the wall clock, an expiry's callback is sent on
// time without any request.
func TestExpiryTimer(t *testing.T) {
	rc := newReceiver(t, 200)
	em, err := New(Options{Expiry: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(em.Close)
	srv := httptest.NewServer(em)
	t.Cleanup(srv.Close)
	resp, err := http.PostForm(srv.URL+"/v1/invoices/create", url.Values{"api_key": {DefaultAPIKey}, "order_id": {"t"},
		"price_amount": {"1"}, "price_currency": {"USD"}, "callback_url": {rc.srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	select {
	case <-rc.received:
	case <-time.After(5 * time.Second):
		t.Fatal("no expired callback within 5 s")
	}
	if got := rc.statuses(); !cmp.Equal(got, []string{"expired"}) {
		t.Errorf("callbacks %v", got)
	}
}

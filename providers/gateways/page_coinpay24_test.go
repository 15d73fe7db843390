package gateways_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/coinpay24"
	"github.com/payform/payform/providers/gateways"
)

const cp24Key = "coinpay24-test-key"

// cp24Create makes an invoice the page's way (form fields) and returns
// its id.
func cp24Create(s *sandbox, orderID, amount string, extra ...string) string {
	s.t.Helper()
	f := url.Values{"api_key": {cp24Key}, "order_id": {orderID}, "price_amount": {amount}, "price_currency": {"USD"}}
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	status, body := s.form("/coinpay24/v1/invoices/create", f)
	var inv struct {
		ID json.Number `json:"id"`
	}
	if err := json.Unmarshal([]byte(body), &inv); status != 200 || err != nil || inv.ID == "" {
		s.t.Fatalf("create: %d %s", status, body)
	}
	return inv.ID.String()
}

func cp24Get(s *sandbox, id string) map[string]json.RawMessage {
	s.t.Helper()
	status, body := s.form("/coinpay24/v1/invoices/"+id, url.Values{"api_key": {cp24Key}})
	if status != 200 {
		s.t.Fatalf("get %s: %d %s", id, status, body)
	}
	return object(s.t, body)
}

func str(raw json.RawMessage) string {
	var v string
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	return v
}

// TestPageCoinPay24HalfPaymentIsNotPaid: the page's Invoice Status table,
// "paid | Payment is confirmed by the network, and has been credited to
// the merchant. Purchased goods/services can be safely delivered to the
// shopper." A half payment is not that: the invoice stays "pending"
// ("Shopper transferred the payment for the invoice") with an
// underpaid_amount, and ends "invalid" when its time is up; it is never
// "paid". A full payment is.
func TestPageCoinPay24HalfPaymentIsNotPaid(t *testing.T) {
	s := serve(t, gateways.SandboxOptions{})
	half := cp24Create(s, "half", "100")
	full := cp24Create(s, "full", "100")
	for _, id := range []string{half, full} {
		if status, body := s.form("/coinpay24/v1/invoices/"+id+"/checkout", url.Values{"api_key": {cp24Key}, "pay_currency": {"BTC"}}); status != 200 {
			t.Fatalf("checkout: %d %s", status, body)
		}
	}
	s.admin(http.MethodPost, "/_sandbox/pay", `{"gateway":"coinpay24","id":"`+half+`","mode":"partial"}`)
	s.admin(http.MethodPost, "/_sandbox/pay", `{"gateway":"coinpay24","id":"`+full+`"}`)

	inv := cp24Get(s, half)
	if got := str(inv["status"]); got != "pending" {
		t.Errorf("half paid: status %q, want pending", got)
	}
	if got := str(inv["underpaid_amount"]); got != "0.00083334" {
		t.Errorf("half paid: underpaid_amount %q, want 0.00083334 (half the BTC)", got)
	}
	if got := str(cp24Get(s, full)["status"]); got != "paid" {
		t.Errorf("fully paid: status %q, want paid", got)
	}
	// "expired | Shopper did not pay within the required time (default:
	// 20 minutes)": past it, the half-paid invoice is invalid, never paid.
	s.clock.Advance(21 * time.Minute)
	if got := str(cp24Get(s, half)["status"]); got != "invalid" {
		t.Errorf("half paid, past expire_at: status %q, want invalid", got)
	}
	// The list says the same.
	status, body := s.form("/coinpay24/v1/invoices", url.Values{"api_key": {cp24Key}})
	if status != 200 || strings.Count(body, `"status":"paid"`) != 1 {
		t.Errorf("list: %d %s, want one paid invoice", status, body)
	}
}

// TestPageCoinPay24CallbackFields: the page's callback table has, beside
// the example's fields, "The currency code which defines the currency in
// which the merchant's settlements will be paid" and "The amount which
// will be credited to the merchant when the invoice is paid" (their
// names lost; the emulator uses CoinGate's receive_currency and
// receive_amount), sent "via the post method", "Content-Type:
// application/x-www-form-urlencoded", with verify_hash "hash_hmac('sha256',
// POST DATA, 'API_KEY')", which the client's verifier accepts.
func TestPageCoinPay24CallbackFields(t *testing.T) {
	s := serve(t, gateways.SandboxOptions{})
	rc := newReceiver(t)
	id := cp24Create(s, "cb-1", "100", "callback_url", rc.URL+"/hook")
	s.admin(http.MethodPost, "/_sandbox/pay", `{"gateway":"coinpay24","id":"`+id+`"}`)
	got := rc.wait(2) // checkout's pending, then paid
	if len(got) != 2 {
		t.Fatalf("got %d callbacks, want 2", len(got))
	}
	p, closer, err := gateways.Open(gateways.Spec{Gateway: coinpay24.Gateway, Name: "coinpay24", Endpoint: s.base + "/coinpay24/v1",
		Credentials: map[string]string{"api_key": cp24Key}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	verifier := providers.Unwrap(p).(providers.CallbackVerifier)
	for _, r := range got {
		form, err := url.ParseQuery(r.Body)
		if err != nil || r.Method != http.MethodPost || r.ContentType != "application/x-www-form-urlencoded" {
			t.Fatalf("callback %s %s %q: %v", r.Method, r.ContentType, r.Body, err)
		}
		for _, name := range []string{"txn_id", "order_id", "status", "price_amount", "price_currency", "receive_currency", "receive_amount",
			"pay_amount", "pay_currency", "created_at", "verify_hash"} {
			if !form.Has(name) {
				t.Errorf("%s callback has no %s: %s", form.Get("status"), name, r.Body)
			}
		}
		if form.Get("receive_currency") != "USD" || form.Get("receive_amount") != "100.0" {
			t.Errorf("settlement %s %s, want 100.0 USD", form.Get("receive_amount"), form.Get("receive_currency"))
		}
		header := http.Header{"Content-Type": {r.ContentType}}
		cb, err := verifier.VerifyCallback(header, []byte(r.Body))
		if err != nil || cb.Key != "cb-1" || cb.ID != id {
			t.Errorf("VerifyCallback: %+v, %v", cb, err)
		}
		tampered := strings.Replace(r.Body, "price_amount=100.0", "price_amount=1.0", 1)
		if _, err := verifier.VerifyCallback(header, []byte(tampered)); err == nil {
			t.Error("a tampered callback verified")
		}
	}
}

// TestPageCoinPay24ListByGET: the page's List Invoices has "HTTP Request
// GET https://api.coinpay24.com/v1/invoices" and "Parameters [Path Params
// - GET]", while its curl examples POST: both are taken.
func TestPageCoinPay24ListByGET(t *testing.T) {
	s := serve(t, gateways.SandboxOptions{})
	cp24Create(s, "l-1", "10")
	cp24Create(s, "l-2", "20")
	q := url.Values{"api_key": {cp24Key}, "per_page": {"1"}, "page": {"2"}, "sort": {"created_at_desc"}}
	status, get := s.do(http.MethodGet, "/coinpay24/v1/invoices?"+q.Encode(), "", "", nil)
	if status != 200 {
		t.Fatalf("GET: %d %s", status, get)
	}
	status, post := s.form("/coinpay24/v1/invoices", q)
	if status != 200 {
		t.Fatalf("POST: %d %s", status, post)
	}
	if diff := cmp.Diff(post, get); diff != "" {
		t.Errorf("GET and POST differ (-post +get):\n%s", diff)
	}
	if !strings.Contains(get, `"current_page":2,"per_page":1,"total_invoices":2,"total_pages":2`) {
		t.Errorf("GET: %s", get)
	}
	// Without the key, GET is refused like POST.
	if status, body := s.do(http.MethodGet, "/coinpay24/v1/invoices", "", "", nil); status != 401 {
		t.Errorf("GET without api_key: %d %s", status, body)
	}
}

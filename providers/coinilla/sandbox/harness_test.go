package sandbox

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/providertest"
)

// t0 is when every test's clock starts.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// harness is an emulator behind emulator.Server on a real port.
type harness struct {
	t     testing.TB
	em    *Emulator
	clock *providertest.Clock
	srv   *httptest.Server
	url   string // the gateway's mount: srv.URL + "/coinilla"
}

func newHarness(t testing.TB, opts Options) *harness {
	t.Helper()
	clock := providertest.NewClock(t0)
	if opts.Clock == nil {
		opts.Clock = clock.Now
	}
	if opts.Entropy == nil {
		opts.Entropy = &providertest.Counter{}
	}
	em, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(em.Close)
	srv := httptest.NewServer(emulator.NewServer(emulator.ServerOptions{Emulators: []emulator.Emulator{em}}))
	t.Cleanup(srv.Close)
	return &harness{t: t, em: em, clock: clock, srv: srv, url: srv.URL + "/coinilla"}
}

// post sends form fields to path and returns the status and body.
func (h *harness) post(path string, form url.Values) (int, string) {
	h.t.Helper()
	resp, err := h.srv.Client().PostForm(h.url+path, form)
	if err != nil {
		h.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// payForm is a valid func=1 request with the default key; kv pairs
// override or add fields ("" deletes one).
func payForm(refnum string, kv ...string) url.Values {
	f := url.Values{"func": {"1"}, "apikey": {DefaultAPIKey}, "currency": {"USD"}, "amount": {"49.99"},
		"refnum": {refnum}, "desc": {"Order " + refnum}, "return_url": {"https://shop.example.com/ok"}, "duplicate_refnum": {"0"}}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			f.Del(kv[i])
			continue
		}
		f.Set(kv[i], kv[i+1])
	}
	return f
}

// pay requests a payment and returns the answer.
func (h *harness) pay(form url.Values) payAnswer {
	h.t.Helper()
	status, body := h.post("/pay", form)
	var a payAnswer
	if err := json.Unmarshal([]byte(body), &a); err != nil || status != 200 {
		h.t.Fatalf("POST /pay: %d %s", status, body)
	}
	return a
}

// create makes an invoice and returns its id.
func (h *harness) create(refnum string, kv ...string) string {
	h.t.Helper()
	a := h.pay(payForm(refnum, kv...))
	if a.Error != "" || len(a.Invoice) != 64 {
		h.t.Fatalf("create %s: %+v", refnum, a)
	}
	return a.Invoice
}

// verify asks func=3 and returns the raw body.
func (h *harness) verify(id, refnum string) string {
	h.t.Helper()
	_, body := h.post("/verify", url.Values{"func": {"3"}, "apikey": {DefaultAPIKey}, "invoice": {id}, "refnum": {refnum}})
	return body
}

// ledgerLines summarises the ledger, one "key currency amount status
// create_requests" line per object.
func ledgerLines(em *Emulator) []string {
	var out []string
	for _, o := range em.Ledger() {
		out = append(out, strings.Join([]string{o.Key, o.Currency, o.Amount, o.Status, strconv.Itoa(o.CreateRequests)}, " "))
	}
	return out
}

// admin calls the server's admin API at path (e.g. "/_sandbox/pay").
func (h *harness) admin(method, path, body string) (int, string) {
	h.t.Helper()
	return providertest.Call(h.t, h.srv.Client(), method, h.srv.URL+path, body)
}

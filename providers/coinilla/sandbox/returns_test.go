package sandbox

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers/emulator"
)

func TestReturns(t *testing.T) {
	h := newHarness(t, Options{})
	a := h.create("a", "unconfirm_url", "https://shop.example.com/pending", "extra_1", "x1")
	b := h.create("b", "fail_url", "https://shop.example.com/fail")
	c := h.create("c")
	mustPay(t, h, emulator.Payment{ID: a})
	h.clock.Advance(time.Minute)
	mustPay(t, h, emulator.Payment{ID: b, Mode: emulator.PayPartial})
	h.clock.Advance(time.Minute)
	h.em.Cancel(c, "")
	inv := map[string]InvoiceView{}
	for _, v := range h.em.Invoices() {
		inv[v.ID] = v
	}
	form := func(state, id, transID, amount, satoshi, extra1 string) url.Values {
		return url.Values{"state": {state}, "refnum": {inv[id].Refnum}, "invoice": {id}, "trans_id": {transID},
			"address": {inv[id].Address}, "amount": {amount}, "satoshi": {satoshi}, "extra_1": {extra1}, "extra_2": {""}, "extra_3": {""}}
	}
	want := []Return{
		{Invoice: a, Refnum: "a", At: t0, URL: "https://shop.example.com/pending", Form: form("PENDING", a, "1000001", "49.99", "83317", "x1")},
		{Invoice: b, Refnum: "b", At: t0.Add(time.Minute), URL: "https://shop.example.com/fail", Form: form("CANCELED", b, "1000002", "24.99", "41650", "")},
		{Invoice: c, Refnum: "c", At: t0.Add(2 * time.Minute), URL: "https://shop.example.com/ok", Form: form("CANCELED", c, "", "49.99", "83317", "")},
	}
	if diff := cmp.Diff(want, h.em.Returns()); diff != "" {
		t.Errorf("returns (-want +got):\n%s", diff)
	}

	zc := newHarness(t, Options{ZeroConf: true})
	id := zc.create("z")
	mustPay(t, zc, emulator.Payment{ID: id, Mode: emulator.PayOver})
	if r := zc.em.Returns(); len(r) != 1 || r[0].Form.Get("state") != "OK" || r[0].URL != "https://shop.example.com/ok" || r[0].Form.Get("amount") != "54.99" {
		t.Errorf("zero-conf returns %+v, want one OK to return_url for 54.99", r)
	}
}

// TestReturnsArePosted: the page, step 2: "We will redirect user to one
// of the URLs (return_url, fail_url or unconfirm_url) you set ... We POST
// these parameters to return_url, fail_url or unconfirm_url" — state,
// refnum, invoice, trans_id, address, amount, satoshi, extra_1..3 — and
// "We only send OK state to return_url URL, PENDING to unconfirm_url URL
// and CANCELED to fail_url URL".
func TestReturnsArePosted(t *testing.T) {
	type got struct {
		method, path, contentType string
		form                      url.Values
	}
	var mu sync.Mutex
	var received []got
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		mu.Lock()
		received = append(received, got{r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.PostForm})
		mu.Unlock()
	}))
	defer srv.Close()
	h := newHarness(t, Options{ZeroConf: true})
	urls := []string{"return_url", srv.URL + "/ok", "fail_url", srv.URL + "/fail", "unconfirm_url", srv.URL + "/pending"}
	ok := h.create("ok", append(urls, "extra_1", "e1", "extra_3", "e3")...)
	short := h.create("short", urls...)
	gone := h.create("gone", urls...)
	mustPay(t, h, emulator.Payment{ID: ok})
	mustPay(t, h, emulator.Payment{ID: short, Mode: emulator.PayPartial})
	if _, err := h.em.Cancel(gone, ""); err != nil {
		t.Fatal(err)
	}
	pending := newHarness(t, Options{}) // not zero-conf: the buyer returns before a confirmation
	wait := pending.create("wait", urls...)
	mustPay(t, pending, emulator.Payment{ID: wait})
	h.em.WaitReturns()
	pending.em.WaitReturns()

	byPath := map[string]got{}
	for _, g := range received {
		byPath[g.path+" "+g.form.Get("refnum")] = g
	}
	inv := map[string]InvoiceView{}
	for _, v := range append(h.em.Invoices(), pending.em.Invoices()...) {
		inv[v.Refnum] = v
	}
	form := func(state, refnum, transID, amount, satoshi, e1, e3 string) url.Values {
		return url.Values{"state": {state}, "refnum": {refnum}, "invoice": {inv[refnum].ID}, "trans_id": {transID},
			"address": {inv[refnum].Address}, "amount": {amount}, "satoshi": {satoshi}, "extra_1": {e1}, "extra_2": {""}, "extra_3": {e3}}
	}
	want := map[string]got{
		"/ok ok":        {"POST", "/ok", "application/x-www-form-urlencoded", form("OK", "ok", "1000001", "49.99", "83317", "e1", "e3")},
		"/fail short":   {"POST", "/fail", "application/x-www-form-urlencoded", form("CANCELED", "short", "1000002", "24.99", "41650", "", "")},
		"/fail gone":    {"POST", "/fail", "application/x-www-form-urlencoded", form("CANCELED", "gone", "", "49.99", "83317", "", "")},
		"/pending wait": {"POST", "/pending", "application/x-www-form-urlencoded", form("PENDING", "wait", "1000001", "49.99", "83317", "", "")},
	}
	if diff := cmp.Diff(want, byPath, cmp.AllowUnexported(got{})); diff != "" {
		t.Errorf("return forms received (-want +got):\n%s", diff)
	}
	if ds := h.em.Deliveries(); len(ds) != 3 || ds[0].Status != 200 || !ds[0].Final {
		t.Errorf("deliveries %+v, want 3 final 200s", ds)
	}
}

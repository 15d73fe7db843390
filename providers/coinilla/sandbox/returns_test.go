package sandbox

import (
	"net/url"
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

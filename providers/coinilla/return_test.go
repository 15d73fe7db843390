package coinilla_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/payform/payform/providers/coinilla"
	"github.com/payform/payform/providers/coinilla/sandbox"
	"github.com/payform/payform/providers/emulator"
)

var hexID = strings.Repeat("ab", 32)

func TestVerifyReturnShape(t *testing.T) {
	good := url.Values{"state": {"PENDING"}, "refnum": {"r"}, "invoice": {hexID}, "trans_id": {"1"}, "satoshi": {"5"}, "extra_3": {"z"}}
	r, err := coinilla.VerifyReturn(good)
	if err != nil || r.State != "PENDING" || r.Invoice != hexID || r.Extra[2] != "z" {
		t.Errorf("VerifyReturn = %+v, %v", r, err)
	}
	for name, change := range map[string][2]string{
		"no state":      {"state", ""},
		"lower state":   {"state", "ok"},
		"unknown state": {"state", "DONE"},
		"no refnum":     {"refnum", ""},
		"short invoice": {"invoice", "abc"},
		"not hex":       {"invoice", strings.Repeat("zz", 32)},
		"satoshi":       {"satoshi", "1.5"},
	} {
		f := url.Values{}
		for k, v := range good {
			f[k] = v
		}
		f.Set(change[0], change[1])
		if _, err := coinilla.VerifyReturn(f); err == nil {
			t.Errorf("%s: VerifyReturn accepted %v", name, f)
		}
	}
}

func TestAccepts(t *testing.T) {
	for _, tc := range []struct {
		state, status string
		want          bool
	}{
		{"OK", "paid", true}, {"PENDING", "paid", false}, {"CANCELED", "paid", false},
		{"OK", "paid-0", true}, {"PENDING", "paid-0", true}, {"CANCELED", "paid-0", false},
		{"OK", "notpaid", false}, {"PENDING", "notpaid", false}, {"CANCELED", "notpaid", true},
		{"CANCELED", "nopaid", true}, {"OK", "", false},
	} {
		if got := coinilla.Accepts(tc.state, tc.status); got != tc.want {
			t.Errorf("Accepts(%s, %s) = %v, want %v", tc.state, tc.status, got, tc.want)
		}
	}
}

// TestConfirmReturn: a forged state is caught by verify.
func TestConfirmReturn(t *testing.T) {
	emu, _, _, endpoint := gateway(t, sandbox.Options{})
	p := provider(t, endpoint, sandbox.DefaultAPIKey)
	ctx := context.Background()
	paid, _ := p.Create(ctx, invoice("paid", "5", "CHF"))
	open, _ := p.Create(ctx, invoice("open", "5", "CHF"))
	emu.Pay(emulator.Payment{ID: paid.ID})
	c := coinilla.NewClient(endpoint, sandbox.DefaultAPIKey, nil)
	for _, tc := range []struct {
		name, state, id, refnum string
		accepted                bool
	}{
		{"pending return, paid-0", "PENDING", paid.ID, "paid", true},
		{"cancelled return, paid-0", "CANCELED", paid.ID, "paid", false},
		{"forged OK for an unpaid invoice", "OK", open.ID, "open", false},
	} {
		v, ok, err := c.ConfirmReturn(ctx, coinilla.Return{State: tc.state, Invoice: tc.id, Refnum: tc.refnum})
		if err != nil || ok != tc.accepted {
			t.Errorf("%s: ConfirmReturn = %+v, %v, %v; want accepted=%v", tc.name, v, ok, err, tc.accepted)
		}
	}
	if _, _, err := c.ConfirmReturn(ctx, coinilla.Return{State: "OK", Invoice: paid.ID, Refnum: "other"}); err == nil {
		t.Error("a return whose refnum does not match its invoice was confirmed")
	}
}

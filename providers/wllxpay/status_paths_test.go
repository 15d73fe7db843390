package wllxpay_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/wllxpay/sandbox"
)

// TestBothPathsAgree: a withdrawal's status is the same whether payform
// learns it from the v1 withdrawal callback or from the v2 lookup, for
// every status the gateway can end in. v2 reports error as cancelled and
// says why in its error text; the client reads that text, so an error is
// failed on both paths and a cancellation (a double spend) cancelled.
func TestBothPathsAgree(t *testing.T) {
	rc := &receiver{}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	emu, _, endpoint := gateway(t, sandbox.Options{V2Lookup: true, CallbackURL: hook.URL})
	defer emu.Close()
	p := client(t, endpoint, sandbox.DefaultKey, sandbox.DefaultSecret, map[string]string{"v2_lookup": "true"})
	want := map[string]providers.Status{
		sandbox.StatusConfirmed: providers.StatusConfirmed,
		sandbox.StatusError:     providers.StatusFailed,
		sandbox.StatusCancelled: providers.StatusCancelled,
	}
	for raw, status := range want {
		key := "paths-" + raw
		if _, err := p.Create(context.Background(), payout(key, "0.01")); err != nil {
			t.Fatal(err)
		}
		if err := emu.ForceStatus(key, raw); err != nil {
			t.Fatal(err)
		}
		looked, err := p.Lookup(context.Background(), providers.Query{Kind: providers.Payout, Key: key})
		if err != nil {
			t.Fatal(err)
		}
		if looked.Status != status {
			t.Errorf("%s: the v2 lookup says %s (raw %q), want %s", raw, looked.Status, looked.RawStatus, status)
		}
		if raw == sandbox.StatusError && looked.Fields["error"] == "" {
			t.Errorf("%s: the v2 lookup carries no error text: %+v", raw, looked)
		}
	}
	emu.WaitCallbacks()
	seen := 0
	for _, got := range rc.got {
		cb, err := p.(providers.CallbackVerifier).VerifyCallback(got.header, got.body)
		if err != nil {
			t.Fatalf("VerifyCallback: %v", err)
		}
		o := cb.Object
		if cb.Via != "signature" || o == nil || o.Kind != providers.Payout || o.Key != "paths-"+cb.Status || o.ID == "" || o.Amount.String() != "0.01" || o.Currency != "BTC" || o.Address == "" {
			t.Errorf("callback %+v: object %+v", cb, o)
			continue
		}
		if o.Status != want[cb.Status] {
			t.Errorf("%s: the callback says %s, want %s", cb.Status, o.Status, want[cb.Status])
		}
		seen++
	}
	if seen != len(want) {
		t.Errorf("%d withdrawal callbacks checked, want %d", seen, len(want))
	}
}

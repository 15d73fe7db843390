package coinilla_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/coinilla"
	"github.com/payform/payform/providers/coinilla/sandbox"
	"github.com/payform/payform/providers/emulator"
)

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// TestRefreshStatuses: the status mapping, after the buyer acts.
func TestRefreshStatuses(t *testing.T) {
	emu, faults, clock, endpoint := gateway(t, sandbox.Options{})
	p := provider(t, endpoint, sandbox.DefaultAPIKey)
	ctx := context.Background()
	ids := map[string]string{}
	for _, key := range []string{"full", "partial", "cancel", "expires", "open"} {
		obj, err := p.Create(ctx, invoice(key, "20", "EUR"))
		if err != nil {
			t.Fatal(err)
		}
		ids[key] = obj.ID
	}
	refs := []providers.Ref{{Kind: providers.Invoice, Key: "missing", ID: "ab12"}, {Kind: providers.Invoice, Key: "no-id"}}
	for _, key := range []string{"full", "partial", "cancel", "expires", "open"} {
		refs = append(refs, providers.Ref{Kind: providers.Invoice, Key: key, ID: ids[key]})
	}
	// A known id under another refnum is not that invoice.
	refs = append(refs, providers.Ref{Kind: providers.Invoice, Key: "open", ID: ids["full"]})
	statuses := func() map[string]string {
		t.Helper()
		objs, err := p.Refresh(ctx, refs)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, o := range objs {
			if _, dup := out[o.Key]; dup {
				t.Errorf("%s reported twice", o.Key)
			}
			out[o.Key] = string(o.Status) + "/" + o.RawStatus
		}
		return out
	}

	clock.Advance(10 * time.Minute)
	emu.Pay(emulator.Payment{ID: ids["full"]})
	emu.Pay(emulator.Payment{ID: ids["partial"], Mode: emulator.PayPartial})
	emu.Cancel(ids["cancel"], "")
	want := map[string]string{"full": "pending/paid-0", "partial": "underpaid/notpaid", "cancel": "cancelled/notpaid", "expires": "pending/notpaid", "open": "pending/notpaid"}
	if diff := cmp.Diff(want, statuses()); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	clock.Advance(50 * time.Minute)
	want = map[string]string{"full": "paid/paid", "partial": "underpaid/notpaid", "cancel": "cancelled/notpaid", "expires": "expired/notpaid", "open": "expired/notpaid"}
	if diff := cmp.Diff(want, statuses()); diff != "" {
		t.Errorf("statuses an hour on (-want +got):\n%s", diff)
	}

	// A failed read is an error, never a disappearance.
	faults.Set(emulator.Faults{Status500: 1})
	objs, err := p.Refresh(ctx, refs)
	faults.Set(emulator.Faults{})
	if err == nil || len(objs) != 0 {
		t.Errorf("Refresh during a 500 = %v, %v; want an error and nothing", objs, err)
	}
	_, err = provider(t, endpoint, "nope").Refresh(ctx, refs)
	if c := providers.ClassOf(err); c != providers.Rejected {
		t.Errorf("Refresh with a wrong key: %v (%v), want rejected", err, c)
	}
}

func TestVerify(t *testing.T) {
	emu, _, _, endpoint := gateway(t, sandbox.Options{})
	c := coinilla.NewClient(endpoint, sandbox.DefaultAPIKey, nil)
	ctx := context.Background()
	p := provider(t, endpoint, sandbox.DefaultAPIKey)
	obj, err := p.Create(ctx, invoice("ord-1", "10", "USD"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.Verify(ctx, obj.ID, "ord-1")
	if err != nil || v != (coinilla.Verification{Status: "notpaid"}) {
		t.Errorf("Verify = %+v, %v", v, err)
	}
	if _, err := c.Verify(ctx, obj.ID, "ord-2"); !errors.Is(err, coinilla.ErrInvoiceNotFound) {
		t.Errorf("Verify(wrong refnum) = %v, want ErrInvoiceNotFound", err)
	}
	if _, err := c.VerifyTransaction(ctx, "1000001"); !errors.Is(err, coinilla.ErrInvoiceNotFound) {
		t.Errorf("VerifyTransaction(unknown) = %v, want ErrInvoiceNotFound", err)
	}
	emu.Pay(emulator.Payment{ID: obj.ID})
	trans := emu.Invoices()[0].TransID
	v, err = c.VerifyTransaction(ctx, trans)
	if err != nil || v.Status != "paid-0" {
		t.Errorf("VerifyTransaction(%s) = %+v, %v; want paid-0", trans, v, err)
	}
}

func TestMapStatus(t *testing.T) {
	for _, tc := range []struct {
		v    coinilla.Verification
		want providers.Status
	}{
		{coinilla.Verification{Status: "paid"}, providers.StatusPaid},
		{coinilla.Verification{Status: "paid-0"}, providers.StatusPending},
		{coinilla.Verification{Status: "notpaid"}, providers.StatusPending},
		{coinilla.Verification{Status: "nopaid"}, providers.StatusPending},
		{coinilla.Verification{Status: "notpaid", Error: "invoice expired"}, providers.StatusExpired},
		{coinilla.Verification{Status: "notpaid", Error: "Invoice has expired"}, providers.StatusExpired},
		{coinilla.Verification{Status: "notpaid", Error: "invoice canceled"}, providers.StatusCancelled},
		{coinilla.Verification{Status: "notpaid", Error: "invoice underpaid"}, providers.StatusUnderpaid},
		{coinilla.Verification{Status: "something new"}, providers.StatusPending},
	} {
		if got := coinilla.MapStatus(tc.v); got != tc.want {
			t.Errorf("MapStatus(%+v) = %s, want %s", tc.v, got, tc.want)
		}
	}
}

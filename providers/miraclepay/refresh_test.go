package miraclepay_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/miraclepay"
	"github.com/payform/payform/providers/miraclepay/sandbox"
)

// TestRefreshStatuses: the status mapping, after the customer acts.
func TestRefreshStatuses(t *testing.T) {
	emu, faults, clock, endpoint := gateway(t, sandbox.Options{})
	p := provider(t, endpoint, sandbox.DefaultClientID, sandbox.DefaultAPIKey)
	ctx := context.Background()
	ids := map[string]string{}
	refs := []providers.Ref{
		{Kind: providers.Invoice, Key: "missing", ID: "550e8400-e29b-41d4-a716-446655440000"},
		{Kind: providers.Invoice, Key: "no-id"},
	}
	for _, key := range []string{"paid", "failed", "cancelled", "expires"} {
		obj, err := p.Create(ctx, prompt(key, "20", providers.FieldBlockchains, "eth,btc", providers.FieldPayer, "customer"))
		if err != nil {
			t.Fatal(err)
		}
		ids[key] = obj.ID
		refs = append(refs, providers.Ref{Kind: providers.Invoice, Key: key, ID: obj.ID})
	}
	statuses := func() map[string]string {
		t.Helper()
		objs, err := p.Refresh(ctx, refs)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, o := range objs {
			out[o.Key] = string(o.Status) + "/" + o.RawStatus + "/" + o.Fields[miraclepay.ResultBlockchain]
		}
		return out
	}
	want := map[string]string{"paid": "pending/pending/eth", "failed": "pending/pending/eth", "cancelled": "pending/pending/eth", "expires": "pending/pending/eth"}
	if diff := cmp.Diff(want, statuses()); diff != "" {
		t.Errorf("at creation (-want +got):\n%s", diff)
	}
	emu.Pay(emulator.Payment{Key: "paid", Currency: "btc"})
	emu.Pay(emulator.Payment{Key: "failed", Mode: emulator.PayPartial})
	emu.SetStatus(ids["cancelled"], sandbox.StatusCancelled)
	clock.Advance(24 * time.Hour)
	want = map[string]string{"paid": "paid/successful/btc", "failed": "invalid/unsuccessful/eth", "cancelled": "cancelled/cancelled/eth", "expires": "expired/expired/eth"}
	if diff := cmp.Diff(want, statuses()); diff != "" {
		t.Errorf("a day later (-want +got):\n%s", diff)
	}

	// A failed read is an error, never a disappearance.
	faults.Set(emulator.Faults{Status500: 1})
	objs, err := p.Refresh(ctx, refs)
	faults.Set(emulator.Faults{})
	if err == nil || len(objs) != 0 {
		t.Errorf("Refresh during a 500 = %v, %v; want an error and nothing", objs, err)
	}
	if _, err := provider(t, endpoint, sandbox.DefaultClientID, "mpay_nope").Refresh(ctx, refs); providers.ClassOf(err) != providers.Rejected {
		t.Errorf("Refresh with a wrong key = %v, want rejected", err)
	}
	if _, err := p.Lookup(ctx, providers.Query{Kind: providers.Invoice, Key: "paid"}); !errors.Is(err, providers.ErrUnsupported) {
		t.Errorf("Lookup = %v, want ErrUnsupported", err)
	}
}

// TestNoteCarriesTheKey: the merchant key goes into note, where the
// ledger (and a person at the dashboard) finds it.
func TestNoteCarriesTheKey(t *testing.T) {
	emu, _, _, endpoint := gateway(t, sandbox.Options{})
	p := provider(t, endpoint, sandbox.DefaultClientID, sandbox.DefaultAPIKey)
	ctx := context.Background()
	p.Create(ctx, prompt("ord-1", "5"))
	p.Create(ctx, prompt("ord-2", "5", providers.FieldDescription, "Order #2 for Ann"))
	p.Create(ctx, prompt("ord-2", "5")) // a second create makes a second prompt
	var got []string
	for _, v := range emu.Prompts() {
		got = append(got, v.Key+" | "+v.Note+" | "+v.Payer)
	}
	want := []string{"ord-1 | payform:ord-1 | merchant", "ord-2 | payform:ord-2 Order #2 for Ann | merchant", "ord-2 | payform:ord-2 | merchant"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("prompts (-want +got):\n%s", diff)
	}
	for _, o := range emu.Ledger() {
		if o.Key == "ord-2" && o.CreateRequests != 2 {
			t.Errorf("ord-2 create_requests = %d, want 2", o.CreateRequests)
		}
	}
}

func TestMapStatus(t *testing.T) {
	for raw, want := range map[string]providers.Status{
		"pending": providers.StatusPending, "successful": providers.StatusPaid, "unsuccessful": providers.StatusInvalid,
		"expired": providers.StatusExpired, "cancelled": providers.StatusCancelled, "canceled": providers.StatusCancelled,
		"Successful": providers.StatusPaid, "processing": providers.StatusPending,
	} {
		if got := miraclepay.MapStatus(raw); got != want {
			t.Errorf("MapStatus(%q) = %s, want %s", raw, got, want)
		}
	}
}

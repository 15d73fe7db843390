package coinpay24_test

import (
	"context"
	"testing"
	"time"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/coinpay24"
)

// TestRefreshThousand: 1,000 invoices, the only ones in the range, are
// read in 10 list requests.
func TestRefreshThousand(t *testing.T) {
	e := newEnv(t, noLimits)
	p := client(t, e.endpoint, "coinpay24-test-key")
	created := fill(t, p, "inv", 1000)
	if _, err := e.emu.Pay(emulatorPayment("7", "partial")); err != nil {
		t.Fatal(err)
	}
	refs := make([]providers.Ref, len(created))
	for i, o := range created {
		refs[i] = providers.Ref{Kind: providers.Invoice, Key: o.Key, ID: o.ID, CreatedAt: t0}
	}
	l := e.watchLists()
	objs, err := p.Refresh(context.Background(), refs)
	if err != nil {
		t.Fatal(err)
	}
	if n := l.count(); n > 10 {
		t.Errorf("%d list requests, want at most 10", n)
	}
	if len(objs) != 1000 || objs[0].Key != "inv-0" || objs[999].Key != "inv-999" {
		t.Fatalf("Refresh returned %d objects", len(objs))
	}
	if objs[6].Fields[coinpay24.FieldUnderpaidAmount] == "" || objs[7].Fields[coinpay24.FieldUnderpaidAmount] != "" {
		t.Errorf("underpaid amounts %q %q, want one for the 7th invoice only", objs[6].Fields[coinpay24.FieldUnderpaidAmount], objs[7].Fields[coinpay24.FieldUnderpaidAmount])
	}

	// A ref the gateway does not have is left out; the scan reads to the
	// end, which is still 10 requests.
	l.reset(nil)
	objs, err = p.Refresh(context.Background(), append(refs, providers.Ref{Kind: providers.Invoice, Key: "gone", ID: "5000", CreatedAt: t0}))
	if err != nil || len(objs) != 1000 || l.count() != 10 {
		t.Errorf("Refresh with a missing ref: %d objects, %v, %d requests", len(objs), err, l.count())
	}
}

func TestRefresh(t *testing.T) {
	e := newEnv(t, noLimits)
	p := client(t, e.endpoint, "coinpay24-test-key")
	created := fill(t, p, "r", 250)
	e.clock.Advance(time.Minute)
	again, err := p.Create(context.Background(), invoice("r-3", "1", "USD"))
	if err != nil {
		t.Fatal(err)
	}
	l := e.watchLists()

	// By key when there is no id: the newest; the range from the day
	// before the oldest CreatedAt.
	objs, err := p.Refresh(context.Background(), []providers.Ref{
		{Kind: providers.Invoice, Key: "r-3", CreatedAt: t0.Add(time.Minute)},
		{Kind: providers.Invoice, Key: "r-249", ID: created[249].ID, CreatedAt: t0},
	})
	if err != nil || len(objs) != 2 || objs[0].ID != again.ID || objs[1].ID != created[249].ID {
		t.Errorf("Refresh = %+v, %v", objs, err)
	}
	if l.count() != 1 || l.forms[0].Get("created_at[from]") != "2026-02-28" {
		t.Errorf("list requests %v, want one from 2026-02-28", l.forms)
	}

	// A failed page: what was read, and the error.
	l.reset(map[string]int{"2": 503})
	objs, err = p.Refresh(context.Background(), []providers.Ref{
		{Kind: providers.Invoice, Key: "r-249", ID: created[249].ID},
		{Kind: providers.Invoice, Key: "r-0", ID: created[0].ID},
	})
	if providers.ClassOf(err) != providers.Ambiguous || len(objs) != 1 || objs[0].Key != "r-249" {
		t.Errorf("Refresh with page 2 failing = %+v, %v; want r-249 and an error", objs, err)
	}
	if objs, err := p.Refresh(context.Background(), []providers.Ref{{Kind: providers.Payout, Key: "x"}}); objs != nil || err != nil {
		t.Errorf("Refresh(payout) = %v, %v", objs, err)
	}
}

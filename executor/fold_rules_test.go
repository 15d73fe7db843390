package executor

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/payform/payform/inbox"
	"github.com/payform/payform/providers/gateways"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// TestFoldRules: what a verified callback does to each kind of record,
// for gateways other than WllxPay, from inbox items as the receiver keeps
// them.
func TestFoldRules(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(`
provider "coinpay24" {
  endpoint = "https://api.coinpay24.com/v1"
  api_key  = "k1"
}
provider "coinilla" {
  api_key = "k2"
}
invoice_batch "shop" {
  provider = coinpay24
  currency = "USD"
  invoices = { "ord-1" = { amount = "25" }, "ord-2" = { amount = "50" }, "ord-3" = { amount = "10" } }
}
invoice_batch "cl" {
  provider = coinilla
  currency = "USD"
  invoices = { "cl-1" = { amount = "10" } }
}
`), 0o600)
	cfg, diags := schema.Load(schema.Options{Dir: dir, Gateways: gateways.All()})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	cp, cl := cfg.Provider("coinpay24").Account(), cfg.Provider("coinilla").Account()
	store := openStore(t, filepath.Join(dir, "payform.state.json"))
	defer store.Close()
	adopt := func(addr, provider, key, id, amount, status string) {
		t.Helper()
		if err := store.Record(&state.Entry{Op: state.OpAdopt, Address: addr, Provider: provider, Key: key,
			Object: &state.Declared{Kind: "invoice", Gateway: provider, Amount: amount, Currency: "USD"},
			Result: &state.Result{Outcome: state.OutcomeAdopted, ID: id, Status: status, RawStatus: status}}, true); err != nil {
			t.Fatal(err)
		}
	}
	adopt(`invoice_batch.shop["ord-1"]`, "coinpay24", "ord-1", "11", "25", "pending")
	adopt(`invoice_batch.shop["ord-2"]`, "coinpay24", "ord-2", "12", "50", "paid")
	adopt(`invoice_batch.shop["ord-9"]`, "coinpay24", "ord-9", "19", "5", "pending")
	if err := store.Record(&state.Entry{Op: state.OpForget, Address: `invoice_batch.shop["ord-9"]`, Provider: "coinpay24", Key: "ord-9",
		Result: &state.Result{Outcome: state.OutcomeForgotten}}, true); err != nil {
		t.Fatal(err)
	}
	intent := func(addr, provider, key, amount string) {
		t.Helper()
		plan := state.NewID()
		for _, e := range []*state.Entry{{Op: state.OpApply, PlanID: plan}, {Op: state.OpIntent, PlanID: plan, Address: addr, Provider: provider, Key: key,
			Object: &state.Declared{Kind: "invoice", Gateway: provider, Amount: amount, Currency: "USD"}}} {
			if err := store.Record(e, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	intent(`invoice_batch.shop["ord-3"]`, "coinpay24", "ord-3", "10")
	intent(`invoice_batch.cl["cl-1"]`, "coinilla", "cl-1", "10")

	box, err := inbox.OpenLocal(filepath.Join(dir, "payform.state.json"), true)
	if err != nil {
		t.Fatal(err)
	}
	defer box.Close()
	add := func(gateway, account, key, id, status, raw, amount string) {
		t.Helper()
		it := &inbox.Item{ReceivedAt: t0, Gateway: gateway, Verdict: inbox.Accepted, Provider: gateway, Account: account, Via: "signature", Digest: "sha256:" + id + raw,
			Callback: &inbox.Callback{Type: "invoice", ID: id, Key: key, Status: raw,
				Object: &inbox.Object{Kind: "invoice", Key: key, ID: id, Status: status, RawStatus: raw, Amount: amount, Currency: "USD"}}}
		if _, _, err := box.Add(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	add("coinpay24", cp, "ord-1", "11", "paid", "paid", "25")       // 1: taken in
	add("coinpay24", cp, "ord-1", "31", "pending", "pending", "25") // 2: another invoice under ord-1
	add("coinpay24", cp, "ord-2", "12", "paid", "paid", "55")       // 3: differs from the record
	add("coinpay24", cp, "ord-9", "19", "paid", "paid", "5")        // 4: a forgotten record
	add("coinpay24", cp, "ord-7", "17", "paid", "paid", "1")        // 5: a stranger
	add("coinpay24", cp, "ord-3", "13", "pending", "new", "10")     // 6: settles ord-3's doubt
	add("coinilla", cl, "cl-1", "aa", "paid", "paid", "")           // 7: evidence only: no amount
	add("coinpay24", "another-account", "ord-1", "11", "paid", "paid", "25")

	f, err := Fold(ctx, store, box, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Recorded) != 1 || f.Recorded[0].Address != `invoice_batch.shop["ord-1"]` || f.Recorded[0].After != "paid" {
		t.Errorf("recorded: %+v", f.Recorded)
	}
	if len(f.Settled) != 1 || f.Settled[0].Address != `invoice_batch.shop["ord-3"]` || f.Settled[0].Outcome != state.OutcomeAdopted {
		t.Errorf("settled: %+v", f.Settled)
	}
	want := map[uint64]string{
		2: "another object under its key: id 31",
		3: "differs from the record: amount 55, declared 50",
		4: "no longer managed",
		5: "no record in the state has key \"ord-7\"",
		7: "does not prove the amount: if it is the object, settle it with payform state resolve 'invoice_batch.cl[\"cl-1\"]' --id aa",
		8: "no provider block of the configuration names now",
	}
	got := map[uint64]string{}
	for _, ap := range f.Apart {
		got[ap.Inbox] = ap.Why
	}
	for seq, w := range want {
		if !strings.Contains(got[seq], w) {
			t.Errorf("item %d kept apart as %q, want it to say %q", seq, got[seq], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("kept apart: %v", got)
	}
	st := store.State()
	if r := st.Resource(`invoice_batch.shop["ord-2"]`); r.Status != "paid" {
		t.Errorf("ord-2 changed: %+v", r)
	}
	if r := st.Resource(`invoice_batch.shop["ord-3"]`); r.InDoubt() || r.ID != "13" {
		t.Errorf("ord-3: %+v", r)
	}
	if r := st.Resource(`invoice_batch.cl["cl-1"]`); !r.InDoubt() {
		t.Errorf("cl-1 settled by a callback that proves no amount: %+v", r)
	}
	notes, _ := box.Notes(ctx)
	if !strings.HasPrefix(notes[2], "kept apart: another object") || notes[1] != "" {
		t.Errorf("notes: %v", notes)
	}
}

package policy

import (
	"context"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/state"
)

// TestSentFromState: the rolling windows count what a real journal
// records: settled and in-doubt sends, forgotten ones too, but not a
// create the gateway refused.
func TestSentFromState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "payform.state.json")
	store, err := state.Open(context.Background(), &state.Local{Path: path}, state.Options{Operation: "test", Actor: "tester", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	payout := func(amount string) *state.Declared {
		return &state.Declared{Kind: "payout", Gateway: "wllxpay", Amount: amount, Currency: "BTC", Attrs: map[string]string{"address": "x"}}
	}
	at := func(d time.Duration) time.Time { return t0.Add(-d) }
	for _, e := range []*state.Entry{ // in time order, as a journal is
		{At: at(50 * time.Hour), Op: state.OpAdopt, Address: "payout.forgotten", Provider: "wllxpay", Key: "forgotten", Object: payout("4"),
			Result: &state.Result{Outcome: state.OutcomeAdopted, ID: "4", Status: "confirmed"}},
		{At: at(3 * time.Hour), Op: state.OpAdopt, Address: "payout.settled", Provider: "wllxpay", Key: "settled", Object: payout("1"),
			Result: &state.Result{Outcome: state.OutcomeAdopted, ID: "1", Status: "submitted"}},
		{At: at(2 * time.Hour), Op: state.OpApply, PlanID: "p-1"},
		{At: at(2 * time.Hour), Op: state.OpIntent, PlanID: "p-1", Address: "payout.in-doubt", Provider: "wllxpay.eu", Key: "in-doubt", Object: payout("2")},
		{At: at(time.Hour), Op: state.OpIntent, PlanID: "p-1", Address: "payout.refused", Provider: "wllxpay", Key: "refused", Object: payout("100")},
		{At: at(time.Hour), Op: state.OpOutcome, PlanID: "p-1", Address: "payout.refused", Provider: "wllxpay", Key: "refused", Result: &state.Result{Outcome: state.OutcomeRejected, Error: "not enough balance"}},
		{At: at(time.Hour), Op: state.OpAdopt, Address: `deposit_address_pool.p["c/BTC"]`, Provider: "wllxpay", Key: "c",
			Object: &state.Declared{Kind: "deposit_address", Gateway: "wllxpay", Currency: "BTC"}, Result: &state.Result{Outcome: state.OutcomeAdopted, ID: "9", Status: "active"}},
		{At: at(40 * time.Minute), Op: state.OpForget, Address: "payout.forgotten", Provider: "wllxpay", Key: "forgotten"},
	} {
		if err := store.Record(e, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	store, err = state.Open(context.Background(), &state.Local{Path: path}, state.Options{NoLock: true})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	st := store.State()

	got := SentFromState(st, map[providers.Kind]bool{providers.Payout: true})
	sort.Slice(got, func(i, j int) bool { return got[i].Key < got[j].Key })
	want := []Sent{
		{Provider: "wllxpay", Gateway: "wllxpay", Kind: providers.Payout, Key: "forgotten", Amount: dec("4"), Currency: "BTC", At: at(50 * time.Hour)},
		{Provider: "wllxpay.eu", Gateway: "wllxpay", Kind: providers.Payout, Key: "in-doubt", Amount: dec("2"), Currency: "BTC", At: at(2 * time.Hour), InDoubt: true},
		{Provider: "wllxpay", Gateway: "wllxpay", Kind: providers.Payout, Key: "settled", Amount: dec("1"), Currency: "BTC", At: at(3 * time.Hour)},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }), cmpDecimal); diff != "" {
		t.Errorf("SentFromState (-want +got):\n%s", diff)
	}

	// The last 24h hold 1 + 2 BTC (the forgotten send is older): a plan of
	// 2 more is over 4, one of 1 is not.
	cfg := config(t, `policy "velocity" {
  rolling {
    window = "24h"
    limit  = { BTC = "4" }
  }
}
`)
	btc := addr(t, "BTC", "a")
	if r := Evaluate(Input{Config: cfg, Items: []Item{item("wllxpay", "new", "BTC", "2", btc)}, State: st, Now: t0}); !r.Refused() || !r.Verdicts[0].Findings[0].Sent.Equal(dec("3")) {
		t.Errorf("2 more BTC: refused %v, %+v", r.Refused(), r.Verdicts[0].Findings)
	}
	if r := Evaluate(Input{Config: cfg, Items: []Item{item("wllxpay", "new", "BTC", "1", btc)}, State: st, Now: t0}); r.Refused() {
		t.Errorf("1 more BTC: %s", render(t, cfg, r.Diagnostics))
	}
}

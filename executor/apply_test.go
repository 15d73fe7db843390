package executor

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/planner"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/state"
)

// checkExactlyOnce asserts one withdrawal per key at the gateway and a
// settled resource per key in state.
func checkExactlyOnce(t *testing.T, sb *sandbox, st *state.State, n int) {
	t.Helper()
	counts := sb.keyCounts()
	for i := 1; i <= n; i++ {
		if c := counts[fmt.Sprintf("withdrawal po-%d", i)]; c != 1 {
			t.Errorf("po-%d: %d withdrawals at the gateway, want exactly 1", i, c)
		}
		r := st.Resource(fmt.Sprintf(`payout.batch["po-%d"]`, i))
		if r == nil || r.InDoubt() || r.Status != "submitted" {
			t.Errorf("po-%d: state record %+v, want settled", i, r)
		}
	}
	if len(counts) != n {
		t.Errorf("%d keys at the gateway, want %d", len(counts), n)
	}
}

// TestApplyUnderFaults: whatever the gateway does, each key is sent at most
// once, and apply (run until it has nothing left) gets every payout into
// state.
func TestApplyUnderFaults(t *testing.T) {
	for _, faults := range []string{
		"drop-after-commit=0.3,seed=1",
		"fail-before-commit=0.3,seed=2",
		"status-500=0.3,seed=3",
		"status-429=0.3,seed=4",
		"drop-after-commit=0.2,fail-before-commit=0.2,status-500=0.1,status-429=0.1,seed=5",
	} {
		t.Run(faults, func(t *testing.T) {
			n := 40
			sb := newSandbox(t, faults)
			dir := t.TempDir()
			cfg := loadConfig(t, dir, payoutsHCL(sb.endpoint(), n, "0.01"))
			store := openStore(t, filepath.Join(dir, "payform.state.json"))
			provs := openProviders(t, cfg, dir)
			for round := 1; ; round++ {
				p, res := planAndApply(t, cfg, store, provs)
				if !p.HasChanges() {
					break
				}
				if round == 5 {
					t.Fatalf("still changes after %d applies: %+v", round, res.Counts)
				}
			}
			checkExactlyOnce(t, sb, store.State(), n)
			if err := store.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestLatencyBeyondTimeout: every request is answered after the client
// gave up, yet processed. Nothing can be settled while that lasts, and
// nothing is sent twice; once the gateway answers in time, the next apply
// settles every item (the resends meet "already taken").
func TestLatencyBeyondTimeout(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for timeouts")
	}
	sb := newSandbox(t, "latency=1500ms")
	dir := t.TempDir()
	files := payoutsHCL(sb.endpoint(), 6, "0.01")
	files["main.hcl"] = strings.Replace(files["main.hcl"], `timeout    = "2s"`, `timeout    = "1s"`, 1)
	cfg := loadConfig(t, dir, files)
	store := openStore(t, filepath.Join(dir, "payform.state.json"))
	defer store.Close()
	provs := openProviders(t, cfg, dir)
	x := &Executor{Store: store, Providers: provs, Parallelism: 6, Backoff: instant, ResolveAttempts: 2}
	p, diags := planner.MakePlan(cfg, store.State(), nil, planner.Options{PlanID: "slow", Now: time.Now()})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	res, err := x.Apply(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Counts[state.OutcomeInDoubt] != 6 {
		t.Fatalf("outcomes = %v, want all 6 still in doubt", res.Counts)
	}
	time.Sleep(1600 * time.Millisecond) // let the late requests land
	for k, c := range sb.keyCounts() {
		if c != 1 {
			t.Errorf("%s: %d objects while in doubt, want 1", k, c)
		}
	}
	sb.srv.Faults().Set(emulator.Faults{})
	p, res = planAndApply(t, cfg, store, provs)
	if p.Summary.Resolve != 6 || res.Counts[state.OutcomeAdopted] != 6 {
		t.Errorf("settling: plan %+v, outcomes %v; want 6 resolved by adoption", p.Summary, res.Counts)
	}
	checkExactlyOnce(t, sb, store.State(), 6)
}

// TestResolveAfterCrash covers the two crash points a kill can leave: after
// the intent but before the call, and after the call but before the
// outcome. The next apply settles both without a second withdrawal.
func TestResolveAfterCrash(t *testing.T) {
	sb := newSandbox(t, "")
	dir := t.TempDir()
	cfg := loadConfig(t, dir, payoutsHCL(sb.endpoint(), 2, "0.01"))
	store := openStore(t, filepath.Join(dir, "payform.state.json"))
	provs := openProviders(t, cfg, dir)

	p, diags := planner.MakePlan(cfg, store.State(), nil, planner.Options{PlanID: "crashed", Now: time.Now()})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if err := store.Record(&state.Entry{Op: state.OpApply, PlanID: p.PlanID}, true); err != nil {
		t.Fatal(err)
	}
	for _, c := range p.Changes {
		if err := store.Record(&state.Entry{Op: state.OpIntent, PlanID: p.PlanID, Address: c.Address, Provider: c.Provider, Key: c.Key,
			RequestDigest: c.RequestDigest(), Object: c.Declared()}, true); err != nil {
			t.Fatal(err)
		}
		if c.Key == "po-2" { // crashed after the call
			if _, err := provs["wllxpay"].Create(context.Background(), c.Request()); err != nil {
				t.Fatal(err)
			}
		}
	}
	store.Close()
	store = openStore(t, filepath.Join(dir, "payform.state.json"))
	defer store.Close()

	p, res := planAndApply(t, cfg, store, provs)
	if p.Summary.Resolve != 2 {
		t.Fatalf("plan = %+v, want 2 to resolve", p.Summary)
	}
	if res.Counts[state.OutcomeCreated] != 1 || res.Counts[state.OutcomeAdopted] != 1 {
		t.Errorf("outcomes = %v, want 1 created (po-1 never sent) and 1 adopted (po-2 had landed)", res.Counts)
	}
	checkExactlyOnce(t, sb, store.State(), 2)
}

// TestRejectedIsNotReserved: a refused payout leaves nothing behind, so the
// next apply (after the balance is topped up) sends it.
func TestRejectedIsNotReserved(t *testing.T) {
	sb := newSandbox(t, "")
	setBalance(t, sb, "BTC", "0.015")
	dir := t.TempDir()
	cfg := loadConfig(t, dir, payoutsHCL(sb.endpoint(), 2, "0.01"))
	store := openStore(t, filepath.Join(dir, "payform.state.json"))
	defer store.Close()
	provs := openProviders(t, cfg, dir)

	_, res := planAndApply(t, cfg, store, provs)
	if res.Counts[state.OutcomeCreated] != 1 || res.Counts[state.OutcomeRejected] != 1 || len(res.Failures) != 1 {
		t.Fatalf("outcomes = %v, failures %+v", res.Counts, res.Failures)
	}
	f := res.Failures[0]
	if !strings.Contains(f.Message, "Not enough amount") || !strings.Contains(f.Message, "not_enough_balance") {
		t.Errorf("failure message %q does not carry the gateway's words", f.Message)
	}
	rejected := store.State().Resource(f.Address)
	if rejected != nil {
		t.Errorf("rejected payout is in state: %+v", rejected)
	}
	setBalance(t, sb, "BTC", "1")
	p, res := planAndApply(t, cfg, store, provs)
	if p.Summary.Create != 1 || res.Counts[state.OutcomeCreated] != 1 {
		t.Errorf("second apply: plan %+v, outcomes %v", p.Summary, res.Counts)
	}
	checkExactlyOnce(t, sb, store.State(), 2)
}

// TestDuplicateBeforeFirstSend: a key the gateway already has is adopted,
// never sent as a second withdrawal.
func TestDuplicateBeforeFirstSend(t *testing.T) {
	sb := newSandbox(t, "")
	dir := t.TempDir()
	cfg := loadConfig(t, dir, payoutsHCL(sb.endpoint(), 1, "0.01"))
	provs := openProviders(t, cfg, dir)
	if _, err := provs["wllxpay"].Create(context.Background(), providers.Request{
		Kind: providers.Payout, Key: "po-1", Amount: decimal.RequireFromString("0.01"), Currency: "BTC", Address: btcAddr(1),
	}); err != nil {
		t.Fatal(err)
	}
	store := openStore(t, filepath.Join(dir, "payform.state.json"))
	defer store.Close()
	_, res := planAndApply(t, cfg, store, provs)
	if res.Counts[state.OutcomeAdopted] != 1 {
		t.Fatalf("outcomes = %v, want adopted", res.Counts)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0].Message, "which this state never sent") {
		t.Errorf("warnings = %+v, want one about the unverified adoption", res.Warnings)
	}
	r := store.State().Resource(`payout.batch["po-1"]`)
	if r == nil || !strings.Contains(r.Note, "adopted without sending") {
		t.Errorf("record = %+v", r)
	}
	checkExactlyOnce(t, sb, store.State(), 1)
}

// TestInterrupt: Ctrl-C stops new work; what started is recorded; the next
// apply finishes the batch.
func TestInterrupt(t *testing.T) {
	sb := newSandbox(t, "latency=20ms")
	dir := t.TempDir()
	cfg := loadConfig(t, dir, payoutsHCL(sb.endpoint(), 60, "0.01"))
	store := openStore(t, filepath.Join(dir, "payform.state.json"))
	provs := openProviders(t, cfg, dir)
	p, diags := planner.MakePlan(cfg, store.State(), nil, planner.Options{PlanID: "p", Now: time.Now()})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	ctx, cancel := context.WithCancel(context.Background())
	hooks := &cancelAfter{cancel: cancel}
	hooks.n.Store(10)
	x := &Executor{Store: store, Providers: provs, Parallelism: 4, Backoff: instant, Hooks: hooks}
	res, err := x.Apply(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted || res.NotStarted == 0 {
		t.Fatalf("result = %+v, want interrupted with work not started", res)
	}
	done := res.Counts[state.OutcomeCreated] + res.Counts[state.OutcomeNotCreated]
	if done+res.NotStarted != 60 {
		t.Errorf("created/not-made %d + not started %d != 60 (%v)", done, res.NotStarted, res.Counts)
	}
	store.Close()
	store = openStore(t, filepath.Join(dir, "payform.state.json"))
	defer store.Close()
	planAndApply(t, cfg, store, provs)
	checkExactlyOnce(t, sb, store.State(), 60)
}

// cancelAfter cancels apply after n items finished.
type cancelAfter struct {
	n      atomic.Int32
	cancel func()
}

func (*cancelAfter) Started(int) {}
func (c *cancelAfter) Finished(*planner.Change, ItemResult) {
	if c.n.Add(-1) <= 0 {
		c.cancel()
	}
}

func setBalance(t *testing.T, sb *sandbox, currency, amount string) {
	setBalanceTB(t, sb, currency, amount)
}

func setBalanceTB(t testing.TB, sb *sandbox, currency, amount string) {
	t.Helper()
	body := fmt.Sprintf(`{%q:%q}`, currency, amount)
	req, _ := http.NewRequest(http.MethodPut, sb.URL+"/_sandbox/wllxpay/balances", bytes.NewBufferString(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("set balance: HTTP %d", resp.StatusCode)
	}
}

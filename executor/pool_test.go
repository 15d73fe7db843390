package executor

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/planner"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/state"
)

func poolHCL(endpoint, name, ids string) map[string]string {
	return map[string]string{"main.hcl": `
provider "wllxpay" {
  endpoint   = "` + endpoint + `"
  api_key    = "wllxpay-test-key"
  secret_key = "wllxpay-test-secret"
  timeout    = "2s"
}
deposit_address_pool "` + name + `" {
  currencies  = ["BTC", "XRP"]
  foreign_ids = ` + ids + `
}
`}
}

func steps(p *planner.Plan) []step {
	out := []step{}
	for _, c := range p.Changes {
		out = append(out, step{c.Address, c.Action})
	}
	return out
}

// addresses returns each managed pair's deposit address and tag.
func addresses(st *state.State) map[string]string {
	out := map[string]string{}
	for _, r := range st.List() {
		if r.Kind == string(providers.DepositAddress) {
			out[r.Address] = r.Remote["address"] + " " + r.Remote["tag"]
		}
	}
	return out
}

// TestPoolLifecycle: takes only what is missing; a removed customer's
// addresses are forgotten and come back unchanged, with no call, when the
// customer returns; renaming the pool moves the records, again with no
// call.
func TestPoolLifecycle(t *testing.T) {
	sb := newSandbox(t, "")
	dir := t.TempDir()
	store := openStore(t, filepath.Join(dir, "payform.state.json"))
	defer store.Close()
	apply := func(name, ids string) *planner.Plan {
		cfg := loadConfig(t, dir, poolHCL(sb.endpoint(), name, ids))
		p, _ := planAndApply(t, cfg, store, openProviders(t, cfg, dir))
		return p
	}
	takes := func() int { return len(sb.srv.Ledger()) }

	p := apply("customers", `["c1", "c2", "c3"]`)
	if p.Summary.Create != 6 || takes() != 6 {
		t.Fatalf("first apply: %+v, %d takes; want 6", p.Summary, takes())
	}
	first := addresses(store.State())
	if p := apply("customers", `["c1", "c2", "c3"]`); p.HasChanges() {
		t.Errorf("second apply changed something: %+v", steps(p))
	}
	p = apply("customers", `["c1", "c3"]`)
	want := []step{{`deposit_address_pool.customers["c2/BTC"]`, planner.Forget}, {`deposit_address_pool.customers["c2/XRP"]`, planner.Forget}}
	if diff := cmp.Diff(want, steps(p)); diff != "" {
		t.Errorf("removing c2 (-want +got):\n%s", diff)
	}
	p = apply("customers", `["c1", "c2", "c3", "c4"]`)
	if p.Summary.Restore != 2 || p.Summary.Create != 2 || takes() != 8 {
		t.Errorf("re-adding c2 and adding c4: %+v, %d takes; want 2 restores, 2 takes, 8 in all", p.Summary, takes())
	}
	got := addresses(store.State())
	for addr, a := range first {
		if got[addr] != a {
			t.Errorf("%s: %q after re-adding, was %q", addr, got[addr], a)
		}
	}
	// Rename the pool: every pair moves with its address, no call.
	p = apply("clients", `["c1", "c2", "c3", "c4"]`)
	if p.Summary.Restore != 8 || p.Summary.Forget != 8 || p.Summary.Create != 0 || takes() != 8 {
		t.Errorf("renaming: %+v, %d takes; want 8 forgets and 8 restores, no take", p.Summary, takes())
	}
	if a := addresses(store.State())[`deposit_address_pool.clients["c2/XRP"]`]; a != first[`deposit_address_pool.customers["c2/XRP"]`] {
		t.Errorf("after renaming, c2/XRP is %q, want %q", a, first[`deposit_address_pool.customers["c2/XRP"]`])
	}
	if p := apply("clients", `["c1", "c2", "c3", "c4"]`); p.HasChanges() {
		t.Errorf("after renaming, changes: %+v", steps(p))
	}
}

// TestPoolTakeInDoubt: a take whose answer was cut is taken again; the
// attempt in doubt is recorded as superseded beside the resource, which
// keeps one managed address.
func TestPoolTakeInDoubt(t *testing.T) {
	sb := newSandbox(t, "drop-after-commit=1")
	dir := t.TempDir()
	store := openStore(t, filepath.Join(dir, "payform.state.json"))
	defer store.Close()
	cfg := loadConfig(t, dir, poolHCL(sb.endpoint(), "customers", `["c1"]`))
	provs := openProviders(t, cfg, dir)
	x := &Executor{Store: store, Providers: provs, Parallelism: 2, Backoff: instant, ResolveAttempts: 2}
	p, diags := planner.MakePlan(cfg, store.State(), nil, planner.Options{PlanID: "p1", Now: t0})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if _, err := x.Apply(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	r := store.State().Resource(`deposit_address_pool.customers["c1/BTC"]`)
	if r == nil || !r.InDoubt() || len(r.Superseded) != 2 {
		t.Fatalf("while every answer is cut: %+v; want in doubt with 2 superseded attempts", r)
	}
	sb.srv.Faults().Set(emulator.Faults{})
	p2, res := planAndApply(t, cfg, store, provs)
	if p2.Summary.Resolve != 2 || res.Counts[state.OutcomeCreated] != 2 {
		t.Fatalf("settling: %+v %v", p2.Summary, res.Counts)
	}
	r = store.State().Resource(`deposit_address_pool.customers["c1/BTC"]`)
	if r.InDoubt() || r.Remote["address"] == "" || len(r.Superseded) != 3 {
		t.Errorf("settled: %+v; want an address and 3 superseded attempts", r)
	}
	n := 0
	for _, o := range sb.srv.Ledger() {
		if o.Key == "c1/BTC" {
			n++
		}
	}
	if n != 4 || n > 1+len(r.Superseded) {
		t.Errorf("the gateway made %d BTC addresses for c1; want 4 (3 superseded, 1 managed)", n)
	}
}

func TestPoolDuplicatePair(t *testing.T) {
	dir := t.TempDir()
	cfg := loadConfig(t, dir, map[string]string{"main.hcl": sandboxProvider + `
deposit_address_pool "a" {
  currencies  = ["BTC"]
  foreign_ids = ["c1", "c2"]
}
`})
	if len(cfg.Resources) != 2 {
		t.Fatalf("resources = %d", len(cfg.Resources))
	}
	_, diags := loadConfigDiags(t, t.TempDir(), sandboxProvider+`
deposit_address_pool "a" {
  currencies  = ["BTC"]
  foreign_ids = ["c1"]
}
deposit_address_pool "b" {
  currencies  = ["BTC", "ETH"]
  foreign_ids = ["c1"]
}
`)
	if !diags.HasErrors() || diags[0].Summary != "Duplicate customer and currency" {
		t.Errorf("diags = %v", diags)
	}
}

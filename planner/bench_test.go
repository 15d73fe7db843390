package planner

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/wllxpay"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// BenchmarkPlan measures what `payform plan` does for a CSV batch:
// loading the configuration (HCL, csvdecode, for_each, validation of every
// amount and address) and planning, without refresh or rendering.
// DESIGN §12: 100,000 payouts in ≤ 5 s, with an empty state and with all of
// them already in state.
func BenchmarkPlan(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		dir := b.TempDir()
		loadConfig(b, dir, payoutsHCL("", n, "0.001"))
		load := func() *schema.Config {
			cfg, diags := schema.Load(schema.Options{Dir: dir, Gateways: []providers.Gateway{wllxpay.Gateway}})
			if diags.HasErrors() {
				b.Fatal(diags)
			}
			return cfg
		}
		b.Run(fmt.Sprintf("empty-state/%d", n), func(b *testing.B) {
			st := state.New("bench", "bench")
			b.ReportAllocs()
			for b.Loop() {
				p, diags := MakePlan(load(), st, nil, Options{PlanID: "p", Now: t0})
				if diags.HasErrors() || p.Summary.Create != n {
					b.Fatalf("plan: %v, %+v", diags, p.Summary)
				}
			}
		})
		b.Run(fmt.Sprintf("all-in-state/%d", n), func(b *testing.B) {
			st := fullState(b, load(), filepath.Join(b.TempDir(), "s.json"))
			b.ReportAllocs()
			for b.Loop() {
				p, diags := MakePlan(load(), st, nil, Options{PlanID: "p", Now: t0})
				if diags.HasErrors() || p.HasChanges() || p.Summary.NoOp != n {
					b.Fatalf("plan: %v, %+v", diags, p.Summary)
				}
			}
		})
	}
}

// fullState records every declared payout as sent and returns the state
// as loaded back from disk.
func fullState(b *testing.B, cfg *schema.Config, path string) *state.State {
	store := openStore(b, path)
	for _, r := range cfg.Resources {
		c := NewChange(r, Create)
		if err := store.Record(&state.Entry{Op: state.OpAdopt, Address: c.Address, Provider: c.Provider, Key: c.Key,
			Object: c.Declared(), Result: &state.Result{Outcome: state.OutcomeAdopted, ID: c.Key, Status: "submitted"}}, false); err != nil {
			b.Fatal(err)
		}
	}
	if err := store.Close(); err != nil {
		b.Fatal(err)
	}
	store = openStore(b, path)
	defer store.Close()
	return store.State()
}

package policy_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/payform/payform/money"
	"github.com/payform/payform/planner"
	"github.com/payform/payform/policy"
	"github.com/payform/payform/providers/gateways"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// planPolicy is a treasury policy a batch of 0.001 BTC payouts passes
// with approvals: limits, two rolling windows, a screening list of 1,000
// addresses and approvals always. Its address book (allow) is added by
// the "book" variant.
const planPolicy = `
policy "treasury" {
  per_item   = { BTC = "0.01" }
  per_plan   = { BTC = "1000" }
  over_limit = "approve"
  rolling {
    window = "24h"
    limit  = { BTC = "1000" }
  }
  rolling {
    window = "7d"
    limit  = { BTC = "5000" }
  }
  destinations {
    %s
    deny = "screening.csv"
  }
  approvals {
    signers  = "allowed_signers"
    required = 2
    always   = true
  }
}
`

// BenchmarkPlanWithPolicies is planner's BenchmarkPlan (loading a CSV
// batch and planning it against an empty state) with policies, for the
// overhead issue 13 bounds at 10%: "none" has no policy (the baseline),
// "policy" adds planPolicy, "book" also an address book of 90% of the
// destinations. Each run loads, plans, makes the items from the plan's
// creates and evaluates them.
func BenchmarkPlanWithPolicies(b *testing.B) {
	const n = 100_000
	for _, variant := range []string{"none", "policy", "book"} {
		dir := planFiles(b, n, variant)
		b.Run(fmt.Sprintf("%s/%d", variant, n), func(b *testing.B) {
			st := state.New("bench", "bench")
			now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				cfg, diags := schema.Load(schema.Options{Dir: dir, Gateways: gateways.All()})
				if diags.HasErrors() {
					b.Fatal(diags)
				}
				p, diags := planner.MakePlan(cfg, st, nil, planner.Options{PlanID: "p", Now: now})
				if diags.HasErrors() || p.Summary.Create != n {
					b.Fatalf("plan: %v", diags)
				}
				if variant == "none" {
					continue
				}
				byAddr := make(map[string]*schema.Resource, len(cfg.Resources))
				for _, r := range cfg.Resources {
					byAddr[r.Addr.String()] = r
				}
				items := make([]policy.Item, 0, len(p.Changes))
				for _, c := range p.Changes {
					if c.Action == planner.Create {
						items = append(items, policy.ItemOf(byAddr[c.Address]))
					}
				}
				r := policy.Evaluate(policy.Input{Config: cfg, Items: items, State: st, Now: now})
				if r.Refused() || len(r.Approvals) != 1 {
					b.Fatalf("refused %v, approvals %v", r.Refused(), r.Approvals)
				}
			}
			reportCPU(b, cpu0)
		})
	}
}

func planFiles(b *testing.B, n int, variant string) string {
	b.Helper()
	dir := b.TempDir()
	var payouts, book, sdn strings.Builder
	payouts.WriteString("foreign_id,amount,address\n")
	for i := 1; i <= n; i++ {
		a, err := money.GenerateAddress("BTC", fmt.Appendf(nil, "bench/%d", i))
		if err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(&payouts, "po-%d,0.001,%s\n", i, a)
		if i%10 != 0 {
			fmt.Fprintf(&book, "BTC,%s,,vendor %d\n", a, i)
		}
	}
	for i := range 1000 {
		a, _ := money.GenerateAddress("BTC", fmt.Appendf(nil, "screened/%d", i))
		fmt.Fprintf(&sdn, "%s,SDN\n", a)
	}
	main := `provider "wllxpay" { sandbox = true }

payout "batch" {
  for_each   = { for r in csvdecode(file("payouts.csv")) : r.foreign_id => r }
  foreign_id = each.key
  currency   = "BTC"
  amount     = each.value.amount
  address    = each.value.address
}
`
	switch variant {
	case "policy":
		main += fmt.Sprintf(planPolicy, "")
	case "book":
		main += fmt.Sprintf(planPolicy, `allow = "address-book.csv"`)
	}
	files := map[string]string{
		"main.hcl": main, "payouts.csv": payouts.String(), "address-book.csv": book.String(), "screening.csv": sdn.String(),
		"allowed_signers": "alice@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtHtk/ox2aTTGXEnR7YYb5jB0nqZbnazoafbOXVF8oe\n" +
			"bob@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHm6tHxQuMOzv9zOr2tfnc3/FHkVdjp72hrVuYQWHoW9\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// cpuTime is the CPU time the process has used (user and system, every
// thread, the garbage collector's included). On a machine shared with
// other work it is a steadier measure than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per iteration since cpu0.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}

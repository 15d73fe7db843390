package policy_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/payform/payform/money"
	"github.com/payform/payform/planner"
	"github.com/payform/payform/providers/gateways"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// benchVariants selects BenchmarkPlanWithPolicies' variants, e.g. to
// profile one of them: -variants=book -cpuprofile cpu.out.
var benchVariants = flag.String("variants", "none,policy,book", "BenchmarkPlanWithPolicies: the variants to run, in turn")

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
// batch of 100,000 payouts and planning it against an empty state) with
// policies, for the overhead issue 13 bounds at 10% of it. Each iteration
// runs, in turn: the baseline ("none": load and plan, no policy), "policy"
// (planPolicy: load and plan, which evaluates the policy on every
// create) and "book" (the same with an address book of 90% of the
// destinations). Running them interleaved keeps the comparison fair on a
// machine shared with other work; the metrics are each variant's wall
// and CPU time per iteration and the overheads against the baseline.
func BenchmarkPlanWithPolicies(b *testing.B) {
	const n = 100_000
	variants := strings.Split(*benchVariants, ",")
	dirs := map[string]string{}
	for _, v := range variants {
		dirs[v] = planFiles(b, n, v)
	}
	st := state.New("bench", "bench")
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	wall, cpu := map[string]time.Duration{}, map[string]time.Duration{}
	b.ReportAllocs()
	for b.Loop() {
		for _, v := range variants {
			w0, c0 := time.Now(), cpuTime()
			planWithPolicies(b, dirs[v], v, st, now, n)
			wall[v] += time.Since(w0)
			cpu[v] += cpuTime() - c0
		}
	}
	per := func(d time.Duration) float64 { return float64(d) / float64(b.N) / 1e6 }
	for _, v := range variants {
		b.ReportMetric(per(wall[v]), v+"-ms/op")
		b.ReportMetric(per(cpu[v]), v+"-cpu-ms/op")
	}
	for _, v := range variants {
		if v == "none" || wall["none"] == 0 {
			continue
		}
		b.ReportMetric(100*(float64(wall[v])/float64(wall["none"])-1), v+"-overhead-%")
		b.ReportMetric(100*(float64(cpu[v])/float64(cpu["none"])-1), v+"-cpu-overhead-%")
	}
}

func planWithPolicies(b *testing.B, dir, variant string, st *state.State, now time.Time, n int) {
	cfg, diags := schema.Load(schema.Options{Dir: dir, Gateways: gateways.All()})
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	// MakePlan evaluates the policies: one item per create, with the
	// declaration at hand.
	p, diags := planner.MakePlan(cfg, st, nil, planner.Options{PlanID: "p", Now: now})
	if diags.HasErrors() || p.Summary.Create != n {
		b.Fatalf("plan: %v", diags)
	}
	if want := map[bool]int{true: 0, false: 1}[variant == "none"]; len(p.Approvals()) != want {
		b.Fatalf("approvals %v, want %d", p.Approvals(), want)
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

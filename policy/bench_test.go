package policy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers/gateways"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// benchPolicy exercises every rule: per-item, per-plan and rolling limits
// that the batch stays within, an address book holding 90% of the
// destinations (the rest need approval), a screening list of 1,000
// addresses, and approvals always.
const benchPolicy = `
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
    allow   = "address-book.csv"
    deny    = "screening.csv"
    unknown = "approve"
  }
  approvals {
    signers  = "allowed_signers"
    required = 2
    always   = true
  }
}
`

// benchFiles writes a batch of n payouts from a CSV, as planner's
// BenchmarkPlan does, with or without benchPolicy and its lists.
func benchFiles(b *testing.B, n int, withPolicy bool) string {
	b.Helper()
	dir := b.TempDir()
	var payouts, book, sdn strings.Builder
	payouts.WriteString("foreign_id,amount,address\n")
	book.WriteString("currency,address,tag,label\n")
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
	files := map[string]string{"payouts.csv": payouts.String()}
	if withPolicy {
		main += benchPolicy
		files["address-book.csv"] = book.String()
		files["screening.csv"] = sdn.String()
		files["allowed_signers"] = signers
	}
	files["main.hcl"] = main
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

func benchLoad(b *testing.B, dir string) *schema.Config {
	b.Helper()
	cfg, diags := schema.Load(schema.Options{Dir: dir, Gateways: gateways.All()})
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	return cfg
}

// benchState records n earlier payouts, sent in the last 48 hours, for
// the rolling windows to count.
func benchState(b *testing.B, n int) *state.State {
	b.Helper()
	path := filepath.Join(b.TempDir(), "s.json")
	store, err := state.Open(context.Background(), &state.Local{Path: path}, state.Options{Operation: "bench", Actor: "bench", Version: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		e := &state.Entry{At: t0.Add(-48*time.Hour + time.Duration(i)*(48*time.Hour/time.Duration(n))), Op: state.OpAdopt, Address: fmt.Sprintf("payout.last[\"%d\"]", i), Provider: "wllxpay", Key: fmt.Sprintf("last-%d", i),
			Object: &state.Declared{Kind: "payout", Gateway: "wllxpay", Amount: "0.001", Currency: "BTC"},
			Result: &state.Result{Outcome: state.OutcomeAdopted, ID: fmt.Sprint(i), Status: "confirmed"}}
		if err := store.Record(e, false); err != nil {
			b.Fatal(err)
		}
	}
	if err := store.Close(); err != nil {
		b.Fatal(err)
	}
	store, err = state.Open(context.Background(), &state.Local{Path: path}, state.Options{NoLock: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	return store.State()
}

// BenchmarkEvaluate measures evaluating benchPolicy on a batch of n
// payouts against a state of n earlier sends: the items made from the
// configuration, the state's sends read, every rule applied. Target
// (issue 13): at 100,000 payouts, with what BenchmarkLoadPolicy adds to
// loading, at most 10% of planner's BenchmarkPlan/empty-state/100000.
func BenchmarkEvaluate(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		cfg := benchLoad(b, benchFiles(b, n, true))
		st := benchState(b, n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				r := Evaluate(Input{Config: cfg, Items: items(cfg), State: st, Now: t0})
				if r.Refused() || len(r.Approvals) != 1 || r.Sections[0].NewDestinations != n/10 {
					b.Fatalf("refused %v, approvals %v, new destinations %d", r.Refused(), r.Approvals, r.Sections[0].NewDestinations)
				}
			}
			reportCPU(b, cpu0)
		})
	}
}

// BenchmarkLoadPolicy measures what benchPolicy adds to loading the
// configuration: decoding it and reading an address book of 90% of the
// batch and a screening list of 1,000 addresses. Compare with/ and
// without/ at the same n.
func BenchmarkLoadPolicy(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		for _, with := range []bool{false, true} {
			dir := benchFiles(b, n, with)
			name := "without"
			if with {
				name = "with"
			}
			b.Run(fmt.Sprintf("%s/%d", name, n), func(b *testing.B) {
				b.ReportAllocs()
				cpu0 := cpuTime()
				for b.Loop() {
					if cfg := benchLoad(b, dir); len(cfg.Resources) != n {
						b.Fatalf("%d resources", len(cfg.Resources))
					}
				}
				reportCPU(b, cpu0)
			})
		}
	}
}

// cpuTime is the CPU time the process has used (user and system, every
// thread, the garbage collector's included): on a machine shared with
// other work, a steadier measure than the wall clock.
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

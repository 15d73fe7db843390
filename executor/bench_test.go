package executor

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/payform/payform/planner"
	"github.com/payform/payform/state"
)

// BenchmarkApply measures apply against a loopback sandbox over HTTP with
// the journal fsynced before every call. DESIGN §12: ≥ 1,000 payouts/s at
// 10,000 payouts.
func BenchmarkApply(b *testing.B) {
	const n = 10_000
	for b.Loop() {
		b.StopTimer()
		sb := newSandbox(b, "")
		setBalanceTB(b, sb, "BTC", "100000")
		dir := b.TempDir()
		cfg := loadConfig(b, dir, payoutsHCL(sb.endpoint(), n, "0.001"))
		store := openStore(b, filepath.Join(dir, "payform.state.json"))
		provs := openProviders(b, cfg, dir)
		p, diags := planner.MakePlan(cfg, store.State(), nil, planner.Options{PlanID: "bench", Now: time.Now()})
		if diags.HasErrors() {
			b.Fatal(diags)
		}
		x := &Executor{Store: store, Providers: provs, Parallelism: 10, Backoff: instant}
		b.StartTimer()
		start := time.Now()
		res, err := x.Apply(context.Background(), p)
		if err != nil || res.Counts[state.OutcomeCreated] != n {
			b.Fatalf("apply: %v %v", err, res.Counts)
		}
		if err := store.Close(); err != nil { // final fsync and snapshot
			b.Fatal(err)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "payouts/s")
	}
}

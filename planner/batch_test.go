package planner

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestWriteBatch writes, with PAYFORM_WRITE_BATCH=DIR, the batch
// BenchmarkPlan plans (PAYFORM_BATCH_N payouts from a CSV, 1,000,000 by
// default) into DIR, and with PAYFORM_BATCH_STATE=1 a local state holding
// every one of them, confirmed: what docs/performance.md times
// `payform plan` on, end to end. It checks that the batch loads whole
// and, with the state, that nothing is left to plan.
func TestWriteBatch(t *testing.T) {
	dir := os.Getenv("PAYFORM_WRITE_BATCH")
	if dir == "" {
		t.Skip("set PAYFORM_WRITE_BATCH=DIR to write a batch for timing payform plan")
	}
	n := 1_000_000
	if s := os.Getenv("PAYFORM_BATCH_N"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n <= 0 {
			t.Fatalf("PAYFORM_BATCH_N=%q is not a positive number", s)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := loadConfig(t, dir, payoutsHCL("", n, "0.001"))
	if len(cfg.Resources) != n {
		t.Fatalf("the batch declares %d payouts, want %d", len(cfg.Resources), n)
	}
	if os.Getenv("PAYFORM_BATCH_STATE") != "1" {
		return
	}
	path := filepath.Join(dir, "payform.state.json")
	store := openStore(t, path)
	for _, r := range cfg.Resources {
		if err := store.Record(adoption(NewChange(r, Create), "confirmed"), false); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	store = openStore(t, path)
	defer store.Close()
	p, diags := MakePlan(cfg, store.State(), nil, Options{PlanID: "p", Now: t0})
	if diags.HasErrors() || p.HasChanges() || p.Summary.NoOp != n {
		t.Fatalf("plan against the state: %v, %+v", diags, p.Summary)
	}
}

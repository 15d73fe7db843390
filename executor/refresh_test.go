package executor

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/payform/payform/planner"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/state"
)

// countHooks counts what a refresh reports.
type countHooks struct {
	mu       sync.Mutex
	started  int
	read     int
	notRead  int
	statuses map[string]string
}

func (h *countHooks) Started(n int) { h.mu.Lock(); h.started = n; h.mu.Unlock() }
func (h *countHooks) Finished(c *planner.Change, r ItemResult) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.statuses == nil {
		h.statuses = map[string]string{}
	}
	if r.Outcome == state.OutcomeRefreshed {
		h.read++
		h.statuses[c.Address] = r.Status
	} else {
		h.notRead++
	}
}

func TestRefreshReadsInParallelAndTallies(t *testing.T) {
	ctx := context.Background()
	w := newCallbackWorld(t, 6, true)
	store := openStore(t, filepath.Join(w.dir, "payform.state.json"))
	defer store.Close()
	planAndApply(t, w.cfg, store, w.provs)
	w.force("po-3", "error")
	w.force("po-4", "cancelled")

	h := &countHooks{}
	obs, rep, diags := RefreshWith(ctx, w.cfg, store.State(), w.provs, RefreshOptions{Parallelism: 4, Hooks: h})
	if diags.HasErrors() || rep.Asked != 6 || rep.Read != 6 || len(rep.NotRead) != 0 || len(rep.Unreadable) != 0 {
		t.Fatalf("refresh: %+v %v", rep, diags)
	}
	if h.started != 6 || h.read != 6 || h.statuses[`payout.batch["po-3"]`] != "failed" || h.statuses[`payout.batch["po-4"]`] != "cancelled" {
		t.Errorf("hooks: %+v", h)
	}
	// Both paths agree: the v2 lookup says failed for the error (as the
	// callback does), cancelled for the cancellation.
	if o := obs.Current[`payout.batch["po-3"]`]; o.Status != providers.StatusFailed || o.Fields["error"] == "" {
		t.Errorf("po-3 read as %+v", o)
	}
	got := []string{}
	for _, row := range Tally(store.State(), obs, nil) {
		got = append(got, fmt.Sprintf("%s %s %d %s", row.Kind, row.Status, row.Count, row.Amounts[0].Amount))
	}
	want := "payout failed 1 0.25|payout cancelled 1 0.25|payout submitted 4 1"
	if strings.Join(got, "|") != want {
		t.Errorf("tally:\n got %s\nwant %s", strings.Join(got, "|"), want)
	}

	// --target narrows it: one record asked for, one tallied.
	_, rep, _ = RefreshWith(ctx, w.cfg, store.State(), w.provs, RefreshOptions{Parallelism: 4, Targets: []string{`payout.batch["po-3"]`}})
	if rep.Asked != 1 || rep.Read != 1 {
		t.Errorf("targeted refresh asked %d, read %d, want 1 and 1", rep.Asked, rep.Read)
	}
	if rows := Tally(store.State(), obs, []string{`payout.batch["po-3"]`}); len(rows) != 1 || rows[0].Count != 1 {
		t.Errorf("targeted tally: %+v", rows)
	}

	// Interrupted: no new call starts; what was not read is not read.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, rep, _ = RefreshWith(cctx, w.cfg, store.State(), w.provs, RefreshOptions{Parallelism: 4})
	if rep.Read == 6 {
		t.Errorf("a refresh cancelled before it began read everything: %+v", rep)
	}
}

func TestRefreshSaysWhatCannotBeRead(t *testing.T) {
	w := newCallbackWorld(t, 3, false) // no v2_lookup: WllxPay cannot read a withdrawal back
	store := openStore(t, filepath.Join(w.dir, "payform.state.json"))
	defer store.Close()
	planAndApply(t, w.cfg, store, w.provs)
	_, rep, _ := RefreshWith(context.Background(), w.cfg, store.State(), w.provs, RefreshOptions{Parallelism: 4})
	if rep.Asked != 0 || len(rep.Unreadable) != 3 || !strings.Contains(rep.Unreadable[0].Why, "cannot read a withdrawal back") {
		t.Fatalf("refresh without v2: %+v", rep)
	}
}

// BenchmarkRefresh5000: 5,000 submitted payouts read back through
// WllxPay's v2 lookup, 20 ms of latency on every request, at
// --parallelism 10 (target: ≤ 12 s; one at a time it is 100 s).
func BenchmarkRefresh5000(b *testing.B) {
	w := newWorld(b, 5000, true, false)
	store := openStore(b, filepath.Join(w.dir, "payform.state.json"))
	defer store.Close()
	if _, res := planAndApply(b, w.cfg, store, w.provs); res.Counts[state.OutcomeCreated] != 5000 {
		b.Fatalf("apply: %v", res.Counts)
	}
	w.emu.Faults().Set(emulator.Faults{Latency: 20 * 1e6})
	var calls atomic.Int64
	b.ResetTimer()
	for range b.N {
		_, rep, diags := RefreshWith(context.Background(), w.cfg, store.State(), w.provs, RefreshOptions{Parallelism: 10})
		if diags.HasErrors() || rep.Read != 5000 {
			b.Fatalf("read %d of 5000: %v", rep.Read, diags)
		}
		calls.Add(int64(rep.Asked))
	}
	b.ReportMetric(float64(calls.Load())/b.Elapsed().Seconds(), "reads/s")
}

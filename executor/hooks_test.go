package executor

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/payform/payform/planner"
)

// starts records Starting and Finished per address.
type starts struct {
	mu       sync.Mutex
	started  map[string]int
	finished map[string]int
	early    []string // finished before they started
}

func (*starts) Started(int) {}

func (s *starts) Starting(c *planner.Change) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.started[c.Address]++
}

func (s *starts) Finished(c *planner.Change, _ ItemResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started[c.Address] == 0 {
		s.early = append(s.early, c.Address)
	}
	s.finished[c.Address]++
}

// TestItemStarter checks that a Hooks implementing ItemStarter hears every
// item start once, before it finishes: the calls and the forgets alike.
func TestItemStarter(t *testing.T) {
	sb := newSandbox(t, "latency=5ms")
	dir := t.TempDir()
	cfg := loadConfig(t, dir, payoutsHCL(sb.endpoint(), 12, "0.01"))
	store := openStore(t, filepath.Join(dir, "payform.state.json"))
	defer store.Close()
	provs := openProviders(t, cfg, dir)
	planAndApply(t, cfg, store, provs)

	// Now 4 fewer declared: 8 no-ops, 4 forgets, and 3 more to send.
	files := payoutsHCL(sb.endpoint(), 8, "0.01")
	for i := 1; i <= 3; i++ {
		files["main.hcl"] += fmt.Sprintf("payout %q {\n  foreign_id = %q\n  currency   = \"BTC\"\n  amount     = \"0.01\"\n  address    = %q\n}\n", fmt.Sprint("e", i), fmt.Sprint("e-", i), btcAddr(100+i))
	}
	cfg = loadConfig(t, t.TempDir(), files)
	p, diags := planner.MakePlan(cfg, store.State(), nil, planner.Options{PlanID: "p2", Now: time.Now()})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if p.Summary.Create != 3 || p.Summary.Forget != 4 {
		t.Fatalf("summary %+v, want 3 creates and 4 forgets", p.Summary)
	}
	h := &starts{started: map[string]int{}, finished: map[string]int{}}
	x := &Executor{Store: store, Providers: provs, Parallelism: 4, Backoff: instant, Hooks: h}
	if _, err := x.Apply(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if len(h.early) > 0 {
		t.Errorf("finished before starting: %v", h.early)
	}
	if len(h.started) != 7 || len(h.finished) != 7 {
		t.Errorf("%d started, %d finished, want 7 each", len(h.started), len(h.finished))
	}
	for addr, n := range h.started {
		if n != 1 || h.finished[addr] != 1 {
			t.Errorf("%s: started %d, finished %d times", addr, n, h.finished[addr])
		}
	}
}

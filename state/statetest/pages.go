package statetest

import (
	"context"
	"fmt"
	"time"

	"github.com/payform/payform/state"
)

// testPages: 1,500 entries, more than one page of any backend that reads
// in pages, replay after a kill, stream in order through Entries, and
// verify; once closed, the whole history is checked on load.
func testPages(e *env) {
	t, ctx := e.t, context.Background()
	opts := e.options()
	opts.CheckpointEntries, opts.CheckpointEvery = 1<<30, time.Hour
	s := e.storeWith(e.open(nil), opts)
	e.record(s, applyPlan(plan))
	for i := range 1499 {
		if err := s.Record(adopt(fmt.Sprint(i)), i == 1498); err != nil {
			t.Fatal(err)
		}
	}
	live := e.encode(s.State())
	e.s.Kill(t, s)

	s = e.store(e.open(nil))
	if got := e.encode(s.State()); got != live {
		t.Errorf("1,500 entries replayed (-live +replayed):\n%s", diffText(live, got))
	}
	e.close(s)
	var seqs []uint64
	if err := e.open(nil).Entries(ctx, func(en *state.Entry) error { seqs = append(seqs, en.Seq); return nil }); err != nil {
		t.Fatal(err)
	}
	for i, seq := range seqs {
		if seq != uint64(i+1) {
			t.Fatalf("Entries gave entry %d as the %d'th", seq, i+1)
		}
	}
	if len(seqs) != 1500 {
		t.Errorf("Entries gave %d entries, want 1500", len(seqs))
	}
	if rep := e.verify(e.open(nil), nil); rep.Entries != 1500 || rep.Snapshot != 1500 {
		t.Errorf("Verify = %d entries, snapshot at %d; want 1500, 1500", rep.Entries, rep.Snapshot)
	}

	// An entry early in the history, altered: refused by every load even
	// though the snapshot is far past it.
	lines := e.ws.Raw.Journal(t)
	e.ws.Raw.SetJournal(t, replaceIn(2, `"id":"200"`, `"id":"999"`)(e, lines))
	_, _, err := e.open(nil).Load(ctx)
	e.corrupt("load", err, 2)
}

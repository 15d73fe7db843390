package statetest

import (
	"context"
	"errors"
	"fmt"

	"github.com/payform/payform/state"
)

// testCheckpoints: during a long command the snapshot moves forward
// before Close, so that a journal cut at a line boundary before the last
// checkpoint is refused by every load after a crash. A cut after it
// cannot be told from a crash there (the residual risk: entries written
// after the last checkpoint). With a checkpoint every 10 entries, 15
// entries have exactly one (a second one waits until it costs no more
// than a twentieth of the time, which a test cannot fix).
func testCheckpoints(e *env) {
	t, ctx := e.t, context.Background()
	opts := e.options()
	opts.CheckpointEntries = 10
	s := e.storeWith(e.open(nil), opts)
	e.record(s, applyPlan(plan))
	for i := range 14 {
		e.record(s, intent(fmt.Sprint(i)))
	}
	head := decodeSnap(t, e.ws.Raw.Snapshot(t)).JournalSeq
	e.s.Kill(t, s)
	if head != 10 {
		t.Fatalf("the snapshot is at entry %d after 15 entries and a kill; want the checkpoint at 10", head)
	}

	lines := e.ws.Raw.Journal(t)
	refused := 0
	for n := 0; n <= len(lines); n++ {
		e.ws.Raw.SetJournal(t, lines[:n])
		st, _, err := e.open(nil).Load(ctx)
		var ce *state.CorruptError
		switch {
		case uint64(n) < head && !errors.As(err, &ce):
			t.Errorf("the journal cut after %d of %d entries, before the checkpoint at %d: Load = %v, want a *state.CorruptError", n, len(lines), head, err)
		case uint64(n) < head:
			refused++
			if uint64(n) == head-1 {
				e.check("cut before the checkpoint", err)
			}
		case err != nil:
			t.Errorf("the journal cut after %d entries, after the checkpoint at %d: Load = %v", n, head, err)
		case st.JournalSeq != uint64(n):
			t.Errorf("the journal cut after %d entries: loaded up to %d", n, st.JournalSeq)
		}
	}
	t.Logf("checkpoint at entry %d of %d: %d of %d cuts refused; the %d cuts after it are undetectable", head, len(lines), refused, len(lines)+1, len(lines)+1-refused)
}

package statetest

import (
	"context"
	"slices"

	"github.com/payform/payform/state"
)

// testAnchors: audit verify proves the journal still reaches every head
// anchored outside the state (given, and those a HeadKeeper keeps); a
// state rolled back to an older copy, or rewritten consistently with
// every hash recomputed, is refused against the heads, and only against
// them.
func testAnchors(e *env) {
	t, ctx := e.t, context.Background()
	s := e.store(e.open(nil))
	e.record(s, applyPlan(plan), intent("1"), created("1"))
	e.close(s)
	h1 := s.Head()
	oldSnap, oldLines := e.ws.Raw.Snapshot(t), e.ws.Raw.Journal(t)
	s = e.store(e.open(nil))
	e.record(s, intent("2"), created("2"))
	e.close(s)
	h2 := s.Head()
	snap, lines := e.ws.Raw.Snapshot(t), e.ws.Raw.Journal(t)
	if h1.Seq != 3 || h2.Seq != 5 || h2.Hash != decode(t, lines[4]).Hash {
		t.Fatalf("heads %s and %s, want entries 3 and 5", h1, h2)
	}
	if p, err := state.ParseHead(h2.String()); err != nil || p.Seq != h2.Seq || p.Hash != h2.Hash {
		t.Errorf("ParseHead(%s) = %v, %v", h2, p, err)
	}

	b := e.open(nil)
	hk, keeps := b.(state.HeadKeeper)
	if keeps {
		var kept []state.Head
		if err := hk.Heads(ctx, func(h state.Head) error { kept = append(kept, h); return nil }); err != nil {
			t.Fatal(err)
		}
		got := make([]string, len(kept))
		for i, h := range kept {
			got[i] = h.String() + " " + h.Actor
		}
		if want := []string{h1.String() + " tester", h2.String() + " tester"}; !slices.Equal(got, want) {
			t.Errorf("kept heads %q, want %q", got, want)
		}
	}
	rep := e.verify(b, nil, h1, h2)
	if n := len(rep.Anchors); n != 2 && !keeps || n != 4 && keeps {
		t.Errorf("Verify checked %d anchors", n)
	}

	// Rolled back: the state as copied before the second command.
	e.ws.Raw.SetSnapshot(t, oldSnap)
	e.ws.Raw.SetJournal(t, oldLines)
	e.load(e.open(nil)) // a consistent older state: loading cannot tell
	_, err := state.Verify(ctx, e.open(nil), nil, []state.Head{h2})
	e.corrupt("rolled back", err, 5)
	if keeps {
		_, err := state.Verify(ctx, e.open(nil), nil, nil)
		e.corrupt("rolled back, kept heads", err, 5)
	}

	// Rewritten: payout 1's id changed in its entry, every later entry
	// rechained, and the snapshot edited to match, checksum recomputed.
	rewritten := rehashed(3, true)(e, lines)
	e.ws.Raw.SetJournal(t, rewritten)
	e.ws.Raw.SetSnapshot(t, reseal(t, snap, func(s string) string {
		s = replace(t, s, `"id": "101"`, `"id": "999"`)
		return replace(t, s, h2.Hash, decode(t, rewritten[4]).Hash)
	}))
	if !keeps {
		if rep := e.verify(e.open(nil), nil); rep.Entries != 5 {
			t.Errorf("a consistent rewrite without anchors: Verify = %+v", rep)
		}
	} else {
		_, err := state.Verify(ctx, e.open(nil), nil, nil)
		e.corrupt("rewritten, kept heads", err, 3)
	}
	if !keeps { // a keeper's head at entry 3 fails first
		_, err = state.Verify(ctx, e.open(nil), nil, []state.Head{h2})
		e.corrupt("rewritten", err, 5)
	}
	_, err = state.Verify(ctx, e.open(nil), nil, []state.Head{h1, h2})
	e.corrupt("rewritten, two anchors", err, 3)
}

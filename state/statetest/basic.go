package statetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/state"
)

// testRecordCloseLoad: what a command records is, after Close, exactly
// what the next command loads, and exactly the bytes stored.
func testRecordCloseLoad(e *env) {
	t := e.t
	s := e.store(e.open(nil))
	entries := []*state.Entry{
		applyPlan(plan), intent("1"), created("1"), intent("2"),
		intent("3"), rejected("3"), adopt("4"), forget("4"),
	}
	e.record(s, entries...)
	lineage := s.State().Lineage
	e.close(s)
	at := func(seq int) time.Time { return entries[seq-1].At }

	for i, line := range e.ws.Raw.Journal(t) {
		if got := decode(t, line); got.Seq != uint64(i+1) || got.Hash != entries[i].Hash {
			t.Errorf("journal line %d is entry %d %s, want entry %d %s", i+1, got.Seq, got.Hash, i+1, entries[i].Hash)
		}
	}
	if n := len(e.ws.Raw.Journal(t)); n != len(entries) {
		t.Errorf("%d journal lines, want %d", n, len(entries))
	}
	if got, want := string(e.ws.Raw.Snapshot(t)), e.encode(s.State()); got != want {
		t.Errorf("stored snapshot (-memory +stored):\n%s", cmp.Diff(want, got))
	}

	s2 := e.store(e.open(nil))
	defer s2.Close()
	st := s2.State()
	if st.Lineage != lineage || st.Serial != 1 || st.JournalSeq != 8 || st.JournalHash != entries[7].Hash || !st.JournalAt.Equal(entries[7].At) {
		t.Errorf("loaded lineage %s serial %d head %d %s at %s; want %s, 1, 8 %s at %s",
			st.Lineage, st.Serial, st.JournalSeq, st.JournalHash, st.JournalAt, lineage, entries[7].Hash, entries[7].At)
	}
	if st.Run != (state.Run{PlanID: plan, Actor: "tester"}) {
		t.Errorf("run = %+v", st.Run)
	}
	want := []*state.Resource{
		{Address: addr("1"), Kind: "payout", Provider: "wllxpay", Gateway: "wllxpay", Key: "k1", Amount: "1.5", Currency: "BTC",
			Attrs: map[string]string{"address": "bc1q1"}, ID: "101", Status: "submitted", RawStatus: "processing",
			PlanID: plan, CreatedAt: at(2), UpdatedAt: at(3)},
		{Address: addr("2"), Kind: "payout", Provider: "wllxpay", Gateway: "wllxpay", Key: "k2", Amount: "1.5", Currency: "BTC",
			Attrs: map[string]string{"address": "bc1q2"}, Status: "unknown",
			Pending: &state.Pending{Seq: 4, At: at(4), PlanID: plan, Attempts: 1},
			PlanID:  plan, CreatedAt: at(4), UpdatedAt: at(4)},
	}
	if diff := cmp.Diff(want, st.List()); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
	forgotten := []*state.Resource{
		{Address: addr("4"), Kind: "payout", Provider: "wllxpay", Gateway: "wllxpay", Key: "k4", Amount: "1", Currency: "BTC",
			ID: "204", Status: "submitted", CreatedAt: at(7), UpdatedAt: at(8), ForgottenAt: at(8)},
	}
	if diff := cmp.Diff(forgotten, st.ForgottenList()); diff != "" {
		t.Errorf("forgotten (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]state.KeyRef{keyRef("1"), keyRef("2"), keyRef("4")}, st.ReservedKeyList()); diff != "" {
		t.Errorf("reserved keys (-want +got); a rejected key is released:\n%s", diff)
	}
	if diff := cmp.Diff([]string{plan}, st.ConsumedPlans()); diff != "" {
		t.Errorf("consumed plans (-want +got):\n%s", diff)
	}
	if w := s2.Warnings(); len(w) != 0 {
		t.Errorf("warnings %q", w)
	}

	rep := e.verify(e.open(nil), nil)
	if rep.Entries != 8 || rep.Snapshot != 8 || rep.Head != (state.Head{Seq: 8, Hash: entries[7].Hash, At: rep.Head.At}) || !rep.Head.At.Equal(entries[7].At) {
		t.Errorf("Verify = %+v", rep)
	}
}

// testEmptyWorkspace: a workspace without state loads as nothing, says so
// when asked for its snapshot or journal, and a command that records
// nothing leaves nothing behind; Init gives it a lineage.
func testEmptyWorkspace(e *env) {
	t, ctx := e.t, context.Background()
	b := e.open(nil)
	if st, w, err := b.Load(ctx); st != nil || w != nil || err != nil {
		t.Fatalf("Load = %v, %q, %v; want nothing", st, w, err)
	}
	if p, ok := b.(state.Puller); ok {
		_, err := p.Pull(ctx)
		if !errors.Is(err, state.ErrNoState) {
			t.Errorf("Pull = %v, want ErrNoState", err)
		}
		e.check("pull", err)
	}
	err := b.Entries(ctx, func(*state.Entry) error { return nil })
	if !errors.Is(err, state.ErrNoState) {
		t.Errorf("Entries = %v, want ErrNoState", err)
	}
	e.check("entries", err)
	_, err = state.Verify(ctx, b, nil, nil)
	e.check("verify", err)

	s := e.store(b)
	if st := s.State(); st.Lineage != "" || st.Len() != 0 {
		t.Errorf("empty store: lineage %q, %d resources", st.Lineage, st.Len())
	}
	e.close(s)
	if st, _, err := e.open(nil).Load(ctx); st != nil || err != nil {
		t.Fatalf("after a command that recorded nothing: Load = %v, %v", st, err)
	}

	s = e.store(e.open(nil))
	if err := s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	lineage := s.State().Lineage
	e.close(s)
	st := e.load(e.open(nil))
	if st.Lineage != lineage || len(lineage) != 32 || st.JournalSeq != 0 || st.Len() != 0 {
		t.Errorf("after Init: lineage %q (want %q), head %d, %d resources", st.Lineage, lineage, st.JournalSeq, st.Len())
	}
}

// testReplayEqualsLive: a command killed before Close (the snapshot is
// behind its journal) leaves a state that the next load rebuilds, byte
// for byte, as it was in the killed command's memory.
func testReplayEqualsLive(e *env) {
	t := e.t
	s := e.store(e.open(nil))
	e.record(s, applyPlan(plan), intent("1")) // the first snapshot, at entry 0
	e.record(s, created("1"), intent("2"), rejected("2"), forget("1"), intent("3"), adopt("4"),
		settle("3", &state.Result{Outcome: state.OutcomeUnknown, Note: "duplicate without id"}))
	live := e.encode(s.State())
	e.s.Kill(t, s)

	if head := decodeSnap(t, e.ws.Raw.Snapshot(t)).JournalSeq; head != 0 {
		t.Fatalf("the killed command's snapshot is at entry %d, want 0", head)
	}
	s2 := e.store(e.open(nil))
	defer s2.Close()
	if got := e.encode(s2.State()); got != live {
		t.Errorf("replayed state differs (-live +replayed):\n%s", cmp.Diff(live, got))
	}
	if w := s2.Warnings(); len(w) != 0 {
		t.Errorf("warnings %q", w)
	}
	if rep := e.verify(e.open(nil), nil); rep.Entries != 9 || rep.Snapshot != 0 {
		t.Errorf("Verify = %+v, want 9 entries and the snapshot at 0", rep)
	}
}

// testConcurrentRecords: ten workers recording at once (durable intents,
// outcomes without waiting) lose and duplicate nothing.
func testConcurrentRecords(e *env) {
	t := e.t
	s := e.store(e.open(nil))
	e.record(s, applyPlan(plan))
	var wg sync.WaitGroup
	for w := range 10 {
		wg.Go(func() {
			for i := range 50 {
				n := fmt.Sprintf("%d-%d", w, i)
				if err := s.Record(intent(n), true); err != nil {
					t.Error(err)
					return
				}
				if err := s.Record(created(n), false); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	e.close(s)
	if rep := e.verify(e.open(nil), nil); rep.Entries != 1001 {
		t.Errorf("Verify: %d entries, want 1001", rep.Entries)
	}
	st := e.load(e.open(nil))
	if st.Len() != 500 || st.JournalSeq != 1001 {
		t.Errorf("%d resources at entry %d, want 500 at 1001", st.Len(), st.JournalSeq)
	}
	for _, r := range st.List() {
		if r.Pending != nil || r.ID != "10"+strings.TrimSuffix(strings.TrimPrefix(r.Address, `payout.a["`), `"]`) {
			t.Errorf("%s: pending %v, id %s", r.Address, r.Pending, r.ID)
			break
		}
	}
}

// testEntryTooLarge: an entry too large for a journal line is refused
// before anything is written, and the state stays readable.
func testEntryTooLarge(e *env) {
	t := e.t
	s := e.store(e.open(nil))
	e.record(s, applyPlan(plan), intent("1"))
	before := e.ws.Raw.Journal(t)
	big := intent("2")
	big.Object.Attrs["description"] = strings.Repeat("x", 5<<20)
	err := s.Record(big, true)
	var tl *state.EntryTooLargeError
	if !errors.As(err, &tl) {
		t.Fatalf("Record of a 5 MiB entry = %v, want *state.EntryTooLargeError", err)
	}
	e.check("record", err)
	e.record(s, created("1"))
	e.close(s)
	if got := e.ws.Raw.Journal(t); len(got) != len(before)+1 {
		t.Errorf("%d journal lines, want %d: the refused entry was written", len(got), len(before)+1)
	}
	if st := e.load(e.open(nil)); st.JournalSeq != 3 || st.Resource(addr("2")) != nil || st.Reserved(keyRef("2")) {
		t.Errorf("after the refusal: head %d, record %v, reserved %v", st.JournalSeq, st.Resource(addr("2")), st.Reserved(keyRef("2")))
	}
}

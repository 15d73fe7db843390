package statetest

import (
	"context"
	"errors"
	"os"
	"slices"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/state"
)

// testLock: while a command holds the lock, another waits for it and
// fails naming the holder; another workspace is another lock; Ctrl-C
// stops the wait; once released, the lock is free at once, and a waiter
// gets it when the holder ends.
func testLock(e *env) {
	t, ctx := e.t, context.Background()
	holderOpened := e.clock.n + 1 // the clock reading Open takes for the lock info
	s := e.store(e.open(nil))

	start := time.Now()
	opts := e.options()
	opts.Operation, opts.LockTimeout = "plan", 300*time.Millisecond
	_, err := state.Open(ctx, e.open(nil), opts)
	var le *state.LockedError
	if !errors.As(err, &le) {
		t.Fatalf("second Open = %v, want *state.LockedError", err)
	}
	if waited := time.Since(start); waited < 300*time.Millisecond {
		t.Errorf("the second Open returned after %s, before its 300ms timeout", waited)
	}
	want := state.LockInfo{ID: "", Operation: "test", Who: "tester", PID: os.Getpid(), Version: "test", Created: T0.Add(time.Duration(holderOpened) * time.Second)}
	if le.Holder == nil {
		t.Fatal("the LockedError does not name the holder")
	}
	got := *le.Holder
	if len(got.ID) != 32 {
		t.Errorf("holder's lock id %q", got.ID)
	}
	got.ID, got.Created = "", got.Created.UTC()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("holder (-want +got):\n%s", diff)
	}
	e.check("held", err)

	other := e.other("<other>")
	e.close(e.store(other.Open(t, nil))) // another workspace, another lock

	cctx, cancel := context.WithCancel(ctx)
	time.AfterFunc(50*time.Millisecond, cancel)
	start = time.Now()
	opts.LockTimeout = time.Minute
	if _, err := state.Open(cctx, e.open(nil), opts); !errors.Is(err, context.Canceled) || time.Since(start) > 5*time.Second {
		t.Errorf("Open cancelled while waiting = %v after %s, want context.Canceled at once", err, time.Since(start))
	}

	e.close(s)
	opts.LockTimeout = 0
	s2, err := state.Open(ctx, e.open(nil), opts)
	if err != nil {
		t.Fatalf("Open once released = %v", err)
	}
	waiter := make(chan error, 1)
	go func() {
		opts.LockTimeout = 10 * time.Second
		s3, err := state.Open(ctx, e.open(nil), opts)
		if err == nil {
			err = s3.Close()
		}
		waiter <- err
	}()
	time.Sleep(100 * time.Millisecond)
	e.close(s2)
	if err := <-waiter; err != nil {
		t.Errorf("a waiter once the holder closed = %v", err)
	}
}

// testStaleWriter: a writer that loaded the state before another command
// wrote can neither append to the journal nor, where the backend has
// compare-and-swap, write a snapshot; where it has not, the snapshot it
// writes loses no journal entry.
func testStaleWriter(e *env) {
	t, ctx := e.t, context.Background()
	// Loaded an empty workspace, then another command gave it a lineage
	// and entries: opening a journal of a lineage of its own is refused.
	stale := e.open(nil)
	if st, _, err := stale.Load(ctx); st != nil || err != nil {
		t.Fatalf("Load of an empty workspace = %v, %v", st, err)
	}
	s := e.store(e.open(nil))
	e.record(s, applyPlan(plan), intent("1"), created("1"))
	e.close(s)
	lines, snap := e.ws.Raw.Journal(t), e.ws.Raw.Snapshot(t)
	_, err := stale.OpenJournal(ctx, state.New("another-lineage", "test"))
	e.check("open journal of another lineage", err)
	if !slices.EqualFunc(e.ws.Raw.Journal(t), lines, slices.Equal) || string(e.ws.Raw.Snapshot(t)) != string(snap) {
		t.Error("a refused OpenJournal of another lineage changed the state")
	}

	// Loaded, then another command wrote: opening the journal is refused.
	stale = e.open(nil)
	st := e.load(stale)
	s = e.store(e.open(nil))
	e.record(s, intent("2"))
	e.close(s)
	lines = e.ws.Raw.Journal(t)
	_, err = stale.OpenJournal(ctx, st)
	e.check("open journal", err)
	if got := e.ws.Raw.Journal(t); !slices.EqualFunc(got, lines, slices.Equal) {
		t.Errorf("a refused OpenJournal changed the journal: %d lines, want %d", len(got), len(lines))
	}

	// Journal open, then another command wrote: the next write or its
	// sync is refused.
	stale = e.open(nil)
	st = e.load(stale)
	j, err := stale.OpenJournal(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	s = e.store(e.open(nil))
	e.record(s, created("2"))
	e.close(s)
	lines = e.ws.Raw.Journal(t)
	en := intent("3")
	en.At, en.Actor = e.clock.now(), "tester"
	err = j.Write(en)
	if err == nil {
		err = j.Sync(en.Seq)
	}
	e.check("append", err)
	j.Close()
	if got := e.ws.Raw.Journal(t); !slices.EqualFunc(got, lines, slices.Equal) {
		t.Errorf("the stale writer changed the journal: %d lines, want %d", len(got), len(lines))
	}

	// A snapshot written from a stale state.
	stale = e.open(nil)
	st = e.load(stale)
	s = e.store(e.open(nil))
	e.record(s, intent("3"))
	e.close(s)
	snap = e.ws.Raw.Snapshot(t)
	st.Serial++
	err = stale.WriteSnapshot(ctx, st)
	if e.s.Changed == nil {
		if err != nil {
			t.Fatalf("WriteSnapshot (no compare-and-swap) = %v", err)
		}
		if got := e.load(e.open(nil)); got.JournalSeq != 6 || got.Resource(addr("3")) == nil {
			t.Errorf("after a stale snapshot: head %d, %s %v; the journal must still give every entry", got.JournalSeq, addr("3"), got.Resource(addr("3")))
		}
		return
	}
	if !errors.Is(err, e.s.Changed) {
		t.Errorf("stale WriteSnapshot = %v, want %v", err, e.s.Changed)
	}
	e.check("snapshot", err)
	if got := e.ws.Raw.Snapshot(t); string(got) != string(snap) {
		t.Error("the stale writer replaced the snapshot")
	}
}

// testCompareAndSwap: where the backend has it, a snapshot write succeeds
// only on the serial this backend last loaded or wrote, and only one of
// two writers creating a workspace wins.
func testCompareAndSwap(e *env) {
	t, ctx := e.t, context.Background()
	if e.s.Changed == nil {
		t.Skip("the backend has no compare-and-swap: its lock alone keeps writers apart (LostLock)")
	}
	s := e.store(e.open(nil))
	e.record(s, applyPlan(plan), intent("1"))
	e.close(s)
	b1, b2 := e.open(nil), e.open(nil)
	st1, st2 := e.load(b1), e.load(b2)
	for range 2 {
		st1.Serial++
		if err := b1.WriteSnapshot(ctx, st1); err != nil {
			t.Fatalf("the first writer, on its own serial: %v", err)
		}
	}
	st2.Serial++
	err := b2.WriteSnapshot(ctx, st2)
	if !errors.Is(err, e.s.Changed) {
		t.Errorf("the second writer = %v, want %v", err, e.s.Changed)
	}
	e.check("second writer", err)
	if got := decodeSnap(t, e.ws.Raw.Snapshot(t)).Serial; got != 3 {
		t.Errorf("serial %d, want the first writer's 3", got)
	}

	ws := e.other("<new>")
	n1, n2 := ws.Open(t, nil), ws.Open(t, nil)
	for _, b := range []state.Backend{n1, n2} {
		if st, _, err := b.Load(ctx); st != nil || err != nil {
			t.Fatalf("Load of a new workspace = %v, %v", st, err)
		}
	}
	if err := n1.WriteSnapshot(ctx, state.New("lineage-1", "test")); err != nil {
		t.Fatal(err)
	}
	err = n2.WriteSnapshot(ctx, state.New("lineage-2", "test"))
	if !errors.Is(err, e.s.Changed) {
		t.Errorf("the second creator = %v, want %v", err, e.s.Changed)
	}
	e.check("second creator", err)
	if got := decodeSnap(t, ws.Raw.Snapshot(t)).Lineage; got != "lineage-1" {
		t.Errorf("lineage %s, want the first creator's", got)
	}
}

// testLostLock: once a command's lock is taken from under it and another
// command takes the state, the first can write nothing more (no entry,
// no snapshot, no head), the second works on, and no entry is lost or
// duplicated.
func testLostLock(e *env) {
	t := e.t
	s1 := e.store(e.open(nil))
	e.record(s1, applyPlan(plan), intent("1"), created("1"))
	e.s.LoseLock(t, s1)

	s2 := e.store(e.open(nil))
	e.record(s2, intent("2"))
	lines := e.ws.Raw.Journal(t)
	err := s1.Record(intent("3"), true)
	if err == nil || e.s.LostLock != nil && !e.s.LostLock(err) {
		t.Fatalf("a durable Record after the lock was lost = %v", err)
	}
	e.check("durable record", err)
	if got := e.ws.Raw.Journal(t); !slices.EqualFunc(got, lines, slices.Equal) {
		t.Fatalf("the refused Record wrote: %d journal lines, want %d", len(got), len(lines))
	}
	_ = s1.Record(adopt("4"), false) // refused now or at Close: never written
	e.record(s2, created("2"))
	e.close(s2)
	lines, snap := e.ws.Raw.Journal(t), e.ws.Raw.Snapshot(t)
	e.check("close", s1.Close())
	if got := e.ws.Raw.Journal(t); !slices.EqualFunc(got, lines, slices.Equal) {
		t.Errorf("the first command wrote after losing its lock: %d journal lines, want %d", len(got), len(lines))
	}
	if string(e.ws.Raw.Snapshot(t)) != string(snap) {
		t.Error("the first command replaced the snapshot after losing its lock")
	}

	st := e.load(e.open(nil))
	var got []string
	for _, r := range st.List() {
		got = append(got, r.Address+" "+r.ID)
	}
	if diff := cmp.Diff([]string{addr("1") + " 101", addr("2") + " 102"}, got); diff != "" || st.JournalSeq != 5 {
		t.Errorf("head %d; resources (-want +got):\n%s", st.JournalSeq, diff)
	}
	if rep := e.verify(e.open(nil), nil); rep.Entries != 5 {
		t.Errorf("Verify: %d entries, want 5", rep.Entries)
	}
}

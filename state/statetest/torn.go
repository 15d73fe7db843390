package statetest

import (
	"bytes"
	"errors"
	"strings"
)

// testTornTail: a crash in the middle of writing an entry leaves at most
// a part of it, which the next store drops: the entries before it load
// exactly as they were, the next entry follows on from them (the torn
// one's number, chained to the last whole entry), and the journal
// verifies. Local warns that it ignores the torn line and cuts it before
// the next append; on pg nothing of a transaction killed before its
// commit remains, and nothing is said.
func testTornTail(e *env) {
	t := e.t
	if e.s.Tear == nil {
		t.Skip("the backend has no Tear")
	}
	s := e.store(e.open(nil))
	e.record(s, applyPlan(plan), intent("1"), created("1"))
	before := e.encode(s.State())
	warns := e.s.Tear(t, s, intent("2"))

	lines := e.ws.Raw.Journal(t)
	whole := 0
	for _, l := range lines {
		if bytes.HasSuffix(l, []byte("\n")) {
			whole++
		}
	}
	if whole != 3 {
		t.Fatalf("after the torn write the journal holds %d whole lines, want the 3 before it", whole)
	}

	st := e.load(e.open(nil))
	if got := e.encode(st); got != before {
		t.Errorf("the state loaded after a torn write differs from the one before it (-before +loaded):\n%s", diffText(before, got))
	}
	if st.Resource(addr("2")) != nil || st.Reserved(keyRef("2")) {
		t.Errorf("the torn entry's %s is in the loaded state", addr("2"))
	}

	s2 := e.store(e.open(nil))
	switch w := s2.Warnings(); {
	case !warns && len(w) != 0:
		t.Errorf("warnings %q, want none", w)
	case warns && len(w) != 1:
		t.Errorf("warnings %q, want one, of the torn entry", w)
	case warns:
		e.check("the next load's warning", errors.New(w[0]))
	}
	next := intent("2")
	e.record(s2, next)
	if next.Seq != 4 || next.Prev != st.JournalHash {
		t.Errorf("the entry after the torn one is entry %d after %s, want entry 4 after %s", next.Seq, next.Prev, st.JournalHash)
	}
	live := e.encode(s2.State())
	e.close(s2)

	lines = e.ws.Raw.Journal(t)
	if len(lines) != 4 {
		t.Errorf("the journal holds %d lines, want 4", len(lines))
	}
	for i, l := range lines {
		if !bytes.HasSuffix(l, []byte("\n")) || strings.Count(string(l), "\n") != 1 {
			t.Errorf("journal line %d is not one whole line: %q", i+1, l)
		}
	}
	if got := e.encode(e.load(e.open(nil))); got != live {
		t.Errorf("reloaded state differs from the live one (-live +loaded):\n%s", diffText(live, got))
	}
	if rep := e.verify(e.open(nil), nil); rep.Entries != 4 {
		t.Errorf("Verify = %+v, want 4 entries", rep)
	}
}

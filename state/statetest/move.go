package statetest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/payform/payform/state"
)

// LocalFiles is raw access to a Local state at a path: its snapshot file
// and PATH.journal. The suite uses it for the local end of every move;
// Local's own test uses it as its Raw.
type LocalFiles string

func (p LocalFiles) Snapshot(t *testing.T) []byte { return readFile(t, string(p)) }
func (p LocalFiles) Journal(t *testing.T) [][]byte {
	return splitLines(readFile(t, string(p)+".journal"))
}
func (p LocalFiles) SetSnapshot(t *testing.T, data []byte) { writeFile(t, string(p), data) }
func (p LocalFiles) SetJournal(t *testing.T, lines [][]byte) {
	writeFile(t, string(p)+".journal", joinLines(lines))
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// importer returns b as a state.Importer, skipping the test if it is not.
func (e *env) importer(b state.Backend) state.Importer {
	e.t.Helper()
	i, ok := b.(state.Importer)
	if !ok {
		e.t.Skipf("%T is not a state.Importer", b)
	}
	return i
}

// sameBytes checks that two workspaces hold the same snapshot bytes and
// journal lines.
func (e *env) sameBytes(what string, want, got Raw) {
	e.t.Helper()
	if string(want.Snapshot(e.t)) != string(got.Snapshot(e.t)) {
		e.t.Errorf("%s: the snapshot bytes differ", what)
	}
	if w, g := want.Journal(e.t), got.Journal(e.t); !slices.EqualFunc(w, g, slices.Equal) {
		e.t.Errorf("%s: the journal lines differ (%d lines, want %d)", what, len(g), len(w))
	}
}

// testImportRetire: a state moves, byte for byte, into an empty
// workspace of this backend and out to a local one; the workspace it
// left is a tombstone every load refuses, naming where the state went;
// it can move back into its own tombstone, never into another's.
func testImportRetire(e *env) {
	t, ctx := e.t, context.Background()
	src := e.open(nil)
	s := e.store(src)
	e.record(s, applyPlan(plan), intent("1"), created("1"), intent("2"), created("2"), forget("2"))
	e.close(s)
	s = e.store(e.open(nil))
	e.record(s, intent("3")) // killed: the journal runs past the snapshot
	e.s.Kill(t, s)
	want := e.encode(e.load(e.open(nil)))

	dstWS := e.other("<dst>")
	dst := dstWS.Open(t, nil)
	if err := e.importer(dst).Import(ctx, src); err != nil {
		t.Fatalf("Import into an empty workspace: %v", err)
	}
	e.sameBytes("imported", e.ws.Raw, dstWS.Raw)
	if got := e.encode(e.load(dstWS.Open(t, nil))); got != want {
		t.Errorf("the imported state differs (-source +imported):\n%s", diffText(want, got))
	}
	if rep := e.verify(dstWS.Open(t, nil), nil); rep.Entries != 7 {
		t.Errorf("Verify of the imported state: %d entries, want 7", rep.Entries)
	}

	// Out to local files and back into this backend.
	path := filepath.Join(t.TempDir(), "payform.state.json")
	local := &state.Local{Path: path}
	e.label(local, "<local>")
	if err := local.Import(ctx, dst); err != nil {
		t.Fatalf("Import into local files: %v", err)
	}
	e.sameBytes("exported to local files", e.ws.Raw, LocalFiles(path))
	backWS := e.other("<back>")
	if err := e.importer(backWS.Open(t, nil)).Import(ctx, local); err != nil {
		t.Fatalf("Import from local files: %v", err)
	}
	e.sameBytes("imported from local files", e.ws.Raw, backWS.Raw)

	// The state lives on at dst; src becomes a tombstone.
	s = e.store(dstWS.Open(t, nil))
	e.record(s, created("3"))
	e.close(s)
	if rep := e.verify(dstWS.Open(t, nil), nil); rep.Entries != 8 {
		t.Errorf("Verify of the moved state after one more command: %d entries, want 8", rep.Entries)
	}
	r, ok := src.(state.Retirer)
	if !ok {
		t.Skipf("%T is not a state.Retirer", src)
	}
	to := state.MovedTo{Backend: dst.Describe(), At: T0.Add(time.Hour), By: "tester"}
	if err := r.Retire(ctx, to); err != nil {
		t.Fatal(err)
	}
	for what, err := range map[string]error{
		"load":   third(e.open(nil).Load(ctx)),
		"open":   second(state.Open(ctx, e.open(nil), e.options())),
		"verify": second(state.Verify(ctx, e.open(nil), nil, nil)),
	} {
		var me *state.MovedError
		if !errors.As(err, &me) || me.To.Backend != to.Backend || !me.To.At.Equal(to.At) || me.To.By != to.By {
			t.Errorf("%s of a tombstone = %v, want a *state.MovedError naming %s", what, err, to.Backend)
		}
		e.check("tombstone "+what, err)
	}
	if err := e.importer(dst).Import(ctx, src); !isMoved(err) {
		t.Errorf("Import from a tombstone = %v, want a *state.MovedError", err)
	}

	// Back into its own tombstone.
	if err := e.importer(src).Import(ctx, dst); err != nil {
		t.Fatalf("Import back into the state's own tombstone: %v", err)
	}
	e.sameBytes("moved back", dstWS.Raw, e.ws.Raw)
	if st := e.load(e.open(nil)); st.JournalSeq != 8 || st.Resource(addr("3")) == nil || st.Resource(addr("3")).ID != "103" {
		t.Errorf("moved back: head %d, %s %+v", st.JournalSeq, addr("3"), st.Resource(addr("3")))
	}

	// Another state into a tombstone: refused.
	if err := r.Retire(ctx, to); err != nil {
		t.Fatal(err)
	}
	tomb, tombLines := e.ws.Raw.Snapshot(t), e.ws.Raw.Journal(t)
	otherWS := e.other("<another>")
	s = e.store(otherWS.Open(t, nil))
	e.record(s, applyPlan("plan-x"))
	e.close(s)
	e.check("another lineage into a tombstone", e.importer(src).Import(ctx, otherWS.Open(t, nil)))
	if string(e.ws.Raw.Snapshot(t)) != string(tomb) || !slices.EqualFunc(e.ws.Raw.Journal(t), tombLines, slices.Equal) {
		t.Error("a refused import changed the tombstone")
	}
}

func second[T any](_ T, err error) error { return err }

func third[T, U any](_ T, _ U, err error) error { return err }

func isMoved(err error) bool {
	var me *state.MovedError
	return errors.As(err, &me)
}

// testImportRefusals: an import never lands on existing state or on
// itself, and a source whose journal does not check out leaves nothing
// behind.
func testImportRefusals(e *env) {
	t, ctx := e.t, context.Background()
	src := e.open(nil)
	s := e.store(src)
	e.record(s, applyPlan(plan), intent("1"), created("1"), intent("2"))
	e.close(s)

	e.check("into itself", e.importer(src).Import(ctx, src))
	full := e.other("<full>")
	s = e.store(full.Open(t, nil))
	e.record(s, applyPlan("plan-x"))
	e.close(s)
	e.check("over state", e.importer(full.Open(t, nil)).Import(ctx, src))

	// A local state whose entry 3 was altered.
	path := filepath.Join(t.TempDir(), "payform.state.json")
	local := &state.Local{Path: path}
	e.label(local, "<local>")
	if err := local.Import(ctx, src); err != nil {
		t.Fatal(err)
	}
	raw := LocalFiles(path)
	raw.SetJournal(t, replaceIn(3, `"id":"101"`, `"id":"999"`)(e, raw.Journal(t)))
	dstWS := e.other("<dst>")
	err := e.importer(dstWS.Open(t, nil)).Import(ctx, local)
	e.corrupt("broken source", err, 3)
	if st, _, err := dstWS.Open(t, nil).Load(ctx); st != nil || err != nil {
		t.Errorf("a refused import left state behind: %v, %v", st, err)
	}
}

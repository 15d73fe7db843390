package statetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/state"
)

// Suite describes one backend to the suite.
type Suite struct {
	// New returns a fresh, empty workspace, removed when the test ends.
	New func(t *testing.T) Workspace
	// Kill ends s as SIGKILL would end its process: what it wrote stays,
	// nothing more is written (no snapshot, no head), and the lock is
	// released as the kernel or the server releases a dead holder's.
	Kill func(t *testing.T, s *state.Store)
	// LoseLock takes s's lock from under it while s runs: the lock file
	// removed (Local), the lock's session ended (pg).
	LoseLock func(t *testing.T, s *state.Store)
	// LostLock reports whether err is the refusal of a durable write
	// after LoseLock; nil accepts any error.
	LostLock func(err error) bool
	// Tear records e on s as a crash in the middle of writing it leaves
	// it, then ends s as Kill does. What a torn write is depends on the
	// backend: Local, the entry's journal line cut half-way, without its
	// newline (a write the crash interrupted); pg, the entry's INSERT
	// made inside its transaction, whose session is killed before it
	// commits. It reports whether the next load warns of what it
	// dropped. Nil skips TornTail.
	Tear func(t *testing.T, s *state.Store, e *state.Entry) (warns bool)
	// Changed is the error a snapshot write wraps when the workspace is
	// no longer what the backend loaded (compare-and-swap); nil when the
	// backend has none and relies on its lock alone.
	Changed error
	// Golden is the file holding the exact message of every refusal the
	// suite provokes; Update rewrites it from the current messages.
	Golden string
	Update bool
}

// Workspace is one fresh workspace of the backend.
type Workspace struct {
	// Open returns a new Backend on the workspace, as another process
	// would have it (its own files or connections), sealing with key (nil
	// seals nothing). It is closed when the test ends.
	Open func(t *testing.T, key state.Key) state.Backend
	// Raw reads and writes the stored bytes, bypassing every check.
	Raw Raw
}

// Raw is the tamperer's access to a workspace: what someone with write
// access to the files or the tables can do.
type Raw interface {
	// Snapshot returns the stored snapshot bytes.
	Snapshot(t *testing.T) []byte
	// SetSnapshot replaces them (pg also sets the row's lineage and
	// serial columns from the bytes, as an insider would).
	SetSnapshot(t *testing.T, data []byte)
	// Journal returns the journal lines in order, each with its newline.
	Journal(t *testing.T) [][]byte
	// SetJournal replaces the whole journal with lines (pg: the rows,
	// their columns derived from the lines, triggers disabled).
	SetJournal(t *testing.T, lines [][]byte)
}

// Run runs the suite.
func Run(t *testing.T, s Suite) {
	g := newGolden(t, s.Golden, s.Update)
	for _, tc := range []struct {
		name string
		fn   func(*env)
	}{
		{"RecordCloseLoad", testRecordCloseLoad},
		{"EmptyWorkspace", testEmptyWorkspace},
		{"ReplayEqualsLive", testReplayEqualsLive},
		{"ConcurrentRecords", testConcurrentRecords},
		{"EntryTooLarge", testEntryTooLarge},
		{"Lock", testLock},
		{"StaleWriter", testStaleWriter},
		{"CompareAndSwap", testCompareAndSwap},
		{"LostLock", testLostLock},
		{"TornTail", testTornTail},
		{"JournalTamper", testJournalTamper},
		{"SnapshotTamper", testSnapshotTamper},
		{"AuditKey", testAuditKey},
		{"Anchors", testAnchors},
		{"Push", testPush},
		{"ImportRetire", testImportRetire},
		{"ImportRefusals", testImportRefusals},
		{"PlanRecords", testPlanRecords},
		{"Pages", testPages},
		{"Checkpoints", testCheckpoints},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(newEnv(t, &s, g)) })
	}
	g.finish(t)
}

// env is one test's workspace, clock and messages.
type env struct {
	t     *testing.T
	s     *Suite
	ws    Workspace
	clock *clock
	g     *golden
	names []string // Describe() of each workspace, then its label
}

func newEnv(t *testing.T, s *Suite, g *golden) *env {
	e := &env{t: t, s: s, clock: &clock{}, g: g}
	e.ws = s.New(t)
	e.label(e.ws.Open(t, nil), "<state>")
	return e
}

// label makes messages name b as label in the golden file.
func (e *env) label(b state.Backend, label string) {
	e.names = append(e.names, b.Describe(), label)
}

// other returns a second fresh workspace, labelled in messages.
func (e *env) other(label string) Workspace {
	ws := e.s.New(e.t)
	e.label(ws.Open(e.t, nil), label)
	return ws
}

// open returns a new backend on the test's workspace.
func (e *env) open(key state.Key) state.Backend { return e.ws.Open(e.t, key) }

// options are a store's: actor tester, the test's clock.
func (e *env) options() state.Options {
	return state.Options{Operation: "test", Actor: "tester", Version: "test", Clock: e.clock.now, LockTimeout: 5 * time.Second}
}

// store opens a locked store on b.
func (e *env) store(b state.Backend) *state.Store {
	e.t.Helper()
	return e.storeWith(b, e.options())
}

func (e *env) storeWith(b state.Backend, opts state.Options) *state.Store {
	e.t.Helper()
	s, err := state.Open(context.Background(), b, opts)
	if err != nil {
		e.t.Fatalf("state.Open(%s): %v", b.Describe(), err)
	}
	return s
}

// record records entries durably, failing the test on an error.
func (e *env) record(s *state.Store, entries ...*state.Entry) {
	e.t.Helper()
	for _, en := range entries {
		if err := s.Record(en, true); err != nil {
			e.t.Fatalf("Record %s %s: %v", en.Op, en.Address, err)
		}
	}
}

func (e *env) close(s *state.Store) {
	e.t.Helper()
	if err := s.Close(); err != nil {
		e.t.Fatalf("Close: %v", err)
	}
}

// load loads b, failing the test on an error.
func (e *env) load(b state.Backend) *state.State {
	e.t.Helper()
	st, _, err := b.Load(context.Background())
	if err != nil {
		e.t.Fatalf("Load(%s): %v", b.Describe(), err)
	}
	if st == nil {
		e.t.Fatalf("Load(%s): no state", b.Describe())
	}
	return st
}

// verify runs state.Verify on b, failing the test on an error.
func (e *env) verify(b state.Backend, key state.Key, anchors ...state.Head) *state.Report {
	e.t.Helper()
	rep, err := state.Verify(context.Background(), b, key, anchors)
	if err != nil {
		e.t.Fatalf("Verify(%s): %v", b.Describe(), err)
	}
	return rep
}

// encode is st's snapshot bytes: equal states are equal bytes.
func (e *env) encode(st *state.State) string {
	e.t.Helper()
	data, err := state.EncodeSnapshot(st, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return string(data)
}

// pull is b's snapshot bytes.
func (e *env) pull(b state.Backend) []byte {
	e.t.Helper()
	p, ok := b.(state.Puller)
	if !ok {
		e.t.Skipf("%T is not a state.Puller", b)
	}
	data, err := p.Pull(context.Background())
	if err != nil {
		e.t.Fatalf("Pull: %v", err)
	}
	return data
}

func diffText(want, got string) string { return cmp.Diff(want, got) }

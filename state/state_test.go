package state

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func testClock() func() time.Time {
	var mu sync.Mutex
	n := 0
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		n++
		return t0.Add(time.Duration(n) * time.Second)
	}
}

func openStore(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), &Local{Path: path}, Options{Operation: "test", Actor: "tester", Version: "test", Clock: testClock()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func intent(addr, key string) *Entry {
	return &Entry{Op: OpIntent, PlanID: "plan-1", Address: addr, Provider: "wllxpay", Key: key,
		Object: &Declared{Kind: "payout", Gateway: "wllxpay", Amount: "1.5", Currency: "BTC", Attrs: map[string]string{"address": "bc1q"}}}
}

// apply1 starts plan-1, which the entries above belong to.
func apply1() *Entry { return &Entry{Op: OpApply, PlanID: "plan-1"} }

func settled(addr, key string, r *Result) *Entry {
	return &Entry{Op: OpOutcome, PlanID: "plan-1", Address: addr, Provider: "wllxpay", Key: key, Result: r}
}

func outcome(addr, key, id string) *Entry {
	return &Entry{Op: OpOutcome, PlanID: "plan-1", Address: addr, Provider: "wllxpay", Key: key,
		Result: &Result{Outcome: OutcomeCreated, ID: id, Status: "submitted", RawStatus: "processing"}}
}

func record(t *testing.T, s *Store, entries ...*Entry) {
	t.Helper()
	for _, e := range entries {
		if err := s.Record(e, true); err != nil {
			t.Fatalf("Record %s %s: %v", e.Op, e.Address, err)
		}
	}
}

func TestRecordCloseLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "payform.state.json")
	s := openStore(t, path)
	record(t, s, apply1(),
		intent(`payout.a["1"]`, "k1"), outcome(`payout.a["1"]`, "k1", "101"),
		intent(`payout.a["2"]`, "k2"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + ".journal", path + ".lock"} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", f, fi.Mode().Perm())
		}
	}

	s2 := openStore(t, path)
	defer s2.Close()
	st := s2.State()
	if st.Serial != 1 || st.JournalSeq != 4 {
		t.Errorf("serial %d journal_seq %d, want 1 and 4", st.Serial, st.JournalSeq)
	}
	r1 := st.Resource(`payout.a["1"]`)
	if r1 == nil || r1.ID != "101" || r1.Status != "submitted" || r1.Pending != nil {
		t.Errorf("resource 1 = %+v", r1)
	}
	r2 := st.Resource(`payout.a["2"]`)
	if r2 == nil || r2.Pending == nil || r2.Pending.Attempts != 1 {
		t.Errorf("resource 2 should be pending: %+v", r2)
	}
	if !st.Consumed("plan-1") || !st.Reserved(KeyRef{"wllxpay", "payout", "k1"}) {
		t.Error("plan not consumed or key not reserved")
	}
}

// TestReplayEqualsLive: a state rebuilt from the journal alone (the process
// was killed before writing the snapshot) equals the one kept in memory.
func TestReplayEqualsLive(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "payform.state.json")
	s := openStore(t, path)
	record(t, s, apply1(), intent(`payout.a["1"]`, "k1")) // creates the first snapshot
	record(t, s,
		outcome(`payout.a["1"]`, "k1", "101"),
		intent(`payout.a["2"]`, "k2"), settled(`payout.a["2"]`, "k2", &Result{Outcome: OutcomeRejected, Error: "Not enough amount"}),
		&Entry{Op: OpForget, Address: `payout.a["1"]`})
	live := s.State()
	// Simulate a kill: no Close, so no snapshot beyond the first.
	s.journal.Close()
	s.release()

	s2 := openStore(t, path)
	defer s2.Close()
	got := s2.State()
	if diff := cmp.Diff(toWire(live), toWire(got)); diff != "" {
		t.Errorf("replayed state differs (-live +replayed):\n%s", diff)
	}
	if got.Resource(`payout.a["2"]`) != nil {
		t.Error("a rejected create must not be managed")
	}
	if got.Reserved(KeyRef{"wllxpay", "payout", "k2"}) {
		t.Error("a rejected key must not be reserved")
	}
	if f := got.ForgottenResource(`payout.a["1"]`); f == nil || f.ID != "101" {
		t.Errorf("forgotten = %+v", f)
	}
}

// TestNotCreatedReleasesKey: a key an attempt in doubt reserved is freed
// once the gateway is known to hold nothing under it (an operator's
// resolve --not-created, or a refusal after proven absence), so that the
// next apply can send it; a key a forgotten record holds stays reserved.
func TestNotCreatedReleasesKey(t *testing.T) {
	k := KeyRef{"wllxpay", "payout", "k1"}
	unknown := settled(`payout.a["1"]`, "k1", &Result{Outcome: OutcomeUnknown, Note: "duplicate without id"})
	for _, tc := range []struct {
		name   string
		settle *Entry
	}{
		{"resolve --not-created", &Entry{Op: OpResolve, Address: `payout.a["1"]`, Provider: "wllxpay", Key: "k1", Result: &Result{Outcome: OutcomeNotCreated}}},
		{"refused after proven absence", settled(`payout.a["1"]`, "k1", &Result{Outcome: OutcomeRejected})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "payform.state.json")
			s := openStore(t, path)
			record(t, s, apply1(), intent(`payout.a["1"]`, "k1"), unknown)
			if !s.State().Reserved(k) {
				t.Fatal("an unknown outcome must reserve its key")
			}
			record(t, s, tc.settle)
			if s.State().Reserved(k) || s.State().Resource(`payout.a["1"]`) != nil {
				t.Errorf("after %s: reserved %v, record %v; want neither", tc.name, s.State().Reserved(k), s.State().Resource(`payout.a["1"]`))
			}
			s.Close()
			s2 := openStore(t, path)
			defer s2.Close()
			if s2.State().Reserved(k) {
				t.Error("reserved again after a reload")
			}
		})
	}

	// The same key held by a forgotten record stays reserved, and no new
	// intent may use it.
	path := filepath.Join(t.TempDir(), "payform.state.json")
	s := openStore(t, path)
	defer s.Close()
	record(t, s, apply1(), intent(`payout.old["1"]`, "k1"), outcome(`payout.old["1"]`, "k1", "101"), &Entry{Op: OpForget, Address: `payout.old["1"]`})
	err := s.Record(intent(`payout.a["1"]`, "k1"), true)
	if err == nil || !strings.Contains(err.Error(), `wllxpay payout "k1" was already used: merchant keys are single-use`) {
		t.Errorf("an intent for a key a forgotten record holds: %v", err)
	}
	if !s.State().Reserved(k) {
		t.Error("a key a forgotten record holds was released")
	}
}

func TestTornTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "payform.state.json")
	s := openStore(t, path)
	record(t, s, apply1(), intent(`payout.a["1"]`, "k1"), outcome(`payout.a["1"]`, "k1", "101"))
	s.Close()
	// A crash in the middle of writing the next line.
	f, _ := os.OpenFile(path+".journal", os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"seq":3,"at":"2026-11-21T10:00:00Z","actor":"x","op":"int`)
	f.Close()

	s2 := openStore(t, path)
	if w := s2.Warnings(); len(w) != 1 || !strings.Contains(w[0], "torn last line") {
		t.Errorf("warnings = %q", w)
	}
	record(t, s2, intent(`payout.a["2"]`, "k2"))
	s2.Close()

	rep, err := Verify(context.Background(), &Local{Path: path}, nil, nil)
	if err != nil || rep.Entries != 4 {
		t.Errorf("Verify = %+v, %v; want 4 entries, no error", rep, err)
	}
}

func TestCorruptJournalIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "payform.state.json")
	s := openStore(t, path)
	record(t, s, apply1(), intent(`payout.a["1"]`, "k1")) // first snapshot at seq 0
	record(t, s, outcome(`payout.a["1"]`, "k1", "101"), intent(`payout.a["2"]`, "k2"))
	s.journal.Close()
	s.release()

	data, _ := os.ReadFile(path + ".journal")
	altered := strings.Replace(string(data), `"id":"101"`, `"id":"999"`, 1)
	os.WriteFile(path+".journal", []byte(altered), 0o600)

	_, err := Open(context.Background(), &Local{Path: path}, Options{NoLock: true})
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Seq != 3 {
		t.Fatalf("Open = %v, want CorruptError naming entry 3", err)
	}
	if !strings.Contains(err.Error(), "entry 3 (line 3)") {
		t.Errorf("message does not name the entry and line: %v", err)
	}
	_, err = Verify(context.Background(), &Local{Path: path}, nil, nil)
	if !errors.As(err, &ce) || ce.Seq != 3 {
		t.Errorf("Verify = %v, want entry 3", err)
	}
}

// TestAlteredHistoryIsRefused: an entry the snapshot already includes
// (before its head) altered, removed, swapped or rehashed on its own is
// refused by every load, naming the entry as audit verify does.
func TestAlteredHistoryIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		alter      func(lines []string) []string
	}{
		{"content", "entry 3 (line 3) is corrupt: hash does not match the entry's content", func(l []string) []string {
			l[2] = strings.Replace(l[2], `"id":"101"`, `"id":"999"`, 1)
			return l
		}},
		{"removed", "shorter than the 1425 the snapshot includes: entries were removed", func(l []string) []string {
			return append(l[:1], l[2:]...)
		}},
		{"swapped", "entry 2 (line 1) is corrupt: sequence number 2 follows 0", func(l []string) []string {
			l[0], l[1] = l[1], l[0]
			return l
		}},
		{"rehashed", "entry 4 (line 4) is corrupt: it does not link to the entry before it", func(l []string) []string {
			// Altered, with its own hash recomputed: the next link breaks.
			e, err := decodeLine([]byte(l[2]), nil)
			if err != nil {
				panic(err)
			}
			e.Result.ID = "999"
			b, _ := e.encode(nil)
			l[2] = strings.TrimSuffix(string(b), "\n")
			return l
		}},
		{"not json", "entry 2 (line 2) is corrupt: not a journal entry", func(l []string) []string {
			l[1] = "garbage" + strings.Repeat(" ", len(l[1])-7) // same length
			return l
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "payform.state.json")
			s := openStore(t, path)
			record(t, s, apply1(), intent(`payout.a["1"]`, "k1"), outcome(`payout.a["1"]`, "k1", "101"), intent(`payout.a["2"]`, "k2"))
			s.Close() // the snapshot's head is entry 3
			if _, err := Open(context.Background(), &Local{Path: path}, Options{NoLock: true}); err != nil {
				t.Fatalf("untouched: %v", err)
			}
			data, _ := os.ReadFile(path + ".journal")
			lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
			altered := strings.Join(tc.alter(lines), "\n") + "\n"
			if len(altered) > len(data) {
				altered = altered[:len(data)] // keep within the snapshot's offset
			}
			os.WriteFile(path+".journal", []byte(altered), 0o600)
			_, err := Open(context.Background(), &Local{Path: path}, Options{NoLock: true})
			var ce *CorruptError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestSnapshotTamperIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "payform.state.json")
	s := openStore(t, path)
	record(t, s, apply1(), intent(`payout.a["1"]`, "k1"), outcome(`payout.a["1"]`, "k1", "101"))
	s.Close()
	data, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(data), `"amount": "1.5"`, `"amount": "0.5"`, 1)), 0o600)
	_, err := Open(context.Background(), &Local{Path: path}, Options{NoLock: true})
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Errorf("Open = %v, want checksum mismatch", err)
	}
}

func TestSnapshotBytesAreStable(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, order []string) []byte {
		path := filepath.Join(dir, name)
		s, err := Open(context.Background(), &Local{Path: path}, Options{Actor: "t", Version: "v", Clock: func() time.Time { return t0 }})
		if err != nil {
			t.Fatal(err)
		}
		s.st.Lineage = "fixed"
		for _, k := range order {
			record(t, s, &Entry{Op: OpAdopt, Address: `payout.a["` + k + `"]`, Provider: "wllxpay", Key: k,
				Object: &Declared{Kind: "payout", Gateway: "wllxpay", Amount: "1", Currency: "BTC"},
				Result: &Result{Outcome: OutcomeAdopted, Status: "submitted"}})
		}
		s.Close()
		st, _, err := (&Local{Path: path}).Load(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		st.JournalHash, st.JournalOffset = "", 0 // the journals differ in order
		out, _ := encodeSnapshot(st, nil)
		return out
	}
	a := write("a.json", []string{"1", "2", "3"})
	b := write("b.json", []string{"3", "1", "2"})
	if diff := cmp.Diff(string(a), string(b)); diff != "" {
		t.Errorf("equal states, different bytes:\n%s", diff)
	}
}

func TestConcurrentDurableRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "payform.state.json")
	s := openStore(t, path)
	record(t, s, apply1())
	var wg sync.WaitGroup
	for w := 0; w < 10; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				addr := fmt.Sprintf(`payout.a["%d-%d"]`, w, i)
				key := fmt.Sprintf("k%d-%d", w, i)
				if err := s.Record(intent(addr, key), true); err != nil {
					t.Error(err)
					return
				}
				if err := s.Record(outcome(addr, key, key), false); err != nil {
					t.Error(err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	s.Close()
	rep, err := Verify(context.Background(), &Local{Path: path}, nil, nil)
	if err != nil || rep.Entries != 1001 {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
	s2 := openStore(t, path)
	defer s2.Close()
	if got := s2.State().Len(); got != 500 {
		t.Errorf("%d resources, want 500", got)
	}
}

func TestLockHeld(t *testing.T) {
	path := filepath.Join(t.TempDir(), "payform.state.json")
	s := openStore(t, path)
	defer s.Close()
	start := time.Now()
	_, err := Open(context.Background(), &Local{Path: path}, Options{Operation: "plan", LockTimeout: 200 * time.Millisecond})
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("second Open = %v, want LockedError", err)
	}
	if time.Since(start) < 200*time.Millisecond {
		t.Error("did not wait for the lock timeout")
	}
	if le.Holder == nil || le.Holder.Who != "tester" || le.Holder.Operation != "test" || le.Holder.PID != os.Getpid() {
		t.Errorf("holder = %+v", le.Holder)
	}
	if !strings.Contains(err.Error(), `locked by tester (pid`) || !strings.Contains(err.Error(), `running "test"`) {
		t.Errorf("message = %v", err)
	}
}

// TestLockDiesWithProcess: a SIGKILLed holder leaves no lock behind.
func TestLockDiesWithProcess(t *testing.T) {
	if os.Getenv("PAYFORM_TEST_LOCK_HOLDER") != "" {
		path := os.Getenv("PAYFORM_TEST_LOCK_HOLDER")
		if _, err := Open(context.Background(), &Local{Path: path}, Options{Operation: "apply", Actor: "child"}); err != nil {
			os.Exit(3)
		}
		fmt.Println("locked")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	path := filepath.Join(t.TempDir(), "payform.state.json")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockDiesWithProcess$")
	cmd.Env = append(os.Environ(), "PAYFORM_TEST_LOCK_HOLDER="+path)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	if n, _ := out.Read(buf); !strings.Contains(string(buf[:n]), "locked") {
		t.Fatalf("child did not lock: %q", buf[:n])
	}
	_, err := Open(context.Background(), &Local{Path: path}, Options{LockTimeout: 0})
	var le *LockedError
	if !errors.As(err, &le) || le.Holder == nil || le.Holder.Who != "child" {
		t.Fatalf("while held: %v", err)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	s, err := Open(context.Background(), &Local{Path: path}, Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatalf("after kill: %v", err)
	}
	s.Close()
}

func TestSnapshotRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, data, want string
	}{
		{"empty", "", "not a payform state file"},
		{"garbage", "hello", "not a payform state file"},
		{"other json", `{"version": 4, "terraform_version": "1.9.0"}`, "not a payform state file"},
		{"newer", "{\n  \"format_version\": 3,\n  \"lineage\": \"x\"\n}\n", "format version 3; this payform reads up to 2: upgrade payform"},
		{"no checksum", "{\n  \"format_version\": 1,\n  \"lineage\": \"x\"\n}\n", "checksum is missing"},
		{"truncated", "{\n  \"format_version\": 1,\n  \"lineage\": \"x\",\n  \"checks", "checksum is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := decodeSnapshot("s.json", []byte(tc.data), nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("decodeSnapshot = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestUnsealedSnapshotIsRefused: with an audit key, a snapshot whose seal
// was stripped (edited, checksum recomputed) is refused by every load
// when the journal entry it is at is sealed.
func TestUnsealedSnapshotIsRefused(t *testing.T) {
	key := Key("statetest-audit-key-0123456789")
	path := filepath.Join(t.TempDir(), "payform.state.json")
	s, err := Open(context.Background(), &Local{Path: path, Key: key}, Options{Actor: "tester", Version: "test", Clock: testClock()})
	if err != nil {
		t.Fatal(err)
	}
	record(t, s, apply1(), intent(`payout.a["1"]`, "k1"), outcome(`payout.a["1"]`, "k1", "101"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	st, _, err := (&Local{Path: path, Key: key}).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	st.Resource(`payout.a["1"]`).Amount = "0.5"
	data, _ := encodeSnapshot(st, nil) // rewritten without the key
	os.WriteFile(path, data, 0o600)
	_, _, err = (&Local{Path: path, Key: key}).Load(context.Background())
	if want := path + " is corrupt: the snapshot is not sealed, but the journal entry it is at is: it was rewritten without PAYFORM_AUDIT_KEY"; err == nil || err.Error() != want {
		t.Errorf("Load = %v\nwant %s", err, want)
	}
}

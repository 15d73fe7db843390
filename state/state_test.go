package state

import (
	"bytes"
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

// TestLocalFileModes: the state's directory, snapshot, journal and lock
// file are the user's alone.
func TestLocalFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	path := filepath.Join(dir, "payform.state.json")
	s := openStore(t, path)
	record(t, s, apply1(), intent(`payout.a["1"]`, "k1"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for f, want := range map[string]os.FileMode{dir: 0o700, path: 0o600, path + ".journal": 0o600, path + ".lock": 0o600} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s mode %v, want %v", f, fi.Mode().Perm(), want)
		}
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

// The header a journal walk reads is the full decode's, field for field,
// with the same refusal of an altered byte anywhere in the file.
func TestSnapshotHeader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "payform.state.json")
	s := openStore(t, path)
	record(t, s, apply1(), intent(`payout.a["1"]`, "k1"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tomb, err := Tombstone(path, data, MovedTo{Backend: "pg:payform/w", At: t0, By: "tester"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range [][]byte{data, tomb} {
		full, _, err := decodeSnapshot(path, data, nil)
		if err != nil {
			t.Fatal(err)
		}
		full.ConsumedPlans, full.ReservedKeys, full.Resources, full.Forgotten = nil, nil, nil, nil
		head, err := decodeSnapshotHeader(path, data, nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(full, head); diff != "" {
			t.Errorf("header (-full +header):\n%s", diff)
		}
		if full.Run == nil && full.MovedTo == nil {
			t.Errorf("the test's snapshots name neither a run nor a move: %+v", full)
		}
	}
	altered := bytes.Replace(data, []byte(`"k1"`), []byte(`"k2"`), 1)
	if _, err := decodeSnapshotHeader(path, altered, nil); err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Errorf("an altered record: %v, want a checksum mismatch", err)
	}
}

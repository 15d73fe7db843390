package state_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/payform/payform/state"
)

// The tests here run payform's store in child processes (this test
// binary again, told what to do by the environment) and kill them or
// race them, as issue 11 rows 4 and 5 did by hand. A store that loses its
// lock file while another takes the state is in the suite (LostLock,
// TestLocalSuite): the first store's next durable Record fails with a
// *state.LostLockError and writes nothing.

const childEnv = "PAYFORM_TEST_STATE_CHILD"

// child runs the part of a test that a child process plays, and exits.
func child(t *testing.T, run func(path string, args []string) error) {
	spec := os.Getenv(childEnv)
	if spec == "" {
		return
	}
	fields := strings.Fields(spec)
	if err := run(fields[0], fields[1:]); err != nil {
		fmt.Println("error:", err)
		os.Exit(3)
	}
	os.Exit(0)
}

// startChild starts this test again as a child process with args.
func startChild(t *testing.T, test, path string, args ...string) (*exec.Cmd, *bufio.Reader, io.WriteCloser) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$")
	cmd.Env = append(os.Environ(), childEnv+"="+strings.Join(append([]string{path}, args...), " "))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, bufio.NewReader(out), in
}

// expectLine reads the child's next line, which must start with want.
func expectLine(t *testing.T, r *bufio.Reader, want string) string {
	t.Helper()
	line, err := r.ReadString('\n')
	if !strings.HasPrefix(line, want) {
		t.Fatalf("the child said %q (%v), want %q", line, err, want)
	}
	return strings.TrimSpace(strings.TrimPrefix(line, want))
}

func childOptions(actor string) state.Options {
	return state.Options{Operation: "apply", Actor: actor, Version: "test", LockTimeout: 5 * time.Second}
}

func payout(plan, n string) *state.Entry {
	return &state.Entry{Op: state.OpIntent, PlanID: plan, Address: `payout.` + plan + `["` + n + `"]`, Provider: "wllxpay", Key: plan + "-" + n,
		Object: &state.Declared{Kind: "payout", Gateway: "wllxpay", Amount: "0.01", Currency: "BTC", Attrs: map[string]string{"address": "bc1q" + n}}}
}

// TestLockFileRemovedTwoWriters: two processes that both believe they
// hold the lock (the first's lock file was removed, the second made a new
// one) append to the journal at the same instant, round after round. The
// journal never becomes unreadable, and every entry either process was
// told it recorded is in it, once. In every round the writers collide:
// exactly one write is refused (docs/reliability.md "One writer"), the
// loser's first, as another process's write; the winner records all its
// entries.
func TestLockFileRemovedTwoWriters(t *testing.T) {
	child(t, func(path string, args []string) error {
		// args: the writer's plan, then the entries to write.
		plan := args[0]
		n, _ := strconv.Atoi(args[1])
		s, err := state.Open(context.Background(), &state.Local{Path: path}, childOptions("tester"))
		if err != nil {
			return err
		}
		fmt.Println("ready")
		line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
		at, _ := strconv.ParseInt(strings.TrimSpace(line), 10, 64)
		for time.Now().UnixNano() < at { // both start within microseconds
		}
		entries := []*state.Entry{{Op: state.OpApply, PlanID: plan}}
		for i := range n {
			entries = append(entries, payout(plan, strconv.Itoa(i)))
		}
		for _, e := range entries {
			// Not durable: what apply does for outcomes, and the writes a
			// lost lock does not stop by itself.
			if err := s.Record(e, false); err != nil {
				fmt.Println("refused:", strings.ReplaceAll(err.Error(), "\n", " "))
				break
			}
			fmt.Println("recorded", e.Address)
		}
		if err := s.Close(); err != nil {
			fmt.Println("close:", err)
		}
		fmt.Println("done")
		return nil
	})

	const rounds, entries = 20, 30
	races, atOpen := 0, 0
	for round := range rounds {
		path := filepath.Join(t.TempDir(), "payform.state.json")
		s, err := state.Open(context.Background(), &state.Local{Path: path}, childOptions("tester"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Init(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}

		_, outA, inA := startChild(t, "TestLockFileRemovedTwoWriters", path, "plan-a", strconv.Itoa(entries))
		expectLine(t, outA, "ready")
		if err := os.Remove(path + ".lock"); err != nil {
			t.Fatal(err)
		}
		_, outB, inB := startChild(t, "TestLockFileRemovedTwoWriters", path, "plan-b", strconv.Itoa(entries))
		expectLine(t, outB, "ready")
		at := strconv.FormatInt(time.Now().Add(50*time.Millisecond).UnixNano(), 10) + "\n"
		io.WriteString(inA, at)
		io.WriteString(inB, at)

		var recorded []string
		var wrote [2]int       // entries each writer was told it recorded
		var refusals [2]string // the write each writer was refused, if any
		for i, out := range []*bufio.Reader{outA, outB} {
			for {
				line, err := out.ReadString('\n')
				if err != nil {
					t.Fatalf("round %d: the child ended without done: %v", round, err)
				}
				if line == "done\n" {
					break
				}
				if a, ok := strings.CutPrefix(line, "recorded "); ok {
					recorded = append(recorded, strings.TrimSpace(a))
					wrote[i]++
				} else if r, ok := strings.CutPrefix(line, "refused: "); ok {
					if refusals[i] != "" {
						t.Fatalf("round %d: writer %d was refused twice (it stops at the first)", round, i)
					}
					refusals[i] = strings.TrimSpace(r)
					races++
				}
			}
		}
		// Exactly one write per round is refused: the loser's first, since
		// the winner's first write moved the journal's end before it (seen
		// when the loser opens the journal, at its first write, or when it
		// checks the end under the journal's lock); the winner is never
		// refused and records every entry.
		loser := slices.IndexFunc(refusals[:], func(r string) bool { return r != "" })
		switch {
		case loser < 0:
			t.Fatalf("round %d: neither writer was refused (recorded %d and %d): the writers did not collide", round, wrote[0], wrote[1])
		case refusals[1-loser] != "":
			t.Fatalf("round %d: both writers were refused:\n%s\n%s", round, refusals[0], refusals[1])
		case !strings.Contains(refusals[loser], "another process wrote to it (was the lock file removed?)") &&
			!strings.Contains(refusals[loser], "complete entries after byte 0 that the state did not load; another process may be writing without the lock"):
			t.Fatalf("round %d: writer %d was refused for another reason: %s", round, loser, refusals[loser])
		case wrote[loser] != 0 || wrote[1-loser] != entries+1:
			t.Fatalf("round %d: the refused writer recorded %d entries (want 0), the other %d (want %d)", round, wrote[loser], wrote[1-loser], entries+1)
		}
		if strings.Contains(refusals[loser], "opening journal") {
			atOpen++
		}

		st, _, err := (&state.Local{Path: path}).Load(context.Background())
		if err != nil {
			t.Fatalf("round %d: the journal two writers appended to is unreadable: %v", round, err)
		}
		if _, err := state.Verify(context.Background(), &state.Local{Path: path}, nil, nil); err != nil {
			t.Fatalf("round %d: Verify: %v", round, err)
		}
		var got []string
		for _, r := range st.List() {
			got = append(got, r.Address)
		}
		if len(recorded) > 0 && recorded[0] == "" { // an apply entry has no address
			recorded = recorded[1:]
		}
		recorded = slices.DeleteFunc(recorded, func(a string) bool { return a == "" })
		slices.Sort(recorded)
		if !slices.Equal(got, recorded) {
			t.Fatalf("round %d: the state holds %d records, the writers were told %d were recorded:\n got %q\nwant %q", round, len(got), len(recorded), got, recorded)
		}
	}
	if races != rounds {
		t.Fatalf("%d writes refused in %d rounds, want exactly one a round", races, rounds)
	}
	t.Logf("%d rounds of two writers: %d writes refused as another process's (%d when the journal was opened, %d at the end check), the journal readable after every round", rounds, races, atOpen, races-atOpen)
}

// TestCutJournalAfterCrash: a store killed (SIGKILL) after many intents,
// with a checkpoint every 10 entries; its journal is then cut at every
// line boundary, as a restore from a backup or a filesystem that lost its
// tail would. Every cut before the last checkpoint is refused by Load;
// a cut after it cannot be told from a crash at that point.
func TestCutJournalAfterCrash(t *testing.T) {
	child(t, func(path string, args []string) error {
		n, _ := strconv.Atoi(args[0])
		opts := childOptions("tester")
		opts.CheckpointEntries = 10
		s, err := state.Open(context.Background(), &state.Local{Path: path}, opts)
		if err != nil {
			return err
		}
		if err := s.Record(&state.Entry{Op: state.OpApply, PlanID: "plan-1"}, true); err != nil {
			return err
		}
		for i := range n {
			if err := s.Record(payout("plan-1", strconv.Itoa(i)), true); err != nil {
				return err
			}
		}
		fmt.Println("recorded")
		time.Sleep(time.Minute) // killed here, before Close
		return nil
	})

	const intents = 42
	dir := t.TempDir()
	path := filepath.Join(dir, "payform.state.json")
	cmd, out, _ := startChild(t, "TestCutJournalAfterCrash", path, strconv.Itoa(intents))
	expectLine(t, out, "recorded")
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	snapshot := readFile(t, path)
	journal := readFile(t, path+".journal")
	st, _, err := (&state.Local{Path: path}).Load(context.Background())
	if err != nil || st.JournalSeq != intents+1 {
		t.Fatalf("the killed store's state: %v, %v; want all %d entries", st, err, intents+1)
	}
	snap, err := state.DecodeSnapshot(path, snapshot, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkpoint := snap.JournalSeq
	if checkpoint < 10 {
		t.Fatalf("the snapshot is at entry %d after %d entries: no checkpoint", checkpoint, intents+1)
	}

	var bounds []int // the offset after each line, and 0
	bounds = append(bounds, 0)
	for i, c := range journal {
		if c == '\n' {
			bounds = append(bounds, i+1)
		}
	}
	refused, undetected := 0, []string{}
	for n, end := range bounds {
		cut := filepath.Join(t.TempDir(), "payform.state.json")
		writeFile(t, cut, snapshot)
		writeFile(t, cut+".journal", journal[:end])
		st, _, err := (&state.Local{Path: cut}).Load(context.Background())
		var ce *state.CorruptError
		switch {
		case uint64(n) < checkpoint:
			if !errors.As(err, &ce) {
				t.Errorf("cut after %d entries, before the checkpoint at %d: Load = %v, want a *state.CorruptError", n, checkpoint, err)
				continue
			}
			refused++
		case err != nil:
			t.Errorf("cut after %d entries, at or after the checkpoint at %d: Load = %v", n, checkpoint, err)
		case st.JournalSeq != uint64(n):
			t.Errorf("cut after %d entries: loaded up to entry %d", n, st.JournalSeq)
		default:
			undetected = append(undetected, strconv.Itoa(n))
		}
	}
	t.Logf("killed after %d entries, the last checkpoint at entry %d: %d of %d line-boundary cuts refused; %d undetectable (cuts after %s entries: they lose the entries after the checkpoint)",
		intents+1, checkpoint, refused, len(bounds), len(undetected), strings.Join(undetected, ", "))
	if refused != int(checkpoint) {
		t.Errorf("%d cuts refused, want the %d before the checkpoint", refused, checkpoint)
	}
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

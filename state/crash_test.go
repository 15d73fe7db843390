package state_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/payform/payform/state"
)

// The tests here run payform's store in child processes (this test
// binary again, told what to do by the environment) and race them, as
// issue 11 row 5 did by hand.

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
// told it recorded is in it, once.
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
	races := 0
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
		for _, out := range []*bufio.Reader{outA, outB} {
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
				} else if strings.HasPrefix(line, "refused:") {
					races++
				}
			}
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
	t.Logf("%d rounds of two writers: %d writes refused as another process's, the journal readable after every round", rounds, races)
}

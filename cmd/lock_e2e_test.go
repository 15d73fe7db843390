package cmd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/payform/payform/state"
)

// lkSandbox starts `payform sandbox serve` on a port of its own choosing
// (no race for a free port with other tests) and returns its address.
func lkSandbox(t *testing.T, faults string) string {
	t.Helper()
	sb := exec.Command(payformBin, "sandbox", "serve", "--addr", "127.0.0.1:0", "--faults", faults)
	out, err := sb.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	sb.Stderr = os.Stderr
	if err := sb.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Process.Kill(); sb.Wait() })
	r := bufio.NewReader(out)
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("sandbox serve: %v", err)
	}
	go io.Copy(io.Discard, r)
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "payform sandbox listening on http://")
	if !ok {
		t.Fatalf("sandbox serve said %q", line)
	}
	return addr
}

// lkWorkspace writes a configuration of n payouts against the sandbox at
// addr, and returns its directory and the environment to run payform in.
func lkWorkspace(t *testing.T, addr string, n int) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"main.hcl": `variable "sandbox" {
  type = string
}
provider "wllxpay" {
  endpoint = "http://${var.sandbox}/wllxpay/api/v1"
}
payout "batch" {
  for_each   = { for r in csvdecode(file("payouts.csv")) : r.foreign_id => r }
  foreign_id = each.key
  currency   = each.value.currency
  amount     = each.value.amount
  address    = each.value.address
}
`,
		"payouts.csv": payoutsCSV(n, "0.001"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := append(os.Environ(), "WLLXPAY_API_KEY=wllxpay-test-key", "WLLXPAY_SECRET_KEY=wllxpay-test-secret",
		"PAYFORM_VAR_sandbox="+addr, "NO_COLOR=1")
	return dir, env
}

// lkRun is one payform process with its output.
type lkRun struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	done           chan struct{}
	ended          time.Time
	err            error
}

func lkStart(t *testing.T, dir string, env []string, actor string, args ...string) *lkRun {
	t.Helper()
	r := &lkRun{cmd: exec.Command(payformBin, args...), done: make(chan struct{})}
	r.cmd.Dir, r.cmd.Env = dir, append(env, "PAYFORM_ACTOR="+actor)
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		r.err = r.cmd.Wait()
		r.ended = time.Now()
		close(r.done)
	}()
	t.Cleanup(func() { r.cmd.Process.Kill(); <-r.done })
	return r
}

// wait waits for the process to end, and returns its exit code.
func (r *lkRun) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(60 * time.Second):
		t.Fatalf("payform %s did not end", strings.Join(r.cmd.Args[1:], " "))
	}
	var ee *exec.ExitError
	switch {
	case r.err == nil:
		return 0
	case errors.As(r.err, &ee):
		return ee.ExitCode()
	}
	t.Fatal(r.err)
	return -1
}

// lkHolder waits until the state's lock file names pid as its holder.
func lkHolder(t *testing.T, dir string, pid int) state.LockInfo {
	t.Helper()
	path := filepath.Join(dir, "payform.state.json.lock")
	var info state.LockInfo
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		data, err := os.ReadFile(path)
		if err == nil && json.Unmarshal(data, &info) == nil && info.PID == pid {
			return info
		}
	}
	t.Fatalf("the lock file never named pid %d", pid)
	return info
}

// lkCreates counts, per key, the objects at the sandbox and the create
// requests they received ("objects/requests").
func lkCreates(t *testing.T, addr string) map[string]string {
	t.Helper()
	objs, reqs := map[string]int{}, map[string]int{}
	for _, o := range fetchLedger(t, addr) {
		objs[o.Key]++
		reqs[o.Key] += o.CreateRequests
	}
	out := map[string]string{}
	for k := range objs {
		out[k] = fmt.Sprintf("%d/%d", objs[k], reqs[k])
	}
	return out
}

// lkCheckOnce checks that po-1..po-n are each one object at the gateway;
// with exact, that each received one create request.
func lkCheckOnce(t *testing.T, addr string, n int, exact bool) {
	t.Helper()
	got := lkCreates(t, addr)
	if len(got) != n {
		t.Errorf("gateway holds %d keys (%v), want %d", len(got), got, n)
	}
	for i := 1; i <= n; i++ {
		key := fmt.Sprintf("po-%d", i)
		objs, reqs, _ := strings.Cut(got[key], "/")
		if objs != "1" || (exact && reqs != "1") {
			t.Errorf("%s: %q objects/create requests at the gateway, want one object%s", key, got[key], map[bool]string{true: " and one request"}[exact])
		}
	}
}

// TestLockHeldByRunningApply: while an apply runs (slowed by the
// sandbox's latency), a second apply is refused at once, naming who holds
// the lock, their pid, since when and what they run; the same apply with
// --lock-timeout waits, and once the first is done finds nothing left to
// do. Each payout reaches the gateway once.
func TestLockHeldByRunningApply(t *testing.T) {
	const n = 8 // 8 creates one at a time, 300 ms each: the lock is held for over 2 s
	addr := lkSandbox(t, "latency=300ms")
	dir, env := lkWorkspace(t, addr, n)

	first := lkStart(t, dir, env, "first@test", "apply", "--auto-approve", "--parallelism", "1")
	holder := lkHolder(t, dir, first.cmd.Process.Pid)
	if holder.Who != "first@test" || holder.Operation != "apply" || holder.ID == "" {
		t.Errorf("lock info = %+v, want first@test running apply, with an id", holder)
	}
	if age := time.Since(holder.Created); age < 0 || age > 30*time.Second {
		t.Errorf("lock info says since %s, %s ago", holder.Created, age)
	}

	started := time.Now()
	second := lkStart(t, dir, env, "second@test", "apply", "--auto-approve")
	code := second.wait(t)
	took := second.ended.Sub(started)
	select {
	case <-first.done:
		t.Fatalf("the first apply ended before the second was refused; the test did not overlap them:\n%s", &first.stdout)
	default:
	}
	if code != 1 || took > time.Second {
		t.Errorf("second apply: exit %d after %s, want exit 1 within a second\n%s%s", code, took, &second.stdout, &second.stderr)
	}
	want := fmt.Sprintf("Error: state payform.state.json.lock is locked by first@test (pid %d) since %s, running \"apply\" (lock id %s; waited 0s)\n"+
		"Wait for it to finish, or retry with --lock-timeout (e.g. --lock-timeout 5m)\n",
		holder.PID, holder.Created.UTC().Format(time.RFC3339), holder.ID)
	if got := second.stderr.String(); got != want {
		t.Errorf("second apply's stderr:\n%s\nwant:\n%s", got, want)
	}
	if second.stdout.Len() != 0 {
		t.Errorf("second apply printed a plan although it never got the state:\n%s", &second.stdout)
	}

	third := lkStart(t, dir, env, "third@test", "apply", "--auto-approve", "--lock-timeout", "30s")
	if code := first.wait(t); code != 0 || !strings.Contains(first.stdout.String(), fmt.Sprintf("Apply complete: %d created, 0 adopted, 0 forgotten.", n)) {
		t.Fatalf("first apply: exit %d\n%s%s", code, &first.stdout, &first.stderr)
	}
	if code := third.wait(t); code != 0 {
		t.Fatalf("third apply (--lock-timeout 30s): exit %d\n%s%s", code, &third.stdout, &third.stderr)
	}
	// Finding everything done proves it ran after the first released the
	// lock (when each process is reaped is no evidence: the first may
	// still be exiting after it has let go).
	// (Before "No changes." it says what it could not read back: WllxPay
	// v1 reads no withdrawal.)
	if got := third.stdout.String(); !strings.Contains(got, "\nNo changes.") || strings.Contains(got, "payform will perform") {
		t.Errorf("the waiting apply should find everything done once it has the lock:\n%s%s", got, &third.stderr)
	}
	if third.stderr.Len() != 0 {
		t.Errorf("the waiting apply's stderr: %s", &third.stderr)
	}
	lkCheckOnce(t, addr, n, true)
}

// TestLockKilledHolder: an apply killed with SIGKILL while it holds the
// lock leaves none behind (the kernel drops the flock with the process),
// even though its lock file still names it: the next command gets the
// state at once, and the next apply settles what was under way.
func TestLockKilledHolder(t *testing.T) {
	const n = 8
	addr := lkSandbox(t, "latency=300ms")
	dir, env := lkWorkspace(t, addr, n)

	first := lkStart(t, dir, env, "first@test", "apply", "--auto-approve", "--parallelism", "1")
	holder := lkHolder(t, dir, first.cmd.Process.Pid)
	// Let it get a create or two under way.
	for deadline := time.Now().Add(10 * time.Second); len(lkCreates(t, addr)) < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no create reached the gateway")
		}
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if code := first.wait(t); code != -1 || !strings.Contains(first.err.Error(), "killed") {
		t.Fatalf("first apply: exit %d (%v), want killed", code, first.err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "payform.state.json.lock"))
	if err != nil || !strings.Contains(string(data), fmt.Sprintf(`"pid": %d`, holder.PID)) {
		t.Fatalf("the killed holder's lock file: %q, %v; want it to still name pid %d (the test relies on a stale file)", data, err, holder.PID)
	}

	started := time.Now()
	plan := lkStart(t, dir, env, "next@test", "plan")
	code := plan.wait(t)
	if took := plan.ended.Sub(started); code != 0 || took > time.Second {
		t.Errorf("plan after the kill: exit %d after %s, want 0 within a second\n%s%s", code, took, &plan.stdout, &plan.stderr)
	}
	if strings.Contains(plan.stderr.String(), "locked") {
		t.Errorf("plan after the kill saw a lock:\n%s", &plan.stderr)
	}

	settle := lkStart(t, dir, env, "next@test", "apply", "--auto-approve")
	if code := settle.wait(t); code != 0 {
		t.Fatalf("apply after the kill: exit %d\n%s%s", code, &settle.stdout, &settle.stderr)
	}
	// An item in flight at the kill is settled by sending its foreign_id
	// again (WllxPay refuses it, proving the first landed): one object,
	// maybe two requests.
	lkCheckOnce(t, addr, n, false)
	if data, err := os.ReadFile(filepath.Join(dir, "payform.state.json.lock")); err != nil || len(data) != 0 {
		t.Errorf("lock file after the last command: %q, %v; want it emptied", data, err)
	}
}

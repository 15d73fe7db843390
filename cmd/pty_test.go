package cmd

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ptyRun is payform on a pseudo-terminal, as an operator runs it: Ctrl-C
// is the byte 0x03 typed on it, which the terminal turns into SIGINT for
// payform's process group.
type ptyRun struct {
	cmd  *exec.Cmd
	tty  *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func startPTY(t *testing.T, dir string, env []string, args ...string) *ptyRun {
	t.Helper()
	r := &ptyRun{cmd: runIn(dir, env, args...), done: make(chan struct{})}
	tty, err := pty.StartWithSize(r.cmd, &pty.Winsize{Rows: 40, Cols: 160})
	if err != nil {
		t.Fatal(err)
	}
	r.tty = tty
	go func() {
		defer close(r.done)
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			r.mu.Lock()
			r.out.Write(buf[:n])
			r.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { r.cmd.Process.Kill(); tty.Close() })
	return r
}

func (r *ptyRun) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.String()
}

// waitFor waits for text on the terminal; it fails the test after 30 s.
func (r *ptyRun) waitFor(t *testing.T, text string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if strings.Contains(r.output(), text) {
			return
		}
	}
	t.Fatalf("the terminal never showed %q:\n%s", text, r.output())
}

func (r *ptyRun) ctrlC(t *testing.T) {
	t.Helper()
	if _, err := r.tty.Write([]byte{3}); err != nil {
		t.Fatal(err)
	}
}

// wait returns payform's exit code once it exited and its output was
// read to the end.
func (r *ptyRun) wait(t *testing.T) int {
	t.Helper()
	err := r.cmd.Wait()
	select {
	case <-r.done:
	case <-time.After(5 * time.Second):
	}
	return processExit(err)
}

// TestPromptCtrlC: Ctrl-C at apply's "Enter a value:" prompt cancels at
// once (exit 130, nothing sent, the lock released); a line typed after it
// is never taken as the answer.
func TestPromptCtrlC(t *testing.T) {
	dir := t.TempDir()
	if err := copyDir("../examples/quickstart", dir); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "PAYFORM_ACTOR=ci@test", "NO_COLOR=1")
	r := startPTY(t, dir, env, "apply")
	r.waitFor(t, "Enter a value: ")
	r.ctrlC(t)
	r.waitFor(t, "Interrupt received.")
	if _, err := r.tty.Write([]byte("yes\r")); err != nil {
		t.Fatal(err)
	}
	if code := r.wait(t); code != exitInterrupted {
		t.Fatalf("exit %d, want %d:\n%s", code, exitInterrupted, r.output())
	}
	out := r.output()
	if !strings.Contains(out, "Error: apply cancelled (interrupted at the prompt): nothing was sent") {
		t.Errorf("no cancellation message:\n%s", out)
	}
	if strings.Contains(out, "Apply complete") {
		t.Errorf("the line typed after Ctrl-C was taken as the answer:\n%s", out)
	}
	// Nothing was sent, nothing recorded, and the lock is free: a plan
	// runs at once and still has the three payouts to create.
	if out, err := runIn(dir, env, "plan", "--lock-timeout", "0s").CombinedOutput(); err != nil || !strings.Contains(string(out), "Plan: 3 to create") {
		t.Fatalf("plan after the cancelled apply: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, ".payform", "sandbox", "wllxpay.jsonl")); err == nil {
		if b, _ := os.ReadFile(filepath.Join(dir, ".payform", "sandbox", "wllxpay.jsonl")); len(bytes.TrimSpace(b)) > 0 {
			t.Errorf("the embedded sandbox holds objects after a cancelled apply:\n%s", b)
		}
	}
}

// TestApplyCtrlC: Ctrl-C while apply's calls are slow to answer says at
// once that payform is stopping (before those calls return), a second
// Ctrl-C says so again, and apply ends with exit 130 after recording the
// calls under way. The progress bar is on the terminal from the start,
// before any call returned.
func TestApplyCtrlC(t *testing.T) {
	addr := startSandbox(t, "latency=2s")
	dir := t.TempDir()
	config := fmt.Sprintf(`provider "wllxpay" {
  endpoint   = "http://%s/wllxpay/api/v1"
  api_key    = "wllxpay-test-key"
  secret_key = "wllxpay-test-secret"
  timeout    = "30s"
}
payout "batch" {
  for_each   = { for r in csvdecode(file("payouts.csv")) : r.foreign_id => r }
  foreign_id = each.key
  currency   = each.value.currency
  amount     = each.value.amount
  address    = each.value.address
}
`, addr)
	os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(config), 0o644)
	os.WriteFile(filepath.Join(dir, "payouts.csv"), []byte(payoutsCSV(20, "0.01")), 0o644)
	env := append(os.Environ(), "PAYFORM_ACTOR=ci@test", "NO_COLOR=1")
	r := startPTY(t, dir, env, "apply", "--auto-approve", "--parallelism", "2")
	r.waitFor(t, "0/20")
	waitLatencyInjected(t, addr)
	r.ctrlC(t)
	r.waitFor(t, "Interrupt received. payform is stopping: no new gateway call starts; calls already sent finish and are recorded.")
	if strings.Contains(r.output(), "Apply ") {
		t.Fatalf("the stop was announced only after apply ended:\n%s", r.output())
	}
	// It starts a line of its own: the terminal's echo of ^C over the
	// progress bar is ended first, so no stray "C" is left in front.
	if !strings.Contains(r.output(), "\r\nInterrupt received.") {
		t.Errorf("the interrupt message does not start its own line:\n%q", r.output())
	}
	time.Sleep(100 * time.Millisecond) // a person's second Ctrl-C
	r.ctrlC(t)
	r.waitFor(t, "Interrupt received again.")
	if code := r.wait(t); code != exitInterrupted {
		t.Fatalf("exit %d, want %d:\n%s", code, exitInterrupted, r.output())
	}
	// The calls under way (one or two, the parallelism) were recorded;
	// the rest never started.
	list, err := runIn(dir, env, "state", "list").Output()
	if err != nil {
		t.Fatal(err)
	}
	n := strings.Count(string(list), "payout.batch")
	if n < 1 || n > 2 {
		t.Fatalf("state holds %d payouts after the interrupted apply, want the 1 or 2 under way:\n%s", n, list)
	}
	if want := fmt.Sprintf("Error: interrupted: %d changes not started; calls under way were finished and recorded", 20-n); !strings.Contains(r.output(), want) {
		t.Errorf("no %q:\n%s", want, r.output())
	}
}

package cmd

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/gateways"
	"github.com/payform/payform/providers/sendlog"
	"github.com/payform/payform/schema"
)

// Issue 12's cells beside the fault matrix, against the in-process
// sandbox: a create that the gateway processes late (the latency fault,
// on the first create only), combined with (a) a killed earlier run whose
// clock was an hour behind or ahead, and (b) a create that waited in
// payform's rate limiter before it left. Each must end with one invoice
// per key, each key having received one create request.

// runLate runs payform in dir against sb with the environment given.
func runLate(t *testing.T, dir string, extra []string, args ...string) (string, error) {
	t.Helper()
	env := []string{"PAYFORM_ACTOR=skew@test"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PAYFORM_") {
			env = append(env, kv)
		}
	}
	cmd := exec.Command(payformBin, args...)
	cmd.Dir, cmd.Env = dir, append(slices.Clone(env), extra...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// onePerKey checks the sandbox holds one object per key of mk, each key
// having received one create request.
func onePerKey(t *testing.T, sb *cellSandbox, mk matrixKind) {
	t.Helper()
	ledger := sb.ledger(mk)
	if len(ledger) != matrixKeys {
		t.Errorf("%d keys at %s, want %d", len(ledger), mk.gateway, matrixKeys)
	}
	for k, objs := range ledger {
		if len(objs) != 1 || objs[0].CreateRequests != 1 {
			t.Errorf("%s: %d objects after %d create requests, want 1 and 1", k, len(objs), objs[0].CreateRequests)
		}
	}
}

func lookupKinds() []matrixKind {
	var out []matrixKind
	for _, mk := range matrixKinds() {
		if mk.rule == ruleLookup {
			out = append(out, mk)
		}
	}
	return out
}

// TestLateCreateAfterSkewedRun: the first apply runs with its clock an
// hour (or a day) off and is killed with its first create on the wire;
// the gateway processes it two seconds later. The next apply, its clock
// right, must not take the earlier run's dates for its own: it keeps
// looking for settle_time from its own first look, finds the invoice and
// adopts it.
func TestLateCreateAfterSkewedRun(t *testing.T) {
	if testing.Short() {
		t.Skip("binary runs")
	}
	for _, mk := range lookupKinds() {
		for _, skew := range []string{"-1h", "1h", "-24h"} {
			t.Run(mk.name+"/"+skew, func(t *testing.T) {
				t.Parallel()
				sb := newCellSandbox(t, emulator.FaultLatency)
				dir := t.TempDir()
				if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(mk.config(sb.url)), 0o644); err != nil {
					t.Fatal(err)
				}
				out, err := runLate(t, dir, []string{"PAYFORM_FAILPOINT=during-call", "PAYFORM_TEST_CLOCK_OFFSET=" + skew}, "apply", "--auto-approve", "--parallelism", "1")
				if !killedBySIGKILL(err) {
					t.Fatalf("the first apply was not killed (%v):\n%s", err, out)
				}
				if out, err := runLate(t, dir, nil, "apply", "--auto-approve", "--parallelism", "1"); err != nil {
					t.Fatalf("recovery: %v\n%s", err, out)
				}
				sb.drain(t)
				onePerKey(t, sb, mk)
			})
		}
	}
}

// TestLateCreateBehindTheLimiter: the account's windows are nearly full
// (its send log says so: 998 requests answered just now, of the 1,000 a
// window holds), so that after the plan's look-up and the first create,
// the second create waits about five seconds in payform's limiter before
// it leaves; the gateway processes it two seconds after it arrived, after
// payform's one-second timeout; settle_time is four seconds. Counted from
// before the wait (six seconds before the first lookup), the first lookup
// would prove absence and send again;
// counted from when the request left, payform keeps looking and adopts
// the late invoice.
func TestLateCreateBehindTheLimiter(t *testing.T) {
	if testing.Short() {
		t.Skip("binary runs")
	}
	const scale = 720 // 1,000 requests (and invoices) an hour: 1,000 in 5 s
	mk := lookupKinds()[0]
	if mk.gateway != "coinpay24" {
		t.Fatalf("the first lookup kind is %s, want coinpay24 (the one with documented limits)", mk.gateway)
	}
	sb := newCellSandboxScaled(t, emulator.FaultLatency, scale)
	sb.armAt = 2 // the second create, the one that waits
	dir := t.TempDir()
	config := strings.NewReplacer("rate_limit_scale = 60", fmt.Sprintf("rate_limit_scale = %d", scale)).Replace(mk.config(sb.url))
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := schema.Load(schema.Options{Dir: dir, Gateways: gateways.All(), Env: []string{}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	log := sendlog.Open(filepath.Join(dir, DefaultStateFile+".sendlog"), sendlog.Options{})
	account := mk.gateway + "|" + cfg.Providers[0].Account() // as providers/gateways keys its limiters
	now := time.Now()
	for i := range 998 {
		s := providers.Send{ID: fmt.Sprintf("fill.%d", i), At: now, Create: true}
		if err := log.Record(account, s); err != nil {
			t.Fatal(err)
		}
		s.Done = now
		if err := log.Record(account, s); err != nil {
			t.Fatal(err)
		}
	}
	log.Close()
	start := time.Now()
	out, err := runLate(t, dir, nil, "apply", "--auto-approve", "--parallelism", "1")
	if err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	if waited := time.Since(start); waited < 6*time.Second {
		t.Fatalf("apply took %s: the second create did not wait for the window (the test does not test what it says)\n%s", waited, out)
	}
	sb.drain(t)
	onePerKey(t, sb, mk)
}

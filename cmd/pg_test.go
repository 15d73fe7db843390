package cmd

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/payform/payform/state"
)

// pgDSN returns the test database, or skips (fails when
// PAYFORM_TEST_PG_REQUIRED is set: CI must run these).
func pgDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("PAYFORM_TEST_PG_DSN")
	if dsn == "" {
		if os.Getenv("PAYFORM_TEST_PG_REQUIRED") != "" {
			t.Fatal("PAYFORM_TEST_PG_REQUIRED is set but PAYFORM_TEST_PG_DSN is not")
		}
		t.Skip("PAYFORM_TEST_PG_DSN is not set: skipping the pg backend's end-to-end tests")
	}
	return dsn
}

// pgSchema returns a fresh schema name, dropped when the test ends.
func pgSchema(t testing.TB, dsn string) string {
	t.Helper()
	name := "payform_e2e_" + state.NewID()[:12]
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, dsn); err == nil {
			conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+name+" CASCADE")
			conn.Close(ctx)
		}
	})
	return name
}

// pgRunner writes a runner's directory: a pg backend on schema, a gateway
// at sandbox serve, n payouts.
func pgRunner(t *testing.T, schema, sandbox string, n int) string {
	t.Helper()
	dir := t.TempDir()
	config := fmt.Sprintf(`payform {
  backend "pg" {
    workspace = "shared"
    schema    = %q
  }
}
provider "wllxpay" {
  endpoint   = "http://%s/wllxpay/api/v1"
  api_key    = "wllxpay-test-key"
  secret_key = "wllxpay-test-secret"
}
payout "batch" {
  for_each   = { for r in csvdecode(file("payouts.csv")) : r.foreign_id => r }
  foreign_id = each.key
  currency   = each.value.currency
  amount     = each.value.amount
  address    = each.value.address
}
`, schema, sandbox)
	for name, data := range map[string]string{"main.hcl": config, "payouts.csv": payoutsCSV(n, "0.001")} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func runIn(dir string, env []string, args ...string) *exec.Cmd {
	c := exec.Command(payformBin, args...)
	c.Dir, c.Env = dir, env
	return c
}

func startSandbox(t *testing.T, faults string) string {
	t.Helper()
	addr := freeAddr(t)
	sb := exec.Command(payformBin, "sandbox", "serve", "--addr", addr, "--faults", faults)
	if err := sb.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Process.Kill(); sb.Wait() })
	waitHTTP(t, "http://"+addr+"/_sandbox/health")
	return addr
}

func checkLedger(t *testing.T, addr string, n int) {
	t.Helper()
	counts := map[string]int{}
	for _, o := range fetchLedger(t, addr) {
		counts[o.Key]++
	}
	for i := 1; i <= n; i++ {
		if c := counts[fmt.Sprintf("po-%d", i)]; c != 1 {
			t.Errorf("po-%d: %d withdrawals, want 1", i, c)
		}
	}
	if len(counts) != n {
		t.Errorf("%d keys at the gateway, want %d", len(counts), n)
	}
}

// TestPGTwoRunners: two runners in separate directories, sharing one pg
// workspace, apply the same 150 payouts at the same time with
// --lock-timeout; both succeed, the gateway has each key once, a third
// runner finds nothing to do, and no local state file is written.
func TestPGTwoRunners(t *testing.T) {
	dsn := pgDSN(t)
	schema := pgSchema(t, dsn)
	sandbox := startSandbox(t, "latency=2ms")
	env := append(os.Environ(), "PAYFORM_PG_CONN_STR="+dsn)
	dirs := []string{pgRunner(t, schema, sandbox, 150), pgRunner(t, schema, sandbox, 150), pgRunner(t, schema, sandbox, 150)}
	var wg sync.WaitGroup
	outs := make([][]byte, 2)
	errs := make([]error, 2)
	for i := range 2 {
		runnerEnv := append(slices.Clone(env), fmt.Sprintf("PAYFORM_ACTOR=runner-%d", i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = runIn(dirs[i], runnerEnv, "apply", "--auto-approve", "--lock-timeout", "60s").CombinedOutput()
		}()
	}
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil {
			t.Fatalf("runner %d: %v\n%s", i, errs[i], outs[i])
		}
	}
	both := string(outs[0]) + string(outs[1])
	if !strings.Contains(both, "Apply complete: 150 created") || !strings.Contains(both, "No changes.") {
		t.Errorf("want one runner to send 150 and the other to find nothing to do:\n%s\n---\n%s", outs[0], outs[1])
	}
	checkLedger(t, sandbox, 150)
	out, err := runIn(dirs[2], env, "plan", "--detailed-exitcode").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "No changes.") {
		t.Errorf("third runner's plan: %v\n%s", err, out)
	}
	for _, d := range dirs {
		if m, _ := filepath.Glob(filepath.Join(d, "*.state.json*")); len(m) > 0 {
			t.Errorf("local state files written with the pg backend: %v", m)
		}
	}
}

// TestPGKilledRunner: a runner killed while it holds the lock leaves no
// lock behind (the advisory lock dies with its session); the next runner
// takes the lock and settles what was in flight, each key once.
func TestPGKilledRunner(t *testing.T) {
	dsn := pgDSN(t)
	schema := pgSchema(t, dsn)
	sandbox := startSandbox(t, "latency=20ms")
	env := append(os.Environ(), "PAYFORM_PG_CONN_STR="+dsn)
	dir := pgRunner(t, schema, sandbox, 300)
	a := runIn(dir, env, "apply", "--auto-approve", "--parallelism", "4")
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once it has sent some, while it holds the lock.
	deadline := time.Now().Add(30 * time.Second)
	for len(fetchLedger(t, sandbox)) < 40 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	a.Process.Signal(syscall.SIGKILL)
	a.Wait()
	sent := len(fetchLedger(t, sandbox))
	if sent == 0 || sent >= 300 {
		t.Fatalf("the kill did not land mid-apply (%d of 300 sent)", sent)
	}
	start := time.Now()
	out, err := runIn(dir, env, "apply", "--auto-approve", "--lock-timeout", "20s").CombinedOutput()
	if err != nil {
		t.Fatalf("next runner: %v\n%s", err, out)
	}
	if waited := time.Since(start); waited > 15*time.Second {
		t.Errorf("the next runner waited %v for a dead runner's lock", waited)
	}
	checkLedger(t, sandbox, 300)
	out, err = runIn(dir, env, "plan", "--detailed-exitcode").CombinedOutput()
	if err != nil {
		t.Errorf("plan after recovery: %v\n%s", err, out)
	}
	t.Logf("killed after %d of 300 sent; the next runner settled the rest", sent)
}

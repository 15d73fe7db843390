package cmd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/sendlog/sendlogtest"
	"github.com/payform/payform/schema"
)

// TestPGSendLogConformance: the pg backend's send log, as apply opens
// it (the sendlog table through pgSendLog), passes the suite every send
// log passes.
func TestPGSendLogConformance(t *testing.T) {
	dsn := pgDSN(t)
	sendlogtest.Run(t, func(t *testing.T) sendlogtest.Opener {
		cfg := &schema.Config{Backend: schema.Backend{Type: "pg", ConnString: dsn, Workspace: "ci", Schema: pgSchema(t, dsn)}}
		return func() providers.SendLog { return (&app{}).openSendLog(cfg) }
	})
}

// TestPGRateLimitTwoMachines: two runners in two directories (two CI
// machines) share one pg state and one CoinPay24 account at `payform
// sandbox serve`, its documented limits scaled by 720 (1,000 requests
// and 1,000 invoices per 5 s). The first is killed (SIGKILL) in the
// middle of the hourly windows and the second starts at once: it reads
// what the first sent from the sendlog table and waits out the window,
// so the sandbox never answers 429 and every invoice is there once. The
// control empties the table before the second starts, which is what a
// send log per directory (a local file on each machine) gives the
// second: it trips the gateway's counter.
func TestPGRateLimitTwoMachines(t *testing.T) {
	if testing.Short() {
		t.Skip("takes as long as the limits allow")
	}
	dsn := pgDSN(t)
	for _, shared := range []bool{true, false} {
		name := map[bool]string{true: "one send log in pg", false: "control, a send log per machine"}[shared]
		t.Run(name, func(t *testing.T) {
			const scale, n = 720, 1500
			addr := rateSandbox(t, scale)
			pgSchemaName := pgSchema(t, dsn)
			env := append(os.Environ(), schema.PGConnStrEnv+"="+dsn)
			var dirs [2]string
			for i := range dirs {
				dirs[i] = invoiceWorkspace(t, addr, scale, n, "")
				backend := fmt.Sprintf("payform {\n  backend \"pg\" {\n    workspace = \"shared\"\n    schema    = %q\n  }\n}\n", pgSchemaName)
				if err := os.WriteFile(filepath.Join(dirs[i], "backend.hcl"), []byte(backend), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			apply := func(dir string, stdout, stderr *strings.Builder) func() error {
				c := runIn(dir, env, "apply", "--auto-approve", "--parallelism", "20", "--lock-timeout", "30s")
				c.Stdout, c.Stderr = stdout, stderr
				return c.Run
			}
			var stdout, stderr strings.Builder
			first := runIn(dirs[0], env, "apply", "--auto-approve", "--parallelism", "20")
			first.Stdout, first.Stderr = &stdout, &stderr
			if err := first.Start(); err != nil {
				t.Fatal(err)
			}
			made := 0
			for deadline := time.Now().Add(30 * time.Second); made < 600; time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					first.Process.Kill()
					first.Wait()
					t.Fatalf("only %d invoices after 30 s\n%s", made, stderr.String())
				}
				made = len(invoices(t, addr))
			}
			first.Process.Signal(syscall.SIGKILL)
			first.Wait()
			killed := len(invoices(t, addr))
			if killed >= n {
				t.Fatalf("the kill landed after all %d invoices were made", n)
			}
			rows := sendlogRows(t, dsn, pgSchemaName, !shared)
			if rows < killed {
				t.Errorf("the sendlog table holds %d sends; the first runner made %d invoices", rows, killed)
			}
			stdout.Reset()
			stderr.Reset()
			err := apply(dirs[1], &stdout, &stderr)()
			r := refused(t, addr)
			if !shared {
				if r == 0 {
					t.Errorf("with a send log per machine the second runner got no 429: the test does not exercise the window")
				}
				t.Logf("control: killed at %d invoices; the second machine, not knowing them, got %d answers of 429", killed, r)
				return
			}
			if err != nil {
				t.Fatalf("the second runner: %v\n%s\n%s", err, stdout.String(), tail(stderr.String(), 20))
			}
			if r != 0 {
				t.Errorf("the sandbox answered 429 %d times across the kill on one machine and the start on another", r)
			}
			checkOnce(t, invoices(t, addr), n)
			for _, d := range dirs {
				if m, _ := filepath.Glob(filepath.Join(d, "*.sendlog")); len(m) > 0 {
					t.Errorf("local send logs written with the pg backend: %v", m)
				}
				if _, err := os.Stat(filepath.Join(d, ".payform", "sendlog")); err == nil {
					t.Errorf("%s/.payform/sendlog written with the pg backend", d)
				}
			}
			t.Logf("killed at %d invoices on one machine, started at once on another: %d invoices, %d answers of 429", killed, n, r)
		})
	}
}

// sendlogRows counts the sends in the schema's sendlog table, deleting
// them if empty is set.
func sendlogRows(t *testing.T, dsn, schemaName string, empty bool) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	table := pgx.Identifier{schemaName, "sendlog"}.Sanitize()
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if empty {
		if _, err := conn.Exec(ctx, `DELETE FROM `+table); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

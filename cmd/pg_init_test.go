package cmd

import (
	"context"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/payform/payform/state"
	"github.com/payform/payform/state/pg"
)

// TestPGInit: init names the pg backend and reads it while another
// process holds the workspace's lock (as an apply under way does),
// without waiting for it and without changing what it holds.
func TestPGInit(t *testing.T) {
	dsn := pgDSN(t)
	schema := pgSchema(t, dsn)
	sandbox := startSandbox(t, "")
	env := append(os.Environ(), "PAYFORM_PG_CONN_STR="+dsn)
	dir := pgRunner(t, schema, sandbox, 3)
	if out, err := runIn(dir, env, "apply", "--auto-approve").CombinedOutput(); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := pg.Open(ctx, pg.Config{ConnString: dsn, Workspace: "shared", Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	held, err := state.Open(ctx, b, state.Options{Operation: "apply", CloseBackend: true})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	serial := held.State().Serial

	start := time.Now()
	out, err := runIn(dir, env, "init").CombinedOutput()
	if err != nil {
		t.Fatalf("init while the lock is held: %v\n%s", err, out)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("init took %v: it waited for the lock", took)
	}
	for _, want := range []string{
		`(?m)^  backend          pg, workspace "shared"$`,
		`(?m)^  status           read without its lock: serial \d+, 3 records$`,
		`(?m)^payform has been initialized: `,
	} {
		if !regexp.MustCompile(want).Match(out) {
			t.Errorf("init's output does not match %s:\n%s", want, out)
		}
	}
	b2, err := pg.Open(ctx, pg.Config{ConnString: dsn, Workspace: "shared", Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	after, err := state.Open(ctx, b2, state.Options{NoLock: true, CloseBackend: true})
	if err != nil {
		t.Fatal(err)
	}
	defer after.Close()
	if got := after.State().Serial; got != serial {
		t.Errorf("the state's serial went from %d to %d", serial, got)
	}
}

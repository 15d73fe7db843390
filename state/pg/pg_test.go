package pg

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/payform/payform/state"
)

// The tests run against a real PostgreSQL named by PAYFORM_TEST_PG_DSN,
// each in a schema of its own that is dropped at the end.

func testDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv("PAYFORM_TEST_PG_DSN")
	if dsn == "" && os.Getenv("PAYFORM_TEST_PG_REQUIRED") != "" {
		tb.Fatal("PAYFORM_TEST_PG_REQUIRED is set but PAYFORM_TEST_PG_DSN is not: CI must run the PostgreSQL backend tests")
	}
	if dsn == "" {
		tb.Skip("PAYFORM_TEST_PG_DSN is not set: skipping the PostgreSQL backend tests " +
			"(e.g. PAYFORM_TEST_PG_DSN='postgres://postgres@127.0.0.1:5432/test?sslmode=disable')")
	}
	return dsn
}

// adminConn is the test's own connection, closed at the end.
func adminConn(tb testing.TB) *pgx.Conn {
	tb.Helper()
	conn, err := pgx.Connect(context.Background(), testDSN(tb))
	if err != nil {
		tb.Fatalf("connecting to PAYFORM_TEST_PG_DSN: %v", err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// testSchema names a fresh schema and drops it when the test ends.
func testSchema(tb testing.TB) string {
	tb.Helper()
	dsn := testDSN(tb)
	name := "payform_test_" + state.NewID()[:12]
	tb.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			tb.Errorf("dropping schema %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), `DROP SCHEMA IF EXISTS `+name+` CASCADE`); err != nil {
			tb.Errorf("dropping schema %s: %v", name, err)
		}
	})
	return name
}

func openBackend(tb testing.TB, schema, workspace string) *Backend {
	tb.Helper()
	b, err := Open(context.Background(), Config{ConnString: testDSN(tb), Schema: schema, Workspace: workspace})
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { b.Close() })
	return b
}

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

func openStore(tb testing.TB, b *Backend) *state.Store {
	tb.Helper()
	s, err := state.Open(context.Background(), b, state.Options{Operation: "test", Actor: "tester", Version: "test", Clock: testClock(), LockTimeout: 5 * time.Second})
	if err != nil {
		tb.Fatalf("state.Open: %v", err)
	}
	return s
}

func intent(addr, key string) *state.Entry {
	return &state.Entry{Op: state.OpIntent, PlanID: "plan-1", Address: addr, Provider: "wllxpay", Key: key,
		Object: &state.Declared{Kind: "payout", Gateway: "wllxpay", Amount: "1.5", Currency: "BTC", Attrs: map[string]string{"address": "bc1q"}}}
}

func outcome(addr, key, id string) *state.Entry {
	return &state.Entry{Op: state.OpOutcome, PlanID: "plan-1", Address: addr, Provider: "wllxpay", Key: key,
		Result: &state.Result{Outcome: state.OutcomeCreated, ID: id, Status: "submitted", RawStatus: "processing"}}
}

func adopt(addr, key string) *state.Entry {
	return &state.Entry{Op: state.OpAdopt, Address: addr, Provider: "wllxpay", Key: key,
		Object: &state.Declared{Kind: "payout", Gateway: "wllxpay", Amount: "1", Currency: "BTC"},
		Result: &state.Result{Outcome: state.OutcomeAdopted, ID: key, Status: "submitted"}}
}

func record(tb testing.TB, s *state.Store, entries ...*state.Entry) {
	tb.Helper()
	for _, e := range entries {
		if err := s.Record(e, true); err != nil {
			tb.Fatalf("Record %s %s: %v", e.Op, e.Address, err)
		}
	}
}

// apply1 starts plan-1, which intent and outcome entries belong to.
func apply1() *state.Entry { return &state.Entry{Op: state.OpApply, PlanID: "plan-1"} }

// kill ends b's sessions from the server, as when its process dies, then
// closes what is left of b without writing anything.
func kill(tb testing.TB, b *Backend) {
	tb.Helper()
	var pids []uint32
	b.mu.Lock()
	if b.held != nil {
		b.held.sess.do(func(c *pgx.Conn) error { pids = append(pids, c.PgConn().PID()); return nil })
	}
	b.mu.Unlock()
	b.main.do(func(c *pgx.Conn) error { pids = append(pids, c.PgConn().PID()); return nil })
	terminate(tb, pids...)
	b.Close() // fails: the sessions are gone
}

// terminate ends PostgreSQL sessions and waits until they are gone.
func terminate(tb testing.TB, pids ...uint32) {
	tb.Helper()
	admin := adminConn(tb)
	ctx := context.Background()
	for _, pid := range pids {
		if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend($1)`, int32(pid)); err != nil {
			tb.Fatal(err)
		}
	}
	for deadline := time.Now().Add(5 * time.Second); ; {
		var n int
		if err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1)`, pids).Scan(&n); err != nil {
			tb.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("sessions %v still alive", pids)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// lockPID is the PostgreSQL session of b's lock.
func lockPID(tb testing.TB, b *Backend) uint32 {
	tb.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.held == nil {
		tb.Fatal("the backend does not hold the lock")
	}
	var pid uint32
	b.held.sess.do(func(c *pgx.Conn) error { pid = c.PgConn().PID(); return nil })
	return pid
}

func journalRows(tb testing.TB, schema, workspace string) int {
	tb.Helper()
	var n int
	err := adminConn(tb).QueryRow(context.Background(), `SELECT count(*) FROM `+schema+`.journal WHERE workspace = $1`, workspace).Scan(&n)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

package pg

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// The conformance suite (providers/sendlog/sendlogtest) runs against
// this SendLog through cmd's adapter, in cmd (TestPGSendLogConformance):
// this package does not import providers. These tests cover what is the
// table's own.

func openSendLog(tb testing.TB, schema, workspace string, opts SendLogOptions) *SendLog {
	tb.Helper()
	l := OpenSendLog(Config{ConnString: testDSN(tb), Schema: schema, Workspace: workspace}, opts)
	tb.Cleanup(func() { l.Close() })
	return l
}

func sendRows(tb testing.TB, schema string) int {
	tb.Helper()
	var n int
	if err := adminConn(tb).QueryRow(context.Background(), `SELECT count(*) FROM `+schema+`.sendlog`).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// TestSendLogSharedBySchema: what a runner of one workspace recorded is
// read by a runner of another workspace of the schema (one gateway
// account, one set of windows), not by another schema, and not under
// another account. The account is kept as a digest.
func TestSendLogSharedBySchema(t *testing.T) {
	schema, elsewhere := testSchema(t), testSchema(t)
	now := time.Now()
	a := openSendLog(t, schema, "treasury", SendLogOptions{})
	if err := a.Record("coinpay24|https://api.example|0123", Send{ID: "r1.1", At: now, Create: true}); err != nil {
		t.Fatal(err)
	}
	if err := a.Record("coinpay24|https://api.example|0123", Send{ID: "r1.1", At: now, Done: now.Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	got, err := openSendLog(t, schema, "payroll", SendLogOptions{}).Load("coinpay24|https://api.example|0123", now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []Send{{ID: "r1.1", At: ceilMicro(now), Done: ceilMicro(now.Add(time.Second)), Create: true}}
	if diff := cmp.Diff(want, got, cmp.Comparer(time.Time.Equal)); diff != "" {
		t.Errorf("another workspace's Load (-want +got):\n%s", diff)
	}
	if got, err := openSendLog(t, schema, "payroll", SendLogOptions{}).Load("coinpay24|https://api.example|4567", now.Add(-time.Hour)); err != nil || len(got) != 0 {
		t.Errorf("another account's Load = %v, %v; want nothing", got, err)
	}
	if got, err := openSendLog(t, elsewhere, "treasury", SendLogOptions{}).Load("coinpay24|https://api.example|0123", now.Add(-time.Hour)); err != nil || len(got) != 0 {
		t.Errorf("another schema's Load = %v, %v; want nothing", got, err)
	}
	var account string
	if err := adminConn(t).QueryRow(context.Background(), `SELECT account FROM `+schema+`.sendlog`).Scan(&account); err != nil {
		t.Fatal(err)
	}
	if account != accountDigest("coinpay24|https://api.example|0123") || strings.Contains(account, "example") {
		t.Errorf("the account is kept as %q, want its digest", account)
	}
}

// TestSendLogCommittedBeforeReturn: a send is in the table once Record
// returned, though the process then dies (its session is ended from the
// server, nothing is closed).
func TestSendLogCommittedBeforeReturn(t *testing.T) {
	schema := testSchema(t)
	now := time.Now()
	a := openSendLog(t, schema, "default", SendLogOptions{})
	if err := a.Record("acct", Send{ID: "x.1", At: now}); err != nil {
		t.Fatal(err)
	}
	var pid uint32
	a.b.main.do(func(c *pgx.Conn) error { pid = c.PgConn().PID(); return nil })
	terminate(t, pid)
	got, err := openSendLog(t, schema, "default", SendLogOptions{}).Load("acct", now.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "x.1" || !got[0].Done.IsZero() {
		t.Errorf("after the session died: %+v, want x.1 under way", got)
	}
	if err := a.Record("acct", Send{ID: "x.2", At: now}); err == nil {
		t.Error("Record on a dead session succeeded")
	}
}

// TestSendLogBounded: a day of sends at 100 an hour keeps the table to
// the hour it keeps (and what was recorded since the last prune), not
// the day; a Load asking for a longer window keeps that long.
func TestSendLogBounded(t *testing.T) {
	schema := testSchema(t)
	now := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	l := openSendLog(t, schema, "default", SendLogOptions{Keep: time.Hour, Now: func() time.Time { return now }})
	l.pruneEvery = 100 // records: 50 sends
	if _, err := l.Load("acct", now.Add(-10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	largest := 0
	for i := range 24 * 100 {
		id := fmt.Sprintf("r.%d", i)
		if err := l.Record("acct", Send{ID: id, At: now}); err != nil {
			t.Fatal(err)
		}
		if err := l.Record("acct", Send{ID: id, At: now, Done: now.Add(200 * time.Millisecond)}); err != nil {
			t.Fatal(err)
		}
		now = now.Add(36 * time.Second)
		if i%25 == 0 {
			largest = max(largest, sendRows(t, schema))
		}
	}
	// An hour is 100 sends; 50 more may wait for the next prune.
	if largest > 151 {
		t.Errorf("the table grew to %d rows; an hour of sends is 100", largest)
	}
	got, err := l.Load("acct", now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 100 {
		t.Errorf("%d sends in the last hour, want 100", len(got))
	}
	if n := sendRows(t, schema); n != 100 {
		t.Errorf("%d rows after a Load, want the hour's 100", n)
	}
	// A window of two hours keeps two hours from now on.
	if _, err := l.Load("acct", now.Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		if err := l.Record("acct", Send{ID: fmt.Sprintf("s.%d", i), At: now}); err != nil {
			t.Fatal(err)
		}
		now = now.Add(36 * time.Second)
	}
	if got, _ := l.Load("acct", now.Add(-2*time.Hour)); len(got) != 200 {
		t.Errorf("%d sends in the last two hours, want 200", len(got))
	}
}

// TestSendLogRoundsUp: times are kept to the microsecond, rounded up
// (later is the safe side), never down.
func TestSendLogRoundsUp(t *testing.T) {
	l := openSendLog(t, testSchema(t), "default", SendLogOptions{})
	at := time.Date(2026, 11, 21, 10, 0, 0, 1_000_001, time.UTC) // 1 ms and 1 ns
	if err := l.Record("acct", Send{ID: "x.1", At: at}); err != nil {
		t.Fatal(err)
	}
	if err := l.Record("acct", Send{ID: "x.1", At: at, Done: at.Add(999)}); err != nil {
		t.Fatal(err)
	}
	got, err := l.Load("acct", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 11, 21, 10, 0, 0, 1_001_000, time.UTC)
	if len(got) != 1 || !got[0].At.Equal(want) || !got[0].Done.Equal(want) {
		t.Errorf("Load = %+v, want At and Done %v", got, want)
	}
}

// TestSendLogLazy: opening a log connects to nothing; it connects (and
// creates the schema) on first use, on a connection named for it; after
// Close it refuses.
func TestSendLogLazy(t *testing.T) {
	schema := testSchema(t)
	l := openSendLog(t, schema, "ci", SendLogOptions{})
	ctx := context.Background()
	admin := adminConn(t)
	var exists bool
	if err := admin.QueryRow(ctx, `SELECT to_regnamespace($1) IS NOT NULL`, schema).Scan(&exists); err != nil || exists {
		t.Fatalf("the schema exists before the log was used: %v %v", exists, err)
	}
	if _, err := l.Load("acct", time.Now()); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1`, "payform sendlog pg:"+schema+"/ci").Scan(&n); err != nil || n != 1 {
		t.Errorf("%d connections named for the send log (%v), want 1", n, err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Record("acct", Send{ID: "x.1", At: time.Now()}); err != errSendLogClosed {
		t.Errorf("Record after Close = %v, want %v", err, errSendLogClosed)
	}
	bad := OpenSendLog(Config{ConnString: "postgres://nobody:hunter2@127.0.0.1:1/none?connect_timeout=2", Schema: schema}, SendLogOptions{})
	_, err := bad.Load("acct", time.Now())
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "connecting to PostgreSQL") {
		t.Errorf("Load on an unreachable database = %v, want a connection error without the password", err)
	}
}

// BenchmarkSendLogRecord: one request's two records, its send and its
// answer; the limiter waits for the first before the request leaves.
// Target: under 1 ms an op against a local PostgreSQL, so the send log
// costs a CoinPay24 window (200 a minute) nothing measurable.
func BenchmarkSendLogRecord(b *testing.B) {
	l := openSendLog(b, testSchema(b), "default", SendLogOptions{})
	now := time.Now()
	if _, err := l.Load("acct", now.Add(-time.Hour)); err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		id := fmt.Sprintf("r.%d", i)
		if err := l.Record("acct", Send{ID: id, At: now}); err != nil {
			b.Fatal(err)
		}
		if err := l.Record("acct", Send{ID: id, At: now, Done: now}); err != nil {
			b.Fatal(err)
		}
	}
}

package cmd

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/payform/payform/state"
)

// TestPGRunnerRole follows the README's recipe for the pg backend (its
// SQL as written, the names made unique): an owner role owns the schema
// and its tables, and every command runs as a runner role with the
// README's grants: plan, apply of the saved plan to payform sandbox
// serve (WllxPay payouts and CoinPay24 invoices, so the send log is
// written), callback ingest, refresh, state rm, force-unlock of a lock
// left by a killed apply, callback list, audit verify. As the runner,
// changing, deleting or truncating journal, head, plan and inbox rows is
// refused for want of the privilege, and with every privilege granted
// by the triggers; disabling or dropping the triggers, replacing their
// function or taking the owner's role is refused for want of ownership.
// The rows and audit verify's account are unchanged.
func TestPGRunnerRole(t *testing.T) {
	dsn := pgDSN(t)
	schema := pgSchema(t, dsn)
	r := recipeRoles(t, dsn, schema)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())

	hook := newHookRecorder(t)
	sandbox := freeAddr(t)
	sb := exec.Command(payformBin, "sandbox", "serve", "--addr", sandbox, "--callback-url", hook.url+"/wllxpay", "--wllxpay-confirm-after", "1h")
	if err := sb.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Process.Kill(); sb.Wait() })
	waitHTTP(t, "http://"+sandbox+"/_sandbox/health")

	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "main.hcl"), fmt.Sprintf(`payform {
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
  provider   = wllxpay
  for_each   = { for r in csvdecode(file("payouts.csv")) : r.foreign_id => r }
  foreign_id = each.key
  currency   = each.value.currency
  amount     = each.value.amount
  address    = each.value.address
}
provider "coinpay24" {
  endpoint    = "http://%s/coinpay24/v1"
  api_key     = "coinpay24-test-key"
  settle_time = "1s"
}
invoice_batch "orders" {
  provider = coinpay24
  currency = "USD"
  invoices = { "ord-1" = { amount = "10.00" }, "ord-2" = { amount = "12.50" } }
}
`, schema, sandbox, sandbox))
	writeFile(t, filepath.Join(dir, "payouts.csv"), payoutsCSV(3, "0.001"))
	base := append(slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "PG") }), "PAYFORM_ACTOR=ci@runner")
	asRunner := append(slices.Clone(base), "PAYFORM_PG_CONN_STR="+r.dsn)
	asAdmin := append(slices.Clone(base), "PAYFORM_PG_CONN_STR="+dsn)
	run := func(env []string, args ...string) string {
		t.Helper()
		out, err := runIn(dir, env, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("payform %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		t.Logf("payform %s:\n%s", strings.Join(args, " "), out)
		return string(out)
	}
	expect := func(out, pattern string) {
		t.Helper()
		if !regexp.MustCompile(pattern).MatchString(out) {
			t.Errorf("output does not match %s:\n%s", pattern, out)
		}
	}

	// Before the owner has run payform, the runner is refused, told what
	// to do, and creates nothing.
	out, err := runIn(dir, asRunner, "plan").CombinedOutput()
	want := fmt.Sprintf("Error: pg:%s/shared: the schema %s has none of payform's tables yet, and role %s may not migrate it: it is not the schema's owner (%s) nor a member of that role. Run payform once as %s or a member of it (payform init will do), then grant %s the privileges on the new tables that README's \"State\" section lists\n",
		schema, schema, r.runner, r.owner, r.owner, r.runner)
	if processExit(err) != 1 || string(out) != want {
		t.Fatalf("plan as the runner before the tables exist: %v\n%s\nwant:\n%s", err, out, want)
	}
	// A superuser's payform init creates the tables, owned by the owner.
	expect(run(asAdmin, "init"), `(?m)^payform has been initialized: `)
	var notOwned []string
	rows, _ := admin.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tableowner <> $2`, schema, r.owner)
	if notOwned, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil || len(notOwned) > 0 {
		t.Fatalf("tables not owned by %s: %v %v", r.owner, notOwned, err)
	}
	if _, err := admin.Exec(ctx, r.grants); err != nil {
		t.Fatalf("the README's grants: %v", err)
	}

	// Every command, as the runner.
	expect(run(asRunner, "plan", "--out", "reviewed.plan"), `(?m)^Saved the plan to reviewed\.plan `)
	expect(run(asRunner, "apply", "reviewed.plan"), `(?m)^Apply complete: 5 created, 0 adopted, 0 forgotten\.$`)
	status := func(key, status string) string {
		t.Helper()
		resp, err := http.Post("http://"+sandbox+"/_sandbox/wllxpay/status", "application/json", strings.NewReader(`{"foreign_id":"`+key+`","status":"`+status+`"}`))
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("setting %s to %s: %v %v", key, status, err, resp)
		}
		resp.Body.Close()
		return hook.wait(t, `"`+key+`"`)
	}
	writeFile(t, filepath.Join(dir, "po-2.http"), status("po-2", "error"))
	expect(run(asRunner, "callback", "ingest", "--request", "po-2.http", "--gateway", "wllxpay"),
		`^Verified by signature with provider wllxpay; kept as inbox item #1: wllxpay withdrawal \d+ error \(key "po-2"\)\.`)
	expect(run(asRunner, "refresh"), `(?m)^Refresh: 1 status taken in from callbacks`)
	// po-3 is no longer declared, po-4 is new.
	lines := strings.Split(payoutsCSV(4, "0.001"), "\n") // the header, po-1 ... po-4
	writeFile(t, filepath.Join(dir, "payouts.csv"), strings.Join(slices.Delete(lines, 3, 4), "\n"))
	expect(run(asRunner, "state", "rm", `payout.batch["po-3"]`), `^Removed payout.batch\["po-3"\] \(key "po-3" stays reserved\)\n$`)
	// A callback for the forgotten record: the next command to take the
	// inbox in keeps it apart, with a note (callback list shows it).
	writeFile(t, filepath.Join(dir, "po-3.http"), status("po-3", "confirmed"))
	expect(run(asRunner, "callback", "ingest", "--request", "po-3.http", "--gateway", "wllxpay"), `kept as inbox item #2: `)

	// An apply waiting at its prompt holds the lock: force-unlock is
	// refused; killed, it leaves its lease, which force-unlock removes.
	waiting := runIn(dir, asRunner, "apply")
	stdin, _ := waiting.StdinPipe()
	defer stdin.Close()
	if err := waiting.Start(); err != nil {
		t.Fatal(err)
	}
	var lockID string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if admin.QueryRow(ctx, `SELECT lock_id FROM `+schema+`.lock_leases WHERE workspace = 'shared'`).Scan(&lockID) == nil {
			break
		}
		if time.Now().After(deadline) {
			waiting.Process.Kill()
			t.Fatal("the waiting apply never took the lock")
		}
	}
	out, err = runIn(dir, asRunner, "force-unlock", lockID).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "whose session is alive") {
		t.Errorf("force-unlock of a live lock: %v\n%s", err, out)
	}
	waiting.Process.Signal(syscall.SIGKILL)
	waiting.Wait()
	want = fmt.Sprintf("Removed lock lease %s of pg:%s/shared.\n", lockID, schema)
	if out := run(asRunner, "force-unlock", lockID); out != want {
		t.Errorf("force-unlock of a dead lock's lease = %q, want %q", out, want)
	}
	expect(run(asRunner, "apply", "--auto-approve"), `(?m)^Apply complete: 1 created, `)
	for _, table := range []string{"inbox_folded", "inbox_notes", "sendlog"} {
		if rowCount(t, admin, schema, table) == 0 {
			t.Errorf("%s has no rows: the test does not exercise it", table)
		}
	}
	expect(run(asRunner, "callback", "list"), `wllxpay withdrawal \d+ confirmed \(key "po-3"\) +kept apart: for a record no longer managed`)
	verified := run(asRunner, "audit", "verify")
	expect(verified, `(?m)^Verified pg:`+schema+`/shared: \d+ journal entries replayed from the first`)

	// What the runner may not do: with the README's grants, change or
	// remove evidence for want of the privilege, or reach the triggers
	// for want of ownership; and with every privilege on those tables
	// (GRANT ALL, as a careless DBA might), change or remove it past the
	// triggers, which still only the owner can disable or drop.
	rows0 := evidence(t, admin, schema)
	runner, err := pgx.Connect(ctx, r.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer runner.Close(context.Background())
	try := func(sql, want string) {
		t.Helper()
		_, err := runner.Exec(ctx, sql)
		var pe *pgconn.PgError
		got := fmt.Sprint(err)
		if errors.As(err, &pe) {
			got = pe.Code + " " + pe.Message
		}
		if got != want {
			t.Errorf("as the runner, %s: %s\nwant %s", sql, got, want)
		}
	}
	evidenceTables := []string{"journal", "heads", "plans", "inbox"}
	for _, allGranted := range []bool{false, true} {
		if allGranted {
			for _, table := range evidenceTables {
				if _, err := admin.Exec(ctx, `GRANT ALL PRIVILEGES ON `+schema+`.`+table+` TO `+r.runner); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, table := range evidenceTables {
			q := schema + "." + table
			refused := `42501 permission denied for table ` + table
			if allGranted {
				refused = `P0001 the payform journal is append-only: %s refused`
			}
			try(`UPDATE `+q+` SET workspace = workspace`, strings.ReplaceAll(refused, "%s", "UPDATE"))
			try(`DELETE FROM `+q, strings.ReplaceAll(refused, "%s", "DELETE"))
			try(`TRUNCATE `+q, strings.ReplaceAll(refused, "%s", "TRUNCATE"))
			try(`ALTER TABLE `+q+` DISABLE TRIGGER `+table+`_append_only`, `42501 must be owner of table `+table)
			try(`ALTER TABLE `+q+` DISABLE TRIGGER USER`, `42501 must be owner of table `+table)
			try(`DROP TRIGGER `+table+`_append_only ON `+q, `42501 must be owner of relation `+table)
			try(`ALTER TABLE `+q+` OWNER TO `+r.runner, `42501 must be owner of table `+table)
			try(`DROP TABLE `+q, `42501 must be owner of table `+table)
		}
	}
	try(`CREATE OR REPLACE FUNCTION `+schema+`.journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$`,
		`42501 permission denied for schema `+schema)
	try(`ALTER FUNCTION `+schema+`.journal_append_only() OWNER TO `+r.runner, `42501 must be owner of function journal_append_only`)
	try(`CREATE TABLE `+schema+`.journal_copy (LIKE `+schema+`.journal)`, `42501 permission denied for schema `+schema)
	try(`SET ROLE `+r.owner, `42501 permission denied to set role "`+r.owner+`"`)
	if diff := cmp.Diff(rows0, evidence(t, admin, schema)); diff != "" {
		t.Errorf("the append-only tables changed (-before +after):\n%s", diff)
	}
	if again := run(asRunner, "audit", "verify"); again != verified {
		t.Errorf("audit verify after the attempts:\n%s\nbefore them:\n%s", again, verified)
	}
	keys := map[string]int{}
	for _, o := range fetchLedger(t, sandbox) {
		keys[o.Key]++
	}
	if diff := cmp.Diff(map[string]int{"po-1": 1, "po-2": 1, "po-3": 1, "po-4": 1, "ord-1": 1, "ord-2": 1}, keys); diff != "" {
		t.Errorf("the gateways' objects by key (-want +got):\n%s", diff)
	}
}

// pgRoles are the README recipe's roles, made for one schema.
type pgRoles struct {
	owner, runner string
	dsn           string // the runner's connection string
	grants        string // the recipe's grants, for the schema and the runner
}

// recipeRoles runs the README's roles-and-schema SQL for schema, with
// roles of its own, dropped with what they own when the test ends.
func recipeRoles(t *testing.T, dsn, schema string) pgRoles {
	t.Helper()
	blocks := readmeSQL(t)
	id := state.NewID()[:10]
	password := state.NewID()
	r := pgRoles{owner: "payform_owner_" + id, runner: "payform_ci_" + id}
	sub := func(sql string) string {
		sql = strings.NewReplacer("payform_owner", r.owner, "payform_ci", r.runner, "'change-me'", "'"+password+"'").Replace(sql)
		return regexp.MustCompile(`\bpayform\b`).ReplaceAllString(sql, schema)
	}
	r.grants = sub(blocks[1])
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, fmt.Sprintf(`DROP OWNED BY %s, %s CASCADE; DROP ROLE %s; DROP ROLE %s`, r.owner, r.runner, r.owner, r.runner)); err != nil {
			t.Errorf("dropping the roles: %v", err)
		}
	})
	if _, err := conn.Exec(ctx, sub(blocks[0])); err != nil {
		t.Fatalf("the README's roles and schema: %v", err)
	}
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		t.Fatalf("PAYFORM_TEST_PG_DSN must be a URL for this test: %v", err)
	}
	u.User = url.UserPassword(r.runner, password)
	r.dsn = u.String()
	return r
}

// readmeSQL is the ```sql blocks of the README's "State" section.
func readmeSQL(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(data), "\n## State\n")
	section, _, _ = strings.Cut(section, "\n## ")
	var blocks []string
	for {
		_, rest, ok := strings.Cut(section, "```sql\n")
		if !ok {
			break
		}
		var block string
		block, section, _ = strings.Cut(rest, "```")
		blocks = append(blocks, block)
	}
	if len(blocks) != 2 {
		t.Fatalf("README's \"State\" section has %d sql blocks, want 2 (the roles and the schema, then the grants)", len(blocks))
	}
	return blocks
}

// evidence is every row of the append-only tables, as text.
func evidence(t *testing.T, conn *pgx.Conn, schema string) []string {
	t.Helper()
	var all []string
	for _, table := range []string{"journal", "heads", "plans", "inbox"} {
		rows, err := conn.Query(context.Background(), `SELECT t::text FROM `+schema+`.`+table+` t ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			t.Errorf("%s has no rows: the test does not exercise it", table)
		}
		for _, row := range got {
			all = append(all, table+" "+row)
		}
	}
	return all
}

func rowCount(t *testing.T, conn *pgx.Conn, schema, table string) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM `+schema+`.`+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// hookRecorder is a callback receiver that keeps every request raw.
type hookRecorder struct {
	url  string
	mu   sync.Mutex
	seen []string
}

func newHookRecorder(t *testing.T) *hookRecorder {
	h := &hookRecorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, err := httputil.DumpRequest(r, true)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		h.seen = append(h.seen, string(raw))
		h.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	h.url = srv.URL
	return h
}

// wait returns the first request that contains s.
func (h *hookRecorder) wait(t *testing.T, s string) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		h.mu.Lock()
		for _, raw := range h.seen {
			if strings.Contains(raw, s) {
				h.mu.Unlock()
				return raw
			}
		}
		h.mu.Unlock()
	}
	t.Fatalf("no callback containing %s arrived", s)
	return ""
}

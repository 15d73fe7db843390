package pg

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/payform/payform/state"
	"github.com/payform/payform/state/statetest"
)

// The runner role of README's "State" section: one role owns the schema
// and its tables, payform runs as another that may read and write the
// rows it must and nothing more. These tests run the README's SQL as
// written, with the names made unique.

// recipe is the README's SQL: the roles and the schema, then the grants.
func recipe(t testing.TB) (setup, grants string) {
	t.Helper()
	blocks := sqlBlocks(t, "../../README.md", "## State")
	if len(blocks) != 2 {
		t.Fatalf("README's \"State\" section has %d sql blocks, want 2 (the roles and the schema, then the grants)", len(blocks))
	}
	return blocks[0], blocks[1]
}

// sqlBlocks returns the ```sql blocks of the file's section that starts
// with the heading.
func sqlBlocks(t testing.TB, path, heading string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("%s has no heading %q", path, heading)
	}
	if i := strings.Index(section, "\n## "); i >= 0 {
		section = section[:i]
	}
	var blocks []string
	for {
		_, rest, ok := strings.Cut(section, "```sql\n")
		if !ok {
			return blocks
		}
		block, after, _ := strings.Cut(rest, "```")
		blocks, section = append(blocks, block), after
	}
}

// TestRecipeInGitops: docs/gitops.md gives the README's SQL, unchanged.
func TestRecipeInGitops(t *testing.T) {
	setup, grants := recipe(t)
	if diff := cmp.Diff([]string{setup, grants}, sqlBlocks(t, "../../docs/gitops.md", "## 1. State that both jobs share")); diff != "" {
		t.Errorf("docs/gitops.md's sql differs from README's (-README +gitops):\n%s", diff)
	}
}

// roles are an owner and a runner made by the recipe for one schema.
type roles struct {
	owner, runner string
	dsn           string // the runner's connection string
	grants        string // the recipe's grants for the schema and the runner
}

var word = regexp.MustCompile(`\bpayform\b`)

// setupRoles runs the recipe's setup for schema, with roles of its own,
// dropped (with what they own) when the test ends.
func setupRoles(t testing.TB, schema string) roles {
	t.Helper()
	id := state.NewID()[:10]
	password := state.NewID()
	r := roles{owner: "payform_owner_" + id, runner: "payform_ci_" + id}
	sub := func(sql string) string {
		sql = strings.NewReplacer("payform_owner", r.owner, "payform_ci", r.runner, "'change-me'", "'"+password+"'").Replace(sql)
		return word.ReplaceAllString(sql, schema)
	}
	setup, grants := recipe(t)
	r.grants = sub(grants)
	admin := adminConn(t)
	t.Cleanup(func() {
		ctx := context.Background()
		_, err := admin.Exec(ctx, fmt.Sprintf(`DROP OWNED BY %s, %s CASCADE; DROP ROLE %s; DROP ROLE %s`, r.owner, r.runner, r.owner, r.runner))
		if err != nil {
			t.Errorf("dropping the roles: %v", err)
		}
	})
	if _, err := admin.Exec(context.Background(), sub(setup)); err != nil {
		t.Fatalf("the README's roles and schema: %v", err)
	}
	r.dsn = withUser(t, testDSN(t), r.runner, password)
	return r
}

// withUser is dsn connecting as user with password.
func withUser(t testing.TB, dsn, user, password string) string {
	t.Helper()
	if !strings.Contains(dsn, "://") {
		return dsn + " user=" + user + " password=" + password
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("PAYFORM_TEST_PG_DSN is not a URL: %v", err)
	}
	u.User = url.UserPassword(user, password)
	return u.String()
}

// owners lists the schema's tables and functions with their owners.
func owners(t testing.TB, schema string) []string {
	t.Helper()
	rows, err := adminConn(t).Query(context.Background(), `
SELECT 'table ' || tablename || ' ' || tableowner FROM pg_tables WHERE schemaname = $1
UNION ALL
SELECT 'function ' || p.proname || ' ' || pg_get_userbyid(p.proowner) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1
ORDER BY 1`, schema)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestRunnerRole: a runner that does not own the schema may not create
// its tables and is told what to do; a superuser's run creates them
// owned by the schema's owner; with the recipe's grants the runner runs
// payform on the current schema without DDL, and is refused again,
// naming the missing migration, when the schema is behind.
func TestRunnerRole(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	schema := testSchema(t)
	r := setupRoles(t, schema)
	admin := adminConn(t)

	_, err := Open(ctx, Config{ConnString: r.dsn, Schema: schema})
	want := fmt.Sprintf(`pg:%s/default: the schema %s has none of payform's tables yet, and role %s may not migrate it: `+
		`it is not the schema's owner (%s) nor a member of that role. Run payform once as %s or a member of it (payform init will do), `+
		`then grant %s the privileges on the new tables that README's "State" section lists`, schema, schema, r.runner, r.owner, r.owner, r.runner)
	if err == nil || err.Error() != want {
		t.Fatalf("Open as the runner before the tables exist = %v\nwant %s", err, want)
	}
	if got := owners(t, schema); len(got) != 0 {
		t.Fatalf("the refused Open made %v", got)
	}

	openBackend(t, schema, "").Close() // as the test's superuser
	var wantOwners []string
	for _, table := range []string{"heads", "inbox", "inbox_folded", "inbox_notes", "journal", "lock_leases", "migrations", "plans", "sendlog", "workspaces"} {
		wantOwners = append(wantOwners, "table "+table+" "+r.owner)
	}
	wantOwners = append([]string{"function journal_append_only " + r.owner}, wantOwners...)
	if diff := cmp.Diff(wantOwners, owners(t, schema)); diff != "" {
		t.Fatalf("owners after a superuser migrated (-want +got):\n%s", diff)
	}
	if _, err := admin.Exec(ctx, r.grants); err != nil {
		t.Fatalf("the README's grants: %v", err)
	}

	runner, err := Open(ctx, Config{ConnString: r.dsn, Schema: schema})
	if err != nil {
		t.Fatalf("Open as the runner on the current schema: %v", err)
	}
	s := openStore(t, runner)
	record(t, s, apply1(), intent(`payout.a["1"]`, "po-1"), outcome(`payout.a["1"]`, "po-1", "w-1"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	st, _, err := runner.Load(ctx)
	if err != nil || st == nil || st.JournalSeq != 3 {
		t.Fatalf("Load as the runner = %v, %v", st, err)
	}
	runner.Close()

	// A payform that knows a migration the schema lacks.
	if _, err := admin.Exec(ctx, `DROP TABLE `+schema+`.sendlog; DELETE FROM `+schema+`.migrations WHERE version = 5`); err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, Config{ConnString: r.dsn, Schema: schema})
	want = fmt.Sprintf(`pg:%s/default: the schema %s is at version 4 and this payform needs version 5 (send log), and role %s may not migrate it: `+
		`it is not the schema's owner (%s) nor a member of that role. Run payform once as %s or a member of it (payform init will do), `+
		`then grant %s the privileges on the new tables that README's "State" section lists`, schema, schema, r.runner, r.owner, r.owner, r.runner)
	if err == nil || err.Error() != want {
		t.Fatalf("Open as the runner on a schema behind = %v\nwant %s", err, want)
	}
	openBackend(t, schema, "").Close()
	if _, err := admin.Exec(ctx, r.grants); err != nil {
		t.Fatalf("the README's grants, again: %v", err)
	}
	if got := owners(t, schema); !slices.Contains(got, "table sendlog "+r.owner) {
		t.Errorf("owners after the migration: %v", got)
	}
	log := OpenSendLog(Config{ConnString: r.dsn, Schema: schema}, SendLogOptions{})
	defer log.Close()
	if err := log.Record("acct", Send{ID: "r-1", At: time.Now()}); err != nil {
		t.Errorf("Record as the runner: %v", err)
	}
	if sends, err := log.Load("acct", time.Now().Add(-time.Hour)); err != nil || len(sends) != 1 {
		t.Errorf("Load as the runner = %v, %v", sends, err)
	}
}

// TestRunnerRoleWithoutGrants: a runner the grants were not given, or
// whose schema was never made, is told what to do, not only that it was
// refused.
func TestRunnerRoleWithoutGrants(t *testing.T) {
	schema := testSchema(t)
	r := setupRoles(t, schema)
	openBackend(t, schema, "").Close()
	_, err := Open(context.Background(), Config{ConnString: r.dsn, Schema: schema})
	want := fmt.Sprintf(`pg:%s/default: reading the schema version: ERROR: permission denied for table migrations (SQLSTATE 42501): `+
		`grant the role payform connects as USAGE on schema %s and the privileges on its tables that README's "State" section lists`, schema, schema)
	if err == nil || err.Error() != want {
		t.Errorf("Open without the grants = %v\nwant %s", err, want)
	}

	var create bool
	if err := adminConn(t).QueryRow(context.Background(), `SELECT has_database_privilege($1, current_database(), 'CREATE')`, r.runner).Scan(&create); err != nil || create {
		t.Fatalf("the runner may create schemas in the test database (%v): this case needs a database where PUBLIC may not", err)
	}
	missing := testSchema(t)
	_, err = Open(context.Background(), Config{ConnString: r.dsn, Schema: missing})
	want = fmt.Sprintf(`pg:%s/default: the schema %s does not exist, and role %s may not create it: `+
		`create it for the role that is to own payform's tables (CREATE SCHEMA %s AUTHORIZATION payform_owner), `+
		`run payform once as a member of that role or a superuser (payform init will do), then grant %s the privileges README's "State" section lists`,
		missing, missing, r.runner, missing, r.runner)
	if err == nil || err.Error() != want {
		t.Errorf("Open of a missing schema = %v\nwant %s", err, want)
	}
}

// TestSuiteAsRunner runs the conformance suite with every backend
// connected as the recipe's runner: the grants cover everything a
// backend does. The messages are those of TestSuite.
func TestSuiteAsRunner(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole suite again")
	}
	testDSN(t)
	statetest.Run(t, statetest.Suite{
		New: func(t *testing.T) statetest.Workspace {
			schema := testSchema(t)
			r := setupRoles(t, schema)
			openBackend(t, schema, "").Close()
			if _, err := adminConn(t).Exec(context.Background(), r.grants); err != nil {
				t.Fatalf("the README's grants: %v", err)
			}
			return statetest.Workspace{
				Open: func(t *testing.T, key state.Key) state.Backend {
					b, err := Open(context.Background(), Config{ConnString: r.dsn, Schema: schema, AuditKey: key})
					if err != nil {
						t.Fatalf("Open as the runner: %v", err)
					}
					t.Cleanup(func() { b.Close() })
					return b
				},
				Raw: &tables{conn: adminConn(t), schema: schema, workspace: DefaultWorkspace},
			}
		},
		Kill:     func(t *testing.T, s *state.Store) { kill(t, s.Backend().(*Backend)) },
		LoseLock: func(t *testing.T, s *state.Store) { terminate(t, lockPID(t, s.Backend().(*Backend))) },
		Changed:  ErrChanged,
		Golden:   "testdata/statetest.golden",
	})
}

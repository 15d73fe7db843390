package pg

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestOpenValidatesNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"schema with a quote", Config{Schema: `payform"; DROP TABLE x; --`}, "schema \"payform\\\"; DROP TABLE x; --\" is not a valid name"},
		{"upper-case schema", Config{Schema: "Payform"}, "is not a valid name"},
		{"system schema", Config{Schema: "pg_catalog"}, "is not a valid name"},
		{"long schema", Config{Schema: strings.Repeat("a", 64)}, "is not a valid name"},
		{"workspace with a slash", Config{Workspace: "team/prod"}, `workspace "team/prod" is not a valid name`},
		{"workspace with a space", Config{Workspace: "prod "}, "is not a valid name"},
		{"workspace starting with a dot", Config{Workspace: ".prod"}, "is not a valid name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(context.Background(), tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Open = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestConnStringIsNeverShown: neither the connection string nor its
// password appears in an error, whatever goes wrong.
func TestConnStringIsNeverShown(t *testing.T) {
	for _, conn := range []string{
		"postgres://alice:s3cret-pw@127.0.0.1:1/db?sslmode=disable&connect_timeout=2",
		"host=127.0.0.1 port=1 user=alice password=s3cret-pw sslmode=disable connect_timeout=2",
		"postgres://alice:s3cret-pw@[::1/db",
		"host=127.0.0.1 port=notaport password=s3cret-pw",
		"postgres://alice:s3cret-pw@127.0.0.1:1/db?sslmode=bogus",
	} {
		_, err := Open(context.Background(), Config{ConnString: conn})
		if err == nil {
			t.Errorf("Open(%q) succeeded", conn)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "s3cret-pw") || strings.Contains(msg, conn) {
			t.Errorf("the error shows the connection string: %s", msg)
		} else {
			t.Logf("%s", msg)
		}
	}
}

func TestDescribe(t *testing.T) {
	schema := testSchema(t)
	if got, want := openBackend(t, schema, "").Describe(), "pg:"+schema+"/default"; got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
	if got, want := openBackend(t, schema, "team-prod").Describe(), "pg:"+schema+"/team-prod"; got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
}

func TestMigrations(t *testing.T) {
	schema := testSchema(t)
	dsn := testDSN(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			b, err := Open(context.Background(), Config{ConnString: dsn, Schema: schema})
			if err != nil {
				t.Errorf("concurrent Open: %v", err)
				return
			}
			b.Close()
		})
	}
	wg.Wait()
	admin := adminConn(t)
	ctx := context.Background()
	rows, err := admin.Query(ctx, `SELECT version FROM `+schema+`.migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	var versions []int
	for rows.Next() {
		var v int
		rows.Scan(&v)
		versions = append(versions, v)
	}
	if diff := cmp.Diff([]int{1, 2, 3, 4, 5}, versions); diff != "" {
		t.Errorf("applied migrations (-want +got):\n%s", diff)
	}
	rows, err = admin.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, schema)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		rows.Scan(&name)
		tables = append(tables, name)
	}
	if diff := cmp.Diff([]string{"heads", "inbox", "inbox_folded", "inbox_notes", "journal", "lock_leases", "migrations", "plans", "sendlog", "workspaces"}, tables); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}

	if _, err := admin.Exec(ctx, `INSERT INTO `+schema+`.migrations (version, name) VALUES (99, 'from the future')`); err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, Config{ConnString: dsn, Schema: schema})
	if want := "pg:" + schema + "/default: the schema is at version 99; this payform knows up to 5: upgrade payform"; err == nil || err.Error() != want {
		t.Errorf("Open of a newer schema = %v, want %s", err, want)
	}
}

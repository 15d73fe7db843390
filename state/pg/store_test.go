package pg

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/payform/payform/state"
)

// TestJournalColumns: a row's columns beside its line (seq, prev, hash,
// end_off) are checked against it on every load and by audit verify, so
// that rows cannot be reordered or spliced by their columns. (Tampering
// with the lines themselves is the suite's JournalTamper.)
func TestJournalColumns(t *testing.T) {
	schema := testSchema(t)
	admin := adminConn(t)
	for _, tc := range []struct {
		name    string
		change  string // SQL on the workspace's rows ($1)
		seq     uint64
		message string
	}{
		{"rehashed column", `UPDATE {s}.journal SET hash = 'x' WHERE workspace = $1 AND seq = 2`,
			2, "journal: entry 2 is corrupt: the row's seq, prev or hash column differs from its line"},
		{"renumbered row", `UPDATE {s}.journal SET seq = 9 WHERE workspace = $1 AND seq = 4`,
			9, "journal: entry 9 is corrupt: the row's seq, prev or hash column differs from its line"},
		{"shifted offset", `UPDATE {s}.journal SET end_off = end_off + 1 WHERE workspace = $1 AND seq = 2`,
			2, "journal: entry 2 is corrupt: its end_off is"},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			ws := strings.ReplaceAll(tc.name, " ", "-")
			b := openBackend(t, schema, ws)
			s := openStore(t, b)
			record(t, s, apply1(), intent(`payout.a["1"]`, "k1"))
			s.Close() // the snapshot's head is entry 2
			s = openStore(t, openBackend(t, schema, ws))
			record(t, s, outcome(`payout.a["1"]`, "k1", "101"), intent(`payout.a["2"]`, "k2"))
			kill(t, s.Backend().(*Backend))
			sql := strings.ReplaceAll(`ALTER TABLE {s}.journal DISABLE TRIGGER journal_append_only; `+tc.change+`; ALTER TABLE {s}.journal ENABLE TRIGGER journal_append_only`, "{s}", schema)
			if _, err := admin.Exec(context.Background(), strings.Replace(sql, "$1", "'"+ws+"'", 1)); err != nil {
				t.Fatal(err)
			}

			b2 := openBackend(t, schema, ws)
			_, _, err := b2.Load(context.Background())
			var ce *state.CorruptError
			if !errors.As(err, &ce) || ce.Seq != tc.seq || !strings.Contains(err.Error(), tc.message) {
				t.Errorf("Load = %v\nwant a CorruptError naming entry %d: %s", err, tc.seq, tc.message)
			}
			_, err = state.Verify(context.Background(), b2, nil, nil)
			if !errors.As(err, &ce) || ce.Seq != tc.seq || !strings.Contains(err.Error(), tc.message) {
				t.Errorf("Verify = %v\nwant a CorruptError naming entry %d: %s", err, tc.seq, tc.message)
			}
		})
	}
}

// TestTablesAreAppendOnly: the journal, heads and plans tables refuse
// every update, delete and truncate, even by their owner, until a
// deliberate ALTER TABLE ... DISABLE TRIGGER.
func TestTablesAreAppendOnly(t *testing.T) {
	schema := testSchema(t)
	s := openStore(t, openBackend(t, schema, "default"))
	record(t, s, apply1(), intent(`payout.a["1"]`, "k1"))
	if err := s.RecordPlan(context.Background(), state.PlanRecord{PlanID: "plan-1", Digest: "sha256:00", Author: "tester"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	admin := adminConn(t)
	var heads int
	if err := admin.QueryRow(context.Background(), `SELECT count(*) FROM `+schema+`.heads`).Scan(&heads); err != nil || heads != 1 {
		t.Fatalf("%d heads recorded (%v), want the command's one", heads, err)
	}
	for table, column := range map[string]string{"journal": "at", "heads": "at", "plans": "recorded_at"} {
		for _, sql := range []string{
			`UPDATE ` + schema + `.` + table + ` SET ` + column + ` = now()`,
			`DELETE FROM ` + schema + `.` + table,
			`TRUNCATE ` + schema + `.` + table,
		} {
			want := "the payform journal is append-only: " + strings.Fields(sql)[0] + " refused"
			if _, err := admin.Exec(context.Background(), sql); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %v, want %q", sql, err, want)
			}
		}
	}
}

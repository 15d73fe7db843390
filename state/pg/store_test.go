package pg

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/state"
)

func TestRecordCloseLoad(t *testing.T) {
	schema := testSchema(t)
	s := openStore(t, openBackend(t, schema, "default"))
	record(t, s, &state.Entry{Op: state.OpApply, PlanID: "plan-1"},
		intent(`payout.a["1"]`, "k1"), outcome(`payout.a["1"]`, "k1", "101"),
		intent(`payout.a["2"]`, "k2"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := openStore(t, openBackend(t, schema, "default"))
	defer s2.Close()
	st := s2.State()
	if st.Serial != 1 || st.JournalSeq != 4 {
		t.Errorf("serial %d journal_seq %d, want 1 and 4", st.Serial, st.JournalSeq)
	}
	r1 := st.Resource(`payout.a["1"]`)
	if r1 == nil || r1.ID != "101" || r1.Status != "submitted" || r1.Pending != nil {
		t.Errorf("resource 1 = %+v", r1)
	}
	r2 := st.Resource(`payout.a["2"]`)
	if r2 == nil || r2.Pending == nil || r2.Pending.Attempts != 1 {
		t.Errorf("resource 2 should be pending: %+v", r2)
	}
	if !st.Consumed("plan-1") || !st.Reserved(state.KeyRef{Provider: "wllxpay", Kind: "payout", Key: "k1"}) {
		t.Error("plan not consumed or key not reserved")
	}
	if n, err := verify(openBackend(t, schema, "default")); err != nil || n != 4 {
		t.Errorf("Verify = %d, %v; want 4 entries", n, err)
	}
}

// TestReplayEqualsLive: a state rebuilt from the journal (the process was
// killed before writing the snapshot) is byte for byte the one it had in
// memory.
func TestReplayEqualsLive(t *testing.T) {
	schema := testSchema(t)
	b := openBackend(t, schema, "default")
	s := openStore(t, b)
	record(t, s, apply1(), intent(`payout.a["1"]`, "k1")) // writes the first snapshot
	record(t, s,
		outcome(`payout.a["1"]`, "k1", "101"),
		intent(`payout.a["2"]`, "k2"),
		&state.Entry{Op: state.OpOutcome, PlanID: "plan-1", Address: `payout.a["2"]`, Provider: "wllxpay", Key: "k2", Result: &state.Result{Outcome: state.OutcomeRejected, Error: "Not enough amount"}},
		&state.Entry{Op: state.OpForget, Address: `payout.a["1"]`})
	live := snapshotOf(t, s.State())
	kill(t, b)

	s2 := openStore(t, openBackend(t, schema, "default"))
	defer s2.Close()
	if got := snapshotOf(t, s2.State()); got != live {
		t.Errorf("replayed state differs (-live +replayed):\n%s", cmp.Diff(live, got))
	}
	if st := s2.State(); st.JournalSeq != 6 || st.Serial != 1 {
		t.Errorf("journal_seq %d serial %d, want 5 and 1", st.JournalSeq, st.Serial)
	}
}

func TestCorruptJournalRowIsRefused(t *testing.T) {
	schema := testSchema(t)
	admin := adminConn(t)
	for _, tc := range []struct {
		name    string
		change  string // SQL on the workspace's rows ($1)
		seq     uint64
		message string
	}{
		{"altered line", `UPDATE {s}.journal SET line = convert_to(replace(convert_from(line, 'UTF8'), '"id":"101"', '"id":"999"'), 'UTF8') WHERE workspace = $1 AND seq = 3`,
			3, "journal: entry 3 is corrupt: hash does not match the entry's content"},
		{"removed row", `DELETE FROM {s}.journal WHERE workspace = $1 AND seq = 2`,
			3, "journal: entry 3 is corrupt: sequence number 3 follows 1: entries are missing"},
		{"rehashed line", `UPDATE {s}.journal SET hash = 'x' WHERE workspace = $1 AND seq = 2`,
			2, "journal: entry 2 is corrupt: the row's seq, prev or hash column differs from its line"},
		{"shifted offset", `UPDATE {s}.journal SET end_off = end_off + 1 WHERE workspace = $1 AND seq = 2`,
			2, "journal: entry 2 is corrupt: its end_off is"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := strings.ReplaceAll(tc.name, " ", "-")
			b := openBackend(t, schema, ws)
			s := openStore(t, b)
			record(t, s, apply1(), intent(`payout.a["1"]`, "k1")) // the first snapshot, at entry 0
			record(t, s, outcome(`payout.a["1"]`, "k1", "101"), intent(`payout.a["2"]`, "k2"))
			kill(t, b)
			sql := strings.ReplaceAll(`ALTER TABLE {s}.journal DISABLE TRIGGER journal_append_only; `+tc.change, "{s}", schema)
			if _, err := admin.Exec(context.Background(), strings.Replace(sql, "$1", "'"+ws+"'", 1)); err != nil {
				t.Fatal(err)
			}
			admin.Exec(context.Background(), `ALTER TABLE `+schema+`.journal ENABLE TRIGGER journal_append_only`)

			b2 := openBackend(t, schema, ws)
			_, err := state.Open(context.Background(), b2, state.Options{NoLock: true})
			var ce *state.CorruptError
			if !errors.As(err, &ce) || ce.Seq != tc.seq {
				t.Fatalf("Open = %v, want a CorruptError naming entry %d", err, tc.seq)
			}
			if !strings.Contains(err.Error(), tc.message) {
				t.Errorf("message = %q, want %q", err, tc.message)
			}
			if _, err := verify(b2); !errors.As(err, &ce) || ce.Seq != tc.seq {
				t.Errorf("Verify = %v, want entry %d", err, tc.seq)
			}
		})
	}
}

func TestJournalIsAppendOnly(t *testing.T) {
	schema := testSchema(t)
	s := openStore(t, openBackend(t, schema, "default"))
	record(t, s, apply1(), intent(`payout.a["1"]`, "k1"))
	s.Close()
	admin := adminConn(t)
	for _, sql := range []string{
		`UPDATE ` + schema + `.journal SET at = now()`,
		`DELETE FROM ` + schema + `.journal`,
		`TRUNCATE ` + schema + `.journal`,
	} {
		if _, err := admin.Exec(context.Background(), sql); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want it refused as append-only", sql, err)
		}
	}
}

func TestSnapshotCompareAndSwap(t *testing.T) {
	schema := testSchema(t)
	s := openStore(t, openBackend(t, schema, "default"))
	record(t, s, apply1(), intent(`payout.a["1"]`, "k1"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b1, b2 := openBackend(t, schema, "default"), openBackend(t, schema, "default")
	st1, _, err1 := b1.Load(context.Background())
	st2, _, err2 := b2.Load(context.Background())
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	st1.Serial++
	if err := b1.WriteSnapshot(context.Background(), st1); err != nil {
		t.Fatalf("first writer: %v", err)
	}
	st1.Serial++
	if err := b1.WriteSnapshot(context.Background(), st1); err != nil {
		t.Fatalf("first writer again (its own serial): %v", err)
	}
	st2.Serial++
	err := b2.WriteSnapshot(context.Background(), st2)
	if !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), "the state was changed by another writer: the workspace holds serial 3") {
		t.Errorf("second writer = %v, want ErrChanged", err)
	}

	// Two writers creating the same workspace.
	n1, n2 := openBackend(t, schema, "new"), openBackend(t, schema, "new")
	for _, b := range []*Backend{n1, n2} {
		if st, _, err := b.Load(context.Background()); st != nil || err != nil {
			t.Fatalf("Load of a new workspace = %v, %v", st, err)
		}
	}
	if err := n1.WriteSnapshot(context.Background(), state.New("lineage-1", "test")); err != nil {
		t.Fatal(err)
	}
	if err := n2.WriteSnapshot(context.Background(), state.New("lineage-2", "test")); !errors.Is(err, ErrChanged) {
		t.Errorf("second creator = %v, want ErrChanged", err)
	}
}

// TestStoreOnAnotherWriter: a journal refuses to open over entries its
// state did not load.
func TestStoreOnAnotherWriter(t *testing.T) {
	schema := testSchema(t)
	b1 := openBackend(t, schema, "default")
	st, _, err := b1.Load(context.Background())
	if st != nil || err != nil {
		t.Fatal(st, err)
	}
	s := openStore(t, openBackend(t, schema, "default"))
	record(t, s, apply1(), intent(`payout.a["1"]`, "k1"))
	s.Close()
	_, err = b1.OpenJournal(context.Background(), state.New("another-lineage", "test"))
	if !errors.Is(err, ErrChanged) {
		t.Errorf("OpenJournal over another lineage = %v, want ErrChanged", err)
	}
	loaded, _, _ := b1.Load(context.Background())
	loaded.JournalSeq, loaded.JournalHash = 0, ""
	if _, err := b1.OpenJournal(context.Background(), loaded); !errors.Is(err, ErrChanged) {
		t.Errorf("OpenJournal behind the journal = %v, want ErrChanged", err)
	}
}

// TestLoadChecksTheHistory: a row the snapshot already includes, altered,
// is refused by every load, as Local refuses it, not only by audit verify.
func TestLoadChecksTheHistory(t *testing.T) {
	schema := testSchema(t)
	s := openStore(t, openBackend(t, schema, "default"))
	record(t, s, apply1(), intent(`payout.a["1"]`, "k1"), outcome(`payout.a["1"]`, "k1", "101"))
	if err := s.Close(); err != nil { // the snapshot's head is entry 3
		t.Fatal(err)
	}
	admin := adminConn(t)
	sql := strings.ReplaceAll(`ALTER TABLE {s}.journal DISABLE TRIGGER journal_append_only;
UPDATE {s}.journal SET line = convert_to(replace(convert_from(line, 'UTF8'), '"amount":"1.5"', '"amount":"0.5"'), 'UTF8') WHERE seq = 2;
ALTER TABLE {s}.journal ENABLE TRIGGER journal_append_only`, "{s}", schema)
	if _, err := admin.Exec(context.Background(), sql); err != nil {
		t.Fatal(err)
	}
	_, _, err := openBackend(t, schema, "default").Load(context.Background())
	var ce *state.CorruptError
	if !errors.As(err, &ce) || ce.Seq != 2 || !strings.Contains(err.Error(), "journal: entry 2 is corrupt: hash does not match the entry's content") {
		t.Errorf("Load = %v, want entry 2 refused", err)
	}
}

// TestUnsealedSnapshotIsRefused: with an audit key, a snapshot whose seal
// was stripped (edited, checksum recomputed) is refused by every load
// when the journal entry it is at is sealed.
func TestUnsealedSnapshotIsRefused(t *testing.T) {
	key := state.Key("statetest-audit-key-0123456789")
	schema := testSchema(t)
	b, err := Open(context.Background(), Config{ConnString: testDSN(t), Schema: schema, AuditKey: key})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s := openStore(t, b)
	record(t, s, apply1(), intent(`payout.a["1"]`, "k1"), outcome(`payout.a["1"]`, "k1", "101"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	st, _, err := b.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	st.Resource(`payout.a["1"]`).Amount = "0.5"
	data, _ := state.EncodeSnapshot(st, nil) // rewritten without the key
	if _, err := adminConn(t).Exec(context.Background(), `UPDATE `+schema+`.workspaces SET snapshot = $1`, data); err != nil {
		t.Fatal(err)
	}
	_, _, err = b.Load(context.Background())
	if want := "pg:" + schema + "/default is corrupt: the snapshot is not sealed, but the journal entry it is at is: it was rewritten without PAYFORM_AUDIT_KEY"; err == nil || err.Error() != want {
		t.Errorf("Load = %v\nwant %s", err, want)
	}
}

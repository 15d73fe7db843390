package pg

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/state"
)

// localState makes a local state of two commands, the second killed after
// its last entry: the journal runs past the snapshot.
func localState(t *testing.T) *state.Local {
	t.Helper()
	local := &state.Local{Path: filepath.Join(t.TempDir(), "payform.state.json")}
	s, err := state.Open(context.Background(), local, state.Options{Operation: "apply", Actor: "tester", Version: "test", Clock: testClock()})
	if err != nil {
		t.Fatal(err)
	}
	record(t, s, &state.Entry{Op: state.OpApply, PlanID: "plan-1"},
		intent(`payout.a["1"]`, "k1"), outcome(`payout.a["1"]`, "k1", "101"),
		intent(`payout.a["2"]`, "k2"), outcome(`payout.a["2"]`, "k2", "102"),
		&state.Entry{Op: state.OpForget, Address: `payout.a["2"]`})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	st, _, err := local.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	j, err := local.OpenJournal(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	e := intent(`payout.a["3"]`, "k3")
	e.At, e.Actor = t0.Add(time.Hour), "tester"
	if err := j.Write(e); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	return local
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestMigrateLocalPgLocal: local → pg → local gives the same bytes.
func TestMigrateLocalPgLocal(t *testing.T) {
	ctx := context.Background()
	local := localState(t)
	schema := testSchema(t)
	b := openBackend(t, schema, "moved")
	if err := b.Import(ctx, local); err != nil {
		t.Fatalf("ImportFrom: %v", err)
	}
	if n, err := verify(b); err != nil || n != 7 {
		t.Errorf("Verify(pg) = %d, %v; want 7 entries", n, err)
	}
	if data, err := b.Pull(ctx); err != nil || string(data) != readFile(t, local.Path) {
		t.Errorf("Pull = %v: not the local snapshot's bytes", err)
	}
	want, _, err := local.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := b.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(snapshotOf(t, want), snapshotOf(t, got)); diff != "" {
		t.Errorf("loaded states differ (-local +pg):\n%s", diff)
	}

	back := &state.Local{Path: filepath.Join(t.TempDir(), "payform.state.json")}
	if err := back.Import(ctx, b); err != nil {
		t.Fatalf("ExportTo: %v", err)
	}
	if diff := cmp.Diff(readFile(t, local.Path), readFile(t, back.Path)); diff != "" {
		t.Errorf("snapshot after the round trip (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(readFile(t, local.Path+".journal"), readFile(t, back.Path+".journal")); diff != "" {
		t.Errorf("journal after the round trip (-before +after):\n%s", diff)
	}
	if n, err := verify(back); err != nil || n != 7 {
		t.Errorf("Verify(local) = %d, %v; want 7 entries", n, err)
	}

	// pg → pg, and on from there with a Store.
	copied := openBackend(t, schema, "copied")
	if err := copied.Import(ctx, b); err != nil {
		t.Fatalf("ImportFrom(pg): %v", err)
	}
	s := openStore(t, copied)
	record(t, s, outcome(`payout.a["3"]`, "k3", "103"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n, err := verify(copied); err != nil || n != 8 {
		t.Errorf("Verify(copied) = %d, %v; want 8 entries", n, err)
	}

	if err := b.Import(ctx, local); err == nil || !strings.Contains(err.Error(), "refused: the workspace already has state") {
		t.Errorf("ImportFrom over state = %v", err)
	}
	if err := back.Import(ctx, b); err == nil || !strings.Contains(err.Error(), "it already has state") {
		t.Errorf("ExportTo over state = %v", err)
	}
	if err := b.Import(ctx, b); err == nil {
		t.Error("ImportFrom itself succeeded")
	}
}

func TestImportRefusesABrokenSource(t *testing.T) {
	local := localState(t)
	journal := readFile(t, local.Path+".journal")
	os.WriteFile(local.Path+".journal", []byte(strings.Replace(journal, `"id":"101"`, `"id":"999"`, 1)), 0o600)
	b := openBackend(t, testSchema(t), "default")
	err := b.Import(context.Background(), local)
	var ce *state.CorruptError
	if !errors.As(err, &ce) || ce.Seq != 3 {
		t.Fatalf("ImportFrom = %v, want a CorruptError naming entry 3", err)
	}
	if st, _, err := b.Load(context.Background()); st != nil || err != nil {
		t.Errorf("a refused import left state behind: %v, %v", st, err)
	}
}

func TestPushPull(t *testing.T) {
	ctx := context.Background()
	schema := testSchema(t)
	b := openBackend(t, schema, "default")
	s := openStore(t, b)
	record(t, s, apply1(), intent(`payout.a["1"]`, "k1"), outcome(`payout.a["1"]`, "k1", "101"))
	s.Close()
	v1, err := b.Pull(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s = openStore(t, b)
	record(t, s, intent(`payout.a["2"]`, "k2"))
	s.Close()
	v2, _ := b.Pull(ctx)
	current, _, _ := b.Load(context.Background())
	other, _ := state.EncodeSnapshot(state.New("another-lineage", "test"), nil)

	for _, tc := range []struct {
		name  string
		data  []byte
		force bool
		want  string // "" for success
	}{
		{"older", v1, false, "refused: the snapshot's serial 1 is not newer than the workspace's 2; force replaces it"},
		{"same", v2, false, "not newer"},
		{"another lineage", other, false, "refused: the snapshot is of lineage another-lineage"},
		{"another lineage, forced", other, true, "refused, even with force: pg:"},
		{"corrupt", []byte(strings.Replace(string(v2), "101", "999", 1)), true, "the pushed snapshot is corrupt: checksum mismatch"},
		{"older, forced", v1, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := b.Push(ctx, tc.data, tc.force)
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("Push = %v, want %q", err, tc.want)
			}
		})
	}
	// The older snapshot replays the journal after it: nothing is lost.
	got, _, err := openBackend(t, schema, "default").Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(snapshotOf(t, current), snapshotOf(t, got)); diff != "" {
		t.Errorf("after a forced push of an older snapshot (-before +after):\n%s", diff)
	}

	fresh := openBackend(t, schema, "fresh")
	if err := fresh.Push(ctx, v2, true); err == nil || !strings.Contains(err.Error(), "it would orphan or invent entries") {
		t.Errorf("Push of a snapshot without its journal = %v", err)
	}
	if err := fresh.Push(ctx, other, false); err != nil {
		t.Errorf("Push into a new workspace = %v", err)
	}
	if _, err := openBackend(t, schema, "none").Pull(ctx); err == nil || !strings.Contains(err.Error(), "has no state") {
		t.Errorf("Pull of nothing = %v", err)
	}
}

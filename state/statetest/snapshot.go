package statetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/payform/payform/state"
)

// snapshotCases are snapshot edits with the checksum recomputed, and the
// first difference audit verify and push must name.
var snapshotCases = []struct {
	name string
	edit func(t *testing.T, body string) string
	diff string
}{
	{"amount", func(t *testing.T, s string) string { return replace(t, s, `"amount": "1.5"`, `"amount": "0.5"`) },
		`payout.a["1"]: amount is "0.5" in the snapshot, "1.5" in the journal (journal entry 3)`},
	{"address", func(t *testing.T, s string) string {
		return replace(t, s, `"address": "bc1q1"`, `"address": "bc1qevil"`)
	},
		`payout.a["1"]: attribute address is "bc1qevil" in the snapshot, "bc1q1" in the journal (journal entry 3)`},
	{"status", func(t *testing.T, s string) string {
		return replace(t, s, `"status": "submitted"`, `"status": "failed"`)
	},
		`payout.a["1"]: status is "failed" in the snapshot, "submitted" in the journal (journal entry 3)`},
	{"record dropped", func(t *testing.T, s string) string { return dropObject(t, s, `"address": "payout.a[\"2\"]"`) },
		`it lacks payout.a["2"], which the journal records (journal entry 5)`},
	{"record and key dropped", func(t *testing.T, s string) string {
		return dropObject(t, dropObject(t, s, `"address": "payout.a[\"2\"]"`), `"key": "k2"`)
	}, `it does not reserve wllxpay payout "k2", which the journal used`},
	{"plan unconsumed", func(t *testing.T, s string) string {
		return replace(t, s, "\"consumed_plans\": [\n    \"plan-1\"\n  ]", `"consumed_plans": []`)
	}, `its applied plans (none) differ from the journal's plan-1`},
}

// testSnapshotTamper: a snapshot edit is refused by every load unless
// its checksum is recomputed; re-sealed, it is refused by audit verify
// and by push, with or without force, naming the first difference.
func testSnapshotTamper(e *env) {
	t, ctx := e.t, context.Background()
	s := e.store(e.open(nil))
	e.record(s, applyPlan(plan), intent("1"), created("1"), intent("2"), created("2"))
	e.close(s)
	orig := e.ws.Raw.Snapshot(t)

	e.ws.Raw.SetSnapshot(t, edit(t, orig, `"amount": "1.5"`, `"amount": "0.5"`))
	_, _, err := e.open(nil).Load(ctx)
	e.check("edited: load", err)
	_, err = state.Verify(ctx, e.open(nil), nil, nil)
	e.check("edited: verify", err)
	e.ws.Raw.SetSnapshot(t, orig)

	for _, tc := range snapshotCases {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			e := *e
			e.t = t
			data := reseal(t, orig, func(s string) string { return tc.edit(t, s) })
			e.ws.Raw.SetSnapshot(t, data)
			_, err := state.Verify(ctx, e.open(nil), nil, nil)
			e.differs("verify", err, tc.diff)
			e.ws.Raw.SetSnapshot(t, orig)

			p, ok := e.open(nil).(state.Pusher)
			if !ok {
				return
			}
			newer := reseal(t, data, func(s string) string { return replace(t, s, `"serial": 1,`, `"serial": 2,`) })
			for _, force := range []bool{false, true} {
				err := p.Push(ctx, newer, force)
				e.differs(map[bool]string{false: "push", true: "push --force"}[force], err, tc.diff)
				if got := e.ws.Raw.Snapshot(t); string(got) != string(orig) {
					t.Fatalf("a refused push replaced the snapshot")
				}
			}
		})
	}
}

// differs checks that err refuses a snapshot as not what the journal
// gives, naming diff.
func (e *env) differs(what string, err error, diff string) {
	e.t.Helper()
	if err == nil || !strings.Contains(err.Error(), "the snapshot is not what the journal gives: "+diff) {
		e.t.Errorf("%s = %v\nwant it to name the first difference: %s", what, err, diff)
	}
	e.check(what, err)
}

// testPush: push refuses an older snapshot and another lineage's unless
// forced, and even forced a snapshot that is not what the journal gives
// (another lineage's fresh snapshot, one ahead of the journal); a forced
// older snapshot loses nothing, since the journal replays after it.
func testPush(e *env) {
	t, ctx := e.t, context.Background()
	b := e.open(nil)
	p, ok := b.(state.Pusher)
	if !ok {
		t.Skipf("%T is not a state.Pusher", b)
	}
	s := e.store(b)
	e.record(s, applyPlan(plan), intent("1"), created("1"))
	e.close(s)
	v1 := e.pull(b)
	s = e.store(e.open(nil))
	e.record(s, intent("2"))
	e.close(s)
	v2 := e.pull(b)
	current := e.encode(e.load(e.open(nil)))
	other, err := state.EncodeSnapshot(state.New("another-lineage", "test"), nil)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name  string
		data  []byte
		force bool
	}{
		{"older", v1, false},
		{"same", v2, false},
		{"another lineage", other, false},
		{"another lineage's fresh snapshot, forced", other, true},
		{"corrupt, forced", edit(t, v2, "101", "999"), true},
		{"ahead of the journal, forced", reseal(t, v2, func(s string) string { return replace(t, s, `"journal_seq": 4,`, `"journal_seq": 9,`) }), true},
	} {
		err := p.Push(ctx, tc.data, tc.force)
		e.check(tc.name, err)
		if got := e.pull(b); string(got) != string(v2) {
			t.Fatalf("%s: a refused push replaced the snapshot", tc.name)
		}
	}
	if err := p.Push(ctx, v1, true); err != nil {
		t.Fatalf("a forced push of the older snapshot = %v", err)
	}
	if got := e.encode(e.load(e.open(nil))); got != current {
		t.Errorf("after a forced push of an older snapshot, the state is not the journal's (-before +after):\n%s", diffText(current, got))
	}

	fresh := e.other("<fresh>")
	fp := fresh.Open(t, nil).(state.Pusher)
	e.check("into a new workspace without its journal, forced", fp.Push(ctx, v2, true))
	if err := fp.Push(ctx, other, false); err != nil {
		t.Errorf("a fresh snapshot into a new workspace = %v", err)
	}
	if st := e.loadWS(fresh); st.Lineage != "another-lineage" {
		t.Errorf("pushed into a new workspace: lineage %s", st.Lineage)
	}
	_, err = e.other("<none>").Open(t, nil).(state.Puller).Pull(ctx)
	if !errors.Is(err, state.ErrNoState) {
		t.Errorf("Pull of nothing = %v, want ErrNoState", err)
	}
}

func (e *env) loadWS(ws Workspace) *state.State { return e.load(ws.Open(e.t, nil)) }

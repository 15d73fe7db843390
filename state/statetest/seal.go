package statetest

import (
	"context"
	"strings"
	"testing"

	"github.com/payform/payform/state"
)

// auditKey seals the audit-key tests' states.
var auditKey = state.Key("statetest-audit-key-0123456789")

// testAuditKey: with an audit key, every entry and snapshot is sealed,
// and what the chain alone cannot show is refused by every load and by
// audit verify: an entry edited and rehashed, an unsealed entry after
// sealed ones, a snapshot edited with its checksum recomputed.
func testAuditKey(e *env) {
	ctx := context.Background()
	setup := func(e *env) {
		s := e.store(e.open(auditKey))
		e.record(s, applyPlan(plan), intent("1"), created("1"))
		e.close(s)
		s = e.store(e.open(auditKey))
		e.record(s, intent("2"), created("2"))
		e.s.Kill(e.t, s)
	}
	e.t.Run("sealed", func(t *testing.T) {
		e := newEnv(t, e.s, e.g)
		setup(e)
		for i, line := range e.ws.Raw.Journal(t) {
			if decode(t, line).MAC == "" {
				t.Errorf("journal entry %d is not sealed", i+1)
			}
		}
		rep := e.verify(e.open(auditKey), auditKey)
		if rep.Entries != 5 || rep.Sealed != 5 || rep.Unsealed != 0 || !rep.SnapshotSealed || !rep.KeyChecked {
			t.Errorf("Verify = %+v, want 5 sealed entries and a sealed snapshot", rep)
		}
		_, _, err := e.open(state.Key("another-key-0123456789")).Load(ctx)
		e.check("load with another key", err)
	})

	for _, tc := range []struct {
		name  string
		alter func(e *env)
		seq   uint64 // the entry named; 0 for the snapshot
		// withoutKey: what a load without the key makes of it, "" when
		// it is refused too.
		withoutKey string
	}{
		{"entry edited and rehashed", func(e *env) {
			e.ws.Raw.SetJournal(e.t, rehashed(5, false)(e, e.ws.Raw.Journal(e.t)))
		}, 5, "999"},
		{"unsealed entry after sealed ones", func(e *env) {
			e.ws.Raw.SetJournal(e.t, insert(e.t, e.ws.Raw.Journal(e.t), 5, func(before *state.Entry) *state.Entry {
				f := intent("3")
				f.At, f.Actor = before.At, before.Actor
				return f
			}))
		}, 6, "unknown"},
		{"snapshot edited, checksum recomputed", func(e *env) {
			e.ws.Raw.SetSnapshot(e.t, reseal(e.t, e.ws.Raw.Snapshot(e.t), func(s string) string {
				return dropObject(e.t, s, `"key": "k1"`)
			}))
		}, 0, ""},
		{"snapshot unsealed, edited, checksum recomputed", func(e *env) {
			e.ws.Raw.SetSnapshot(e.t, reseal(e.t, e.ws.Raw.Snapshot(e.t), func(s string) string {
				i := strings.LastIndex(s, ",\n  \"mac\": \"")
				return dropObject(e.t, s[:i], `"key": "k1"`)
			}))
		}, 0, ""},
	} {
		e.t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			e := newEnv(t, e.s, e.g)
			setup(e)
			tc.alter(e)
			_, _, err := e.open(auditKey).Load(ctx)
			e.corrupt("load", err, tc.seq)
			_, err = state.Verify(ctx, e.open(auditKey), auditKey, nil)
			e.corrupt("verify", err, tc.seq)
			if tc.withoutKey == "" {
				return
			}
			// Without the key, the chain alone cannot tell.
			st := e.load(e.open(nil))
			if r := st.Resource(addr(map[uint64]string{5: "2", 6: "3"}[tc.seq])); r == nil || (r.ID != tc.withoutKey && r.Status != tc.withoutKey) {
				t.Errorf("loaded without the key: %+v, want the rewrite (%s) taken", r, tc.withoutKey)
			}
		})
	}
}

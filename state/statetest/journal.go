package statetest

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/payform/payform/state"
)

// journalCase is one way to tamper with a journal, and the entry every
// load and audit verify must name when refusing it.
type journalCase struct {
	name         string
	alter        func(e *env, lines [][]byte) [][]byte
	load, verify uint64
	// or is another entry the refusal may name instead: of two entries
	// swapped, a file names the one out of place, a table the row whose
	// content is not its own.
	or uint64
}

// forged is an entry appended to the journal, correctly chained: what an
// insider who knows the format can write.
func forged(n string, mod func(*state.Entry)) func(e *env, lines [][]byte) [][]byte {
	return func(e *env, lines [][]byte) [][]byte {
		return insert(e.t, lines, len(lines), func(before *state.Entry) *state.Entry {
			f := settle(n, &state.Result{Outcome: state.OutcomeCreated, ID: "10" + n, Status: "submitted"})
			f.At, f.Actor = before.At, before.Actor
			mod(f)
			return f
		})
	}
}

func notCreated(n string) func(*state.Entry) {
	return func(f *state.Entry) {
		f.Address, f.Key = addr(n), "k"+n
		f.Result = &state.Result{Outcome: state.OutcomeNotCreated}
	}
}

func replaceIn(seq int, old, new string) func(e *env, lines [][]byte) [][]byte {
	return func(e *env, lines [][]byte) [][]byte {
		out := clone(lines)
		if !bytes.Contains(out[seq-1], []byte(old)) {
			e.t.Fatalf("journal line %d has no %q", seq, old)
		}
		out[seq-1] = bytes.Replace(out[seq-1], []byte(old), []byte(new), 1)
		return out
	}
}

func without(seq int) func(e *env, lines [][]byte) [][]byte {
	return func(e *env, lines [][]byte) [][]byte { return slices.Delete(clone(lines), seq-1, seq) }
}

func swapped(a, b int) func(e *env, lines [][]byte) [][]byte {
	return func(e *env, lines [][]byte) [][]byte {
		out := clone(lines)
		out[a-1], out[b-1] = out[b-1], out[a-1]
		return out
	}
}

func rehashed(seq int, rechain bool) func(e *env, lines [][]byte) [][]byte {
	return func(e *env, lines [][]byte) [][]byte {
		return rehash(e.t, lines, seq, rechain, func(en *state.Entry) {
			if en.Result != nil {
				en.Result.ID = "999"
			} else {
				en.Object.Amount = "0.5"
			}
		})
	}
}

var journalCases = []journalCase{
	// The journal: 1 apply, 2 intent 1, 3 created 1 (the snapshot's
	// head), then a killed command's 4 intent 2, 5 created 2, 6 intent 3.
	{"altered in the history", replaceIn(2, `"amount":"1.5"`, `"amount":"0.5"`), 2, 2, 0},
	{"altered after the snapshot", replaceIn(5, `"id":"102"`, `"id":"999"`), 5, 5, 0},
	{"removed from the history", without(2), 3, 3, 0},
	{"removed after the snapshot", without(5), 6, 6, 0},
	{"swapped in the history", swapped(1, 2), 2, 2, 1},
	{"swapped after the snapshot", swapped(4, 5), 5, 5, 4},
	{"rehashed in the history", rehashed(2, false), 3, 3, 0},
	{"rehashed after the snapshot", rehashed(4, false), 5, 5, 0},
	{"not an entry", func(e *env, lines [][]byte) [][]byte {
		out := clone(lines)
		out[1] = append([]byte("garbage"+strings.Repeat(" ", len(out[1])-8)), '\n')
		return out
	}, 2, 2, 0},
	// Rewritten and rechained to the end: the chain is whole, and what
	// gives the rewrite away is the snapshot's head or the state machine.
	{"rechained in the history", rehashed(3, true), 3, 3, 0},
	{"forged into the history", func(e *env, lines [][]byte) [][]byte {
		return insert(e.t, lines, 1, func(before *state.Entry) *state.Entry {
			f := settle("1", &state.Result{Outcome: state.OutcomeNotCreated})
			f.At, f.Actor = before.At, before.Actor
			return f
		})
	}, 3, 2, 0},
	{"forged after the snapshot", func(e *env, lines [][]byte) [][]byte {
		return insert(e.t, lines, 4, func(before *state.Entry) *state.Entry {
			f := settle("1", &state.Result{Outcome: state.OutcomeNotCreated})
			f.At, f.Actor = before.At, before.Actor
			return f
		})
	}, 5, 5, 0},
	{"outcome without an intent", forged("1", notCreated("1")), 7, 7, 0},
	{"outcome for nothing", forged("9", notCreated("9")), 7, 7, 0},
	{"back-dated", forged("3", func(f *state.Entry) { f.At = f.At.Add(-time.Hour) }), 7, 7, 0},
	{"another actor", forged("3", func(f *state.Entry) { f.Actor = "mallory" }), 7, 7, 0},
	{"another plan", forged("3", func(f *state.Entry) { f.PlanID = "plan-2" }), 7, 7, 0},
	{"second apply", forged("3", func(f *state.Entry) { *f = state.Entry{Op: state.OpApply, PlanID: plan, At: f.At, Actor: f.Actor} }), 7, 7, 0},
	{"intent without a plan", forged("5", func(f *state.Entry) {
		at, actor := f.At, f.Actor
		*f = *intent("5")
		f.PlanID, f.At, f.Actor = "", at, actor
	}), 7, 7, 0},
	{"key used twice", forged("5", func(f *state.Entry) {
		at, actor := f.At, f.Actor
		*f = *intent("5")
		f.Key, f.At, f.Actor = "k1", at, actor
	}), 7, 7, 0},
	{"unknown outcome", forged("3", func(f *state.Entry) { f.Result.Outcome = "paid" }), 7, 7, 0},
	// Callback entries (a status a verified callback told): each must name
	// the inbox item it takes in, and say only what a callback may.
	{"callback without its inbox item", forged("1", callback(nil)), 7, 7, 0},
	{"callback about another key", forged("1", callback(func(f *state.Entry) { f.Key = "k2" })), 7, 7, 0},
	{"callback under a plan", forged("1", callback(func(f *state.Entry) { f.PlanID = plan })), 7, 7, 0},
	{"callback creating what is in doubt", forged("3", callback(func(f *state.Entry) { f.Result.Outcome = state.OutcomeCreated })), 7, 7, 0},
	// Approvals belong to the apply entry of the plan they approve.
	{"approvals on an outcome", forged("3", func(f *state.Entry) {
		f.Approvals = []state.Approval{{Policy: "treasury", Principal: "mallory@example.com", Fingerprint: "SHA256:forged"}}
	}), 7, 7, 0},
	{"one signer twice", forged("3", func(f *state.Entry) {
		a := state.Approval{Policy: "treasury", Principal: "alice@example.com", Fingerprint: "SHA256:a"}
		*f = state.Entry{Op: state.OpApply, PlanID: "plan-2", At: f.At, Actor: f.Actor, Approvals: []state.Approval{a, a}}
	}), 7, 7, 0},
}

// callback turns a forged entry into a callback entry taking in inbox item
// 1, then applies mod (nil: the entry names no inbox item).
func callback(mod func(*state.Entry)) func(*state.Entry) {
	return func(f *state.Entry) {
		f.Op, f.PlanID = state.OpCallback, ""
		f.Result = &state.Result{Outcome: state.OutcomeRefreshed, ID: f.Result.ID, Status: "failed", RawStatus: "error"}
		if mod == nil {
			return
		}
		f.Callback = &state.CallbackRef{Inbox: 1, Digest: "sha256:00", Type: "withdrawal", ID: f.Result.ID, Via: "signature", ReceivedAt: f.At}
		mod(f)
	}
}

// testJournalTamper: every way of tampering with the journal is refused
// by every load and by audit verify, naming the entry.
func testJournalTamper(e *env) {
	ctx := context.Background()
	for _, tc := range journalCases {
		e.t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			e := newEnv(t, e.s, e.g)
			s := e.store(e.open(nil))
			e.record(s, applyPlan(plan), intent("1"), created("1"))
			e.close(s)
			s = e.store(e.open(nil))
			e.record(s, intent("2"), created("2"), intent("3"))
			e.s.Kill(t, s)
			if _, _, err := e.open(nil).Load(ctx); err != nil {
				t.Fatalf("untouched: %v", err)
			}
			e.ws.Raw.SetJournal(t, tc.alter(e, e.ws.Raw.Journal(t)))

			_, _, err := e.open(nil).Load(ctx)
			e.corrupt("load", err, tc.load, tc.or)
			_, err = state.Verify(ctx, e.open(nil), nil, nil)
			e.corrupt("verify", err, tc.verify, tc.or)
		})
	}
}

// corrupt checks that err is a *state.CorruptError naming entry seq (or
// one of or), and its message (which names the line too, where the
// backend has lines).
func (e *env) corrupt(what string, err error, seq uint64, or ...uint64) {
	e.t.Helper()
	var ce *state.CorruptError
	switch {
	case !errors.As(err, &ce):
		e.t.Errorf("%s = %v, want a *state.CorruptError naming entry %d", what, err, seq)
	case ce.Seq != seq && !slices.Contains(or, ce.Seq):
		e.t.Errorf("%s names entry %d, want %d: %v", what, ce.Seq, seq, err)
	}
	e.check(what, err)
}

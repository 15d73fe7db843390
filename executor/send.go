package executor

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"time"

	"github.com/payform/payform/internal/failpoint"
	"github.com/payform/payform/planner"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/state"
)

// sending is one create (or resolve) under way: intent → call → outcome.
type sending struct {
	x       *Executor
	ctx     context.Context // cancelled on Ctrl-C: stop before sending
	callCtx context.Context // never cancelled: a call under way finishes
	planID  string
	c       *planner.Change
	prov    providers.Provider
	ks      providers.KindSupport
	started time.Time // when this apply began handling the change
	// lastSent is when the last create for the key was sent: by this
	// apply, or by an earlier one (zero when none is known).
	lastSent time.Time
}

// create sends a change for the first time.
func (s *sending) create() (ItemResult, error) {
	if err := s.intent(); err != nil {
		return ItemResult{Outcome: state.OutcomeInDoubt, Err: err}, err
	}
	return s.send(true)
}

// send makes one create call after a durable intent. definitive says
// whether a refusal proves that nothing exists: true for a first attempt
// or after proven absence, false for a resend while in doubt.
func (s *sending) send(definitive bool) (ItemResult, error) {
	if s.ctx.Err() != nil {
		// Interrupted after the intent, before the request: nothing sent.
		return s.outcome(state.OutcomeNotCreated, providers.Object{}, "interrupted before the request was sent", nil)
	}
	obj, err := s.call()
	if err != nil && providers.ClassOf(err) == providers.Ambiguous {
		return s.resolve(err)
	}
	return s.settle(obj, err, definitive)
}

// settle journals the outcome of a call that was not Ambiguous.
func (s *sending) settle(obj providers.Object, err error, definitive bool) (ItemResult, error) {
	if err == nil {
		note := ""
		if !definitive {
			note = "sent again after an ambiguous failure; the gateway accepted it, so the earlier attempt had not landed"
		}
		return s.outcome(state.OutcomeCreated, obj, note, nil)
	}
	switch providers.ClassOf(err) {
	case providers.Duplicate:
		return s.duplicate(definitive, err)
	case providers.Rejected:
		if !definitive {
			// A refused resend says nothing about the first attempt.
			return s.outcome(state.OutcomeInDoubt, providers.Object{}, "a resend was refused, which does not tell whether the first attempt landed; the next apply tries again", err)
		}
		return s.outcome(state.OutcomeRejected, providers.Object{}, "", err)
	default: // Retryable, after the retry wrapper gave up
		if !definitive {
			return s.outcome(state.OutcomeInDoubt, providers.Object{}, "the gateway could not be reached to settle it; the next apply tries again", err)
		}
		return s.outcome(state.OutcomeNotCreated, providers.Object{}, "the request never reached the gateway", err)
	}
}

// duplicate handles "the gateway already has this key".
func (s *sending) duplicate(definitive bool, err error) (ItemResult, error) {
	if !s.ks.DuplicateAdopts {
		return s.outcome(state.OutcomeUnknown, providers.Object{},
			"the gateway already has this key but cannot say which object it is; settle it with payform state resolve", err)
	}
	note := "the gateway already had this key: an earlier attempt landed"
	if definitive {
		note = "the gateway already had this key before this apply sent it; adopted without sending"
	}
	obj := providers.Object{Kind: s.c.Kind, Key: s.c.Key, Status: providers.StatusSubmitted}
	// Where the gateway can look the object up, check it is the declared one.
	found, lerr := s.prov.Lookup(s.callCtx, s.query())
	verified := false
	switch {
	case lerr == nil:
		if diff := differs(s.c, found); diff != "" {
			return s.outcome(state.OutcomeUnknown, found, "the gateway's object with this key differs from the declaration: "+diff, nil)
		}
		obj, verified = found, true
	case errors.Is(lerr, providers.ErrUnsupported), errors.Is(lerr, providers.ErrNotFound):
		note += " (not verified: the gateway cannot look it up)"
	default:
		note += fmt.Sprintf(" (not verified: lookup failed: %v)", lerr)
	}
	r, err := s.outcome(state.OutcomeAdopted, obj, note, nil)
	if definitive && !verified {
		// Nothing was sent twice, but payform never sent this one: the key
		// may belong to another payment (another state, another tool).
		r.Warning = fmt.Sprintf("not sent: %s already had %s %q, which this state never sent; it is recorded as submitted without verification. Check at the gateway that it is this payout.",
			s.c.Provider, keyName(s.c.Kind), s.c.Key)
	}
	return r, err
}

// maxSettlePolls bounds the looks while an attempt in doubt settles (at
// most one every Backoff.Max).
const maxSettlePolls = 100

// resolve settles a create whose outcome is unknown, by the gateway's
// in-doubt rule (DESIGN §7). cause is the ambiguous failure, nil when
// resolving an item left in doubt by an earlier run.
func (s *sending) resolve(cause error) (ItemResult, error) {
	attempts := s.x.ResolveAttempts
	if attempts <= 0 {
		attempts = DefaultResolveAttempts
	}
	skipWait, polls := false, 0
	for n := 1; n <= attempts; n++ {
		if cause != nil && !skipWait {
			if s.x.Backoff.Wait(s.ctx, n, 0) != nil {
				return s.outcome(state.OutcomeInDoubt, providers.Object{}, "interrupted while in doubt; the next apply settles it", cause)
			}
		}
		skipWait = false
		switch s.ks.InDoubt {
		case providers.Resend, providers.Retake:
			if s.ks.InDoubt == providers.Retake {
				// The attempt in doubt may have made an object; record it
				// beside the resource before taking another.
				if _, err := s.outcome(state.OutcomeSuperseded, providers.Object{}, "taken again: the attempt before may have made an object", cause); err != nil {
					return ItemResult{Outcome: state.OutcomeInDoubt, Err: err}, err
				}
			}
			if err := s.intent(); err != nil {
				return ItemResult{Outcome: state.OutcomeInDoubt, Err: err}, err
			}
			if s.ctx.Err() != nil {
				return s.outcome(state.OutcomeInDoubt, providers.Object{}, "interrupted while in doubt; the next apply settles it", cause)
			}
			obj, err := s.call()
			if err != nil && providers.ClassOf(err) == providers.Ambiguous {
				cause = err
				continue
			}
			return s.settle(obj, err, false)
		case providers.LookupByKey:
			looked := s.x.now()
			found, err := s.prov.Lookup(s.callCtx, s.query())
			switch {
			case err == nil:
				if diff := differs(s.c, found); diff != "" {
					return s.outcome(state.OutcomeUnknown, found, "found by key, but it differs from the declaration: "+diff, nil)
				}
				return s.adoptFound(found, "found by key after an ambiguous failure")
			case errors.Is(err, providers.ErrNotFound):
				if wait := s.lastSentAt().Add(s.ks.Settle).Sub(looked); wait > 0 {
					// The attempt in doubt may still be under way at the
					// gateway: finding nothing proves nothing yet. Look
					// again, more slowly each time, until it has had
					// Settle to land; these looks use up no attempt.
					if polls++; polls > maxSettlePolls {
						return s.outcome(state.OutcomeInDoubt, providers.Object{}, "not found, but the attempt in doubt may still land at the gateway; the next apply looks again", cause)
					}
					if s.x.Backoff.Pause(s.ctx, min(s.x.Backoff.Delay(polls), wait)) != nil {
						return s.outcome(state.OutcomeInDoubt, providers.Object{}, "interrupted while waiting for the attempt in doubt to settle; the next apply looks again", cause)
					}
					n--
					skipWait = true
					continue
				}
				// Proven absent: send it, as a first attempt.
				if err := s.intent(); err != nil {
					return ItemResult{Outcome: state.OutcomeInDoubt, Err: err}, err
				}
				if s.ctx.Err() != nil {
					return s.outcome(state.OutcomeNotCreated, providers.Object{}, "proven absent; interrupted before sending again", nil)
				}
				obj, err := s.call()
				if err != nil && providers.ClassOf(err) == providers.Ambiguous {
					cause = err
					continue
				}
				return s.settle(obj, err, true)
			default:
				cause = err
			}
		default: // Manual
			return s.outcome(state.OutcomeUnknown, providers.Object{},
				"the gateway cannot tell whether it was created; check its dashboard, then run payform state resolve", cause)
		}
	}
	return s.outcome(state.OutcomeInDoubt, providers.Object{}, fmt.Sprintf("still in doubt after %d attempts; the next apply tries again", attempts), cause)
}

// adoptFound records an object found by key. Objects the gateway holds
// under the same key beside it (late duplicates at a gateway that does not
// enforce its key) are recorded as superseded, and the item warns.
func (s *sending) adoptFound(found providers.Object, note string) (ItemResult, error) {
	for _, id := range found.Others {
		if _, err := s.outcome(state.OutcomeSuperseded, providers.Object{ID: id},
			fmt.Sprintf("another object under the same key; payform manages %s", found.ID), nil); err != nil {
			return ItemResult{Outcome: state.OutcomeInDoubt, Err: err}, err
		}
	}
	r, err := s.outcome(state.OutcomeAdopted, found, note, nil)
	if len(found.Others) > 0 {
		r.Warning = fmt.Sprintf("%s holds %d objects under key %q: payform manages %s and recorded %s beside it. Cancel the extra at the gateway if it must not be paid.",
			s.c.Provider, len(found.Others)+1, s.c.Key, found.ID, strings.Join(found.Others, ", "))
	}
	return r, err
}

// lastSentAt is when the last create for the key was sent: by this apply,
// else as the state recorded it (the last intent or anything after it).
func (s *sending) lastSentAt() time.Time {
	if !s.lastSent.IsZero() {
		return s.lastSent
	}
	if b := s.c.Before; b != nil && b.Pending != nil {
		if b.UpdatedAt.After(b.Pending.At) {
			return b.UpdatedAt
		}
		return b.Pending.At
	}
	// Nothing known: assume it was just sent.
	return s.x.now()
}

// intent journals, durably, that a create is about to be sent.
func (s *sending) intent() error {
	failpoint.Hit("before-intent")
	err := s.x.Store.Record(&state.Entry{
		Op: state.OpIntent, PlanID: s.planID, Address: s.c.Address, Provider: s.c.Provider, Key: s.c.Key,
		RequestDigest: s.c.RequestDigest(), Object: s.c.Declared(),
	}, true)
	failpoint.Hit("after-intent")
	return err
}

// call calls the gateway's create for this change.
func (s *sending) call() (providers.Object, error) {
	ctx := s.callCtx
	if failpoint.Enabled() {
		// Over a real connection, die once the request is on the wire;
		// in process (the embedded sandbox), once it is handed over.
		// The hooks run on the transport's goroutines.
		var conn atomic.Pointer[failpoint.Conn]
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
			GotConn: func(i httptrace.GotConnInfo) {
				if c, ok := i.Conn.(*failpoint.Conn); ok {
					conn.Store(c)
				}
			},
			WroteRequest: func(httptrace.WroteRequestInfo) {
				if c := conn.Load(); c != nil {
					c.Arm("during-call")
				} else {
					failpoint.Hit("during-call")
				}
			},
			GotFirstResponseByte: func() {
				if c := conn.Load(); c != nil {
					c.Fire()
				}
			},
		})
	}
	s.lastSent = s.x.now()
	obj, err := s.prov.Create(ctx, s.c.Request())
	failpoint.Hit("after-call")
	return obj, err
}

// outcome journals what a call produced (group-committed: durable at the
// next sync) and returns it as the item's result.
func (s *sending) outcome(outcome state.Outcome, obj providers.Object, note string, cause error) (ItemResult, error) {
	res := &state.Result{Outcome: outcome, ID: obj.ID, Status: string(obj.Status), RawStatus: obj.RawStatus, Note: note}
	if cause != nil {
		res.Error = cause.Error()
	}
	if outcome == state.OutcomeCreated || outcome == state.OutcomeAdopted {
		if res.Status == "" {
			res.Status = string(providers.StatusSubmitted)
		}
		res.Remote = remoteFields(s.c.Kind, obj)
	}
	r := ItemResult{Outcome: outcome, ID: obj.ID, Status: res.Status, Note: note, Err: cause}
	err := s.x.Store.Record(&state.Entry{
		Op: state.OpOutcome, PlanID: s.planID, Address: s.c.Address, Provider: s.c.Provider, Key: s.c.Key, Result: res,
	}, false)
	failpoint.Hit("after-outcome")
	return r, err
}

// remoteFields keeps what the gateway returned beyond id and status.
func remoteFields(kind providers.Kind, obj providers.Object) map[string]string {
	m := maps.Clone(obj.Fields)
	if kind == providers.DepositAddress {
		if m == nil {
			m = map[string]string{}
		}
		m["address"] = obj.Address
		if obj.Tag != "" {
			m["tag"] = obj.Tag
		}
	}
	return m
}

// differs compares a gateway object with a change; "" when they agree on
// everything the gateway reported.
func differs(c *planner.Change, o providers.Object) string {
	switch {
	case !o.Amount.IsZero() && !o.Amount.Equal(c.Amount):
		return fmt.Sprintf("amount %s, declared %s", o.Amount, c.Amount)
	case o.Currency != "" && o.Currency != c.Currency:
		return fmt.Sprintf("currency %s, declared %s", o.Currency, c.Currency)
	case c.Kind == providers.Payout && o.Address != "" && o.Address != c.Attrs["address"]:
		return fmt.Sprintf("address %s, declared %s", o.Address, c.Attrs["address"])
	}
	return ""
}

func keyName(k providers.Kind) string {
	if k == providers.Payout || k == providers.DepositAddress {
		return "foreign_id"
	}
	return "key"
}

// query asks the gateway for this change's key, no further back than the
// first intent of this attempt (when the state knows it).
func (s *sending) query() providers.Query {
	q := providers.Query{Kind: s.c.Kind, Key: s.c.Key}
	if s.c.Before != nil && s.c.Before.Pending != nil {
		q.Since = s.c.Before.CreatedAt
	} else {
		q.Since = s.started
	}
	return q
}

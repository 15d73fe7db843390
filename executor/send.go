package executor

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/payform/payform/internal/shell"
	"github.com/payform/payform/planner"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// The send path, as DESIGN §7's table reads:
//
//	create     journal a durable intent, send once (attempt); the
//	           answer settles it, unless it is ambiguous:
//	in doubt   by the gateway's rule (KindSupport.InDoubt):
//	  resend   send again with the same key (attempt): accepted ⇒ the
//	           first never landed; "already taken" ⇒ it did (duplicate)
//	  lookup   look the key up: found ⇒ adopt; not found ⇒ absent only
//	           once Settle has passed since the request left (measured
//	           on this run's clock), then create again
//	  retake   record the attempt beside the resource, take again
//	  manual   unknown until an operator runs `payform state resolve`
//
// Every answer is checked against what was sent (planner.Mismatch): an
// object that is not the one declared is never adopted as it.

// item is one change on the send path.
type item struct {
	x       *Executor
	ctx     context.Context // cancelled on Ctrl-C: stop before sending
	callCtx context.Context // never cancelled: a call under way finishes
	planID  string
	c       *planner.Change
	prov    providers.Provider
	ks      providers.KindSupport
	// sent is when this run's last request for the key left payform
	// (after every rate limit), on the executor's clock; zero when this
	// run has sent none.
	sent time.Time
}

// errInterrupted is the "call" of an attempt stopped after its intent,
// before anything was sent.
var errInterrupted = errors.New("interrupted before the request was sent")

// attempt journals, durably, that a create is about to be sent, then
// sends it once. jerr is fatal (the journal could not be written); err is
// the gateway's, or errInterrupted when Ctrl-C came before the request.
func (it *item) attempt() (obj providers.Object, err, jerr error) {
	x := it.x
	x.Failpoints.Hit("before-intent")
	jerr = x.Store.Record(&state.Entry{
		Op: state.OpIntent, PlanID: it.planID, Address: it.c.Address, Provider: it.c.Provider, Scope: it.c.Scope, Key: it.c.Key,
		RequestDigest: it.c.RequestDigest(), Object: it.c.Declared(),
	}, true)
	x.Failpoints.Hit("after-intent")
	if jerr != nil {
		return obj, nil, jerr
	}
	if it.ctx.Err() != nil {
		return obj, errInterrupted, nil
	}
	var left time.Time
	ctx := providers.OnSend(x.Failpoints.Trace(it.callCtx), func(time.Time) {
		if left.IsZero() {
			left = x.now() // the first request of the create
		}
	})
	ctx = providers.StopWaiting(ctx, it.ctx.Done())
	obj, err = it.prov.Create(ctx, it.c.Request())
	if left.IsZero() {
		// No rate-limited transport said when it left: count from now,
		// the latest it can have left.
		left = x.now()
	}
	it.sent = left
	x.Failpoints.Hit("after-call")
	if errors.Is(err, providers.ErrStopped) {
		err = errInterrupted
	}
	return obj, err, nil
}

// create sends a change for the first time, or again once its key is
// proven absent (first says so: a refusal then proves nothing exists).
func (it *item) create() (ItemResult, error) {
	obj, err, jerr := it.attempt()
	switch {
	case jerr != nil:
		return ItemResult{Outcome: state.OutcomeInDoubt, Err: jerr}, jerr
	case errors.Is(err, errInterrupted):
		return it.outcome(state.OutcomeNotCreated, providers.Object{}, "interrupted before the request was sent", nil)
	case err != nil && providers.ClassOf(err) == providers.Ambiguous:
		return it.inDoubt(err)
	}
	return it.answered(obj, err, true)
}

// inDoubt settles a create whose outcome is unknown by the gateway's
// rule. cause is the ambiguous failure, nil when resolving an item an
// earlier run left in doubt.
func (it *item) inDoubt(cause error) (ItemResult, error) {
	switch it.ks.InDoubt {
	case providers.Resend:
		return it.resend(cause, false)
	case providers.Retake:
		return it.resend(cause, true)
	case providers.LookupByKey:
		return it.lookup(cause)
	}
	return it.outcome(state.OutcomeUnknown, providers.Object{},
		"the gateway cannot tell whether it was created; check its dashboard, then run payform state resolve "+shell.Quote(it.c.Address)+" (--id ID or --not-created)", cause)
}

// resend sends the key again, up to ResolveAttempts times while the
// answers stay ambiguous. With retake, each attempt in doubt is first
// recorded beside the resource: it may have made an object.
func (it *item) resend(cause error, retake bool) (ItemResult, error) {
	for n := 1; n <= it.x.resolveAttempts(); n++ {
		if cause != nil && it.x.Backoff.Wait(it.ctx, n, 0) != nil {
			return it.outcome(state.OutcomeInDoubt, providers.Object{}, "interrupted while in doubt; the next apply settles it", cause)
		}
		if retake {
			if _, err := it.outcome(state.OutcomeSuperseded, providers.Object{}, "taken again: the attempt before may have made an object", cause); err != nil {
				return ItemResult{Outcome: state.OutcomeInDoubt, Err: err}, err
			}
		}
		obj, err, jerr := it.attempt()
		switch {
		case jerr != nil:
			return ItemResult{Outcome: state.OutcomeInDoubt, Err: jerr}, jerr
		case errors.Is(err, errInterrupted):
			return it.outcome(state.OutcomeInDoubt, providers.Object{}, "interrupted while in doubt; the next apply settles it", cause)
		case err != nil && providers.ClassOf(err) == providers.Ambiguous:
			cause = err
			continue
		}
		return it.answered(obj, err, false)
	}
	return it.outcome(state.OutcomeInDoubt, providers.Object{}, fmt.Sprintf("still in doubt after %d attempts; the next apply tries again", it.x.resolveAttempts()), cause)
}

// maxSettlePolls bounds the looks while an attempt in doubt settles (at
// most one every Backoff.Max).
const maxSettlePolls = 100

// lookup settles the key by looking it up. Not finding it proves absence
// only when the look starts Settle after the last request for the key
// left payform: while it may still be processed, finding nothing proves
// nothing. The time is measured on this run's clock, from this run's own
// last request or, for an item an earlier run left in doubt, from this
// run's first look (the earlier request left before it): never by
// comparing clocks of different runs or runners.
func (it *item) lookup(cause error) (ItemResult, error) {
	from := it.sent
	failures, polls := 0, 0
	for {
		looked := it.x.now()
		if from.IsZero() {
			from = looked
		}
		found, err := it.prov.Lookup(it.callCtx, it.query())
		switch {
		case err == nil:
			if diff := planner.Mismatch(it.c, found, it.ks.EchoesTag); diff != "" {
				return it.outcome(state.OutcomeUnknown, found, "found by key, but it is not the declared object: "+diff+"; check it at the gateway, then run payform state resolve "+shell.Quote(it.c.Address), nil)
			}
			return it.adoptFound(found, "found by key after an ambiguous failure")
		case errors.Is(err, providers.ErrNotFound):
			if wait := from.Add(it.ks.Settle).Sub(looked); wait > 0 {
				if polls++; polls > maxSettlePolls {
					return it.outcome(state.OutcomeInDoubt, providers.Object{}, "not found, but the attempt in doubt may still land at the gateway; the next apply looks again", cause)
				}
				if it.x.Backoff.Pause(it.ctx, min(it.x.Backoff.Delay(polls), wait)) != nil {
					return it.outcome(state.OutcomeInDoubt, providers.Object{}, "interrupted while waiting for the attempt in doubt to settle; the next apply looks again", cause)
				}
				continue
			}
			// Proven absent: send it, as a first attempt.
			obj, err, jerr := it.attempt()
			switch {
			case jerr != nil:
				return ItemResult{Outcome: state.OutcomeInDoubt, Err: jerr}, jerr
			case errors.Is(err, errInterrupted):
				return it.outcome(state.OutcomeNotCreated, providers.Object{}, "proven absent; interrupted before sending again", nil)
			case err != nil && providers.ClassOf(err) == providers.Ambiguous:
				cause, from, polls = err, it.sent, 0
				continue
			}
			return it.answered(obj, err, true)
		default:
			cause = err
			if failures++; failures >= it.x.resolveAttempts() {
				return it.outcome(state.OutcomeInDoubt, providers.Object{}, fmt.Sprintf("the lookup failed %d times; the next apply tries again", failures), cause)
			}
			if it.x.Backoff.Wait(it.ctx, failures, 0) != nil {
				return it.outcome(state.OutcomeInDoubt, providers.Object{}, "interrupted while in doubt; the next apply settles it", cause)
			}
		}
	}
}

// answered journals the outcome of a call that was not ambiguous. first
// says whether a refusal proves that nothing exists: true for a first
// attempt or after proven absence, false for a resend while in doubt.
func (it *item) answered(obj providers.Object, err error, first bool) (ItemResult, error) {
	if err == nil {
		if diff := planner.Mismatch(it.c, obj, it.ks.EchoesTag); diff != "" {
			// The gateway made something, but not what was sent: never
			// adopt it as the declared object, never send again.
			return it.outcome(state.OutcomeUnknown, obj, fmt.Sprintf("the gateway's answer is not the object sent (id %s): %s; check it at the gateway, then run payform state resolve %s",
				firstNonEmpty(obj.ID, "none given"), diff, shell.Quote(it.c.Address)), nil)
		}
		note := ""
		if !first {
			note = "sent again after an ambiguous failure; the gateway accepted it, so the earlier attempt had not landed"
		}
		return it.outcome(state.OutcomeCreated, obj, note, nil)
	}
	switch providers.ClassOf(err) {
	case providers.Duplicate:
		return it.duplicate(first, err)
	case providers.Rejected:
		if !first {
			// A refused resend says nothing about the first attempt.
			return it.outcome(state.OutcomeInDoubt, providers.Object{}, "a resend was refused, which does not tell whether the first attempt landed; the next apply tries again", err)
		}
		return it.outcome(state.OutcomeRejected, providers.Object{}, "", err)
	default: // Retryable, after the retry wrapper gave up
		if !first {
			return it.outcome(state.OutcomeInDoubt, providers.Object{}, "the gateway could not be reached to settle it; the next apply tries again", err)
		}
		return it.outcome(state.OutcomeNotCreated, providers.Object{}, "the request never reached the gateway", err)
	}
}

// duplicate handles "the gateway already has this key".
func (it *item) duplicate(first bool, err error) (ItemResult, error) {
	if !it.ks.DuplicateAdopts {
		return it.outcome(state.OutcomeUnknown, providers.Object{},
			"the gateway already has this key but cannot say which object it is; settle it with payform state resolve "+shell.Quote(it.c.Address), err)
	}
	note := "the gateway already had this key: an earlier attempt landed"
	if first {
		note = "the gateway already had this key before this apply sent it; adopted without sending"
	}
	obj := providers.Object{Kind: it.c.Kind, Key: it.c.Key, Status: providers.StatusSubmitted}
	// Where the gateway can look the object up, check it is the declared one.
	found, lerr := it.prov.Lookup(it.callCtx, it.query())
	verified := false
	switch {
	case lerr == nil:
		if diff := planner.Mismatch(it.c, found, false); diff != "" {
			return it.outcome(state.OutcomeUnknown, found, "the gateway's object with this key differs from the declaration: "+diff, nil)
		}
		obj, verified = found, true
	case errors.Is(lerr, providers.ErrUnsupported), errors.Is(lerr, providers.ErrNotFound):
		note += " (not verified: the gateway cannot look it up)"
	default:
		note += fmt.Sprintf(" (not verified: lookup failed: %v)", lerr)
	}
	r, jerr := it.outcome(state.OutcomeAdopted, obj, note, nil)
	if first && !verified {
		// Nothing was sent twice, but payform never sent this one: the key
		// may belong to another payment (another state, another tool).
		r.Warning = fmt.Sprintf("not sent: %s already had %s %q, which this state never sent; it is recorded as submitted without verification. Check at the gateway that it is this payout.",
			it.c.Provider, schema.KeyAttr(it.c.Kind), it.c.Key)
	}
	return r, jerr
}

// adoptFound records an object found by key. Objects the gateway holds
// under the same key beside it (late duplicates at a gateway that does not
// enforce its key) are recorded as superseded, and the item warns.
func (it *item) adoptFound(found providers.Object, note string) (ItemResult, error) {
	for _, id := range found.Others {
		if _, err := it.outcome(state.OutcomeSuperseded, providers.Object{ID: id},
			fmt.Sprintf("another object under the same key; payform manages %s", found.ID), nil); err != nil {
			return ItemResult{Outcome: state.OutcomeInDoubt, Err: err}, err
		}
	}
	r, err := it.outcome(state.OutcomeAdopted, found, note, nil)
	if len(found.Others) > 0 {
		r.Warning = fmt.Sprintf("%s holds %d objects under key %q: payform manages %s and recorded %s beside it. Cancel the extra at the gateway if it must not be paid.",
			it.c.Provider, len(found.Others)+1, it.c.Key, found.ID, strings.Join(found.Others, ", "))
	}
	return r, err
}

// outcome journals what a call produced (group-committed: durable at the
// next sync) and returns it as the item's result.
func (it *item) outcome(outcome state.Outcome, obj providers.Object, note string, cause error) (ItemResult, error) {
	res := &state.Result{Outcome: outcome, ID: obj.ID, Status: string(obj.Status), RawStatus: obj.RawStatus, Note: note}
	if cause != nil {
		res.Error = cause.Error()
	}
	if outcome.Exists() {
		if res.Status == "" {
			res.Status = string(providers.StatusSubmitted)
		}
		res.Remote = remoteFields(it.c.Kind, obj)
	}
	r := ItemResult{Outcome: outcome, ID: obj.ID, Status: res.Status, Note: note, Err: cause}
	err := it.x.Store.Record(&state.Entry{
		Op: state.OpOutcome, PlanID: it.planID, Address: it.c.Address, Provider: it.c.Provider, Key: it.c.Key, Result: res,
	}, false)
	it.x.Failpoints.Hit("after-outcome")
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

// query asks the gateway for this change's key, from when its first
// intent was journaled or now, whichever is earlier, less UnsentMargin:
// a window that neither a sender's clock ahead of the gateway's nor one
// behind it escapes (by less than the margin).
func (it *item) query() providers.Query {
	since := it.x.now()
	if b := it.c.Before; b != nil && b.Pending != nil && b.CreatedAt.Before(since) {
		since = b.CreatedAt
	}
	return providers.Query{Kind: it.c.Kind, Key: it.c.Key, Since: since.Add(-UnsentMargin)}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

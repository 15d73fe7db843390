package executor

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/payform/payform/internal/failpoint"
	"github.com/payform/payform/planner"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/state"
)

// Hooks receive apply's progress; cmd/ renders it. Implementations must
// be safe for concurrent use.
type Hooks interface {
	// Started is called once with the number of items apply will handle.
	Started(total int)
	// Finished is called once per item, in completion order.
	Finished(c *planner.Change, r ItemResult)
}

// ItemStarter is a Hooks that also hears each item start, before its
// call or its journal entry (cmd's JSON events: apply_start); Apply
// probes for it once.
type ItemStarter interface {
	Starting(c *planner.Change)
}

// ItemResult is what became of one change.
type ItemResult struct {
	Outcome state.Outcome
	ID      string
	Status  string
	Note    string
	Err     error
	// Warning flags a success an operator should check, e.g. a key the
	// gateway already had, adopted without verification.
	Warning string
}

// Failed reports whether the item needs attention: it was refused, not
// sent, or is still (or definitively) in doubt.
func (r ItemResult) Failed() bool { return r.Outcome.Failed() }

// Result sums up an apply.
type Result struct {
	Counts map[state.Outcome]int
	// Failures lists the items that need attention, sorted by address.
	Failures []Failure
	// Warnings lists items that succeeded but deserve a look, sorted by
	// address.
	Warnings []Failure
	// NotStarted counts changes never begun because apply was interrupted.
	NotStarted  int
	Interrupted bool
}

// Failure is one item that needs attention.
type Failure struct {
	Address string
	Outcome state.Outcome
	Message string
}

// Executor applies plans. For every create it journals an intent and
// waits until it is durable, then calls the gateway, then journals the
// outcome; an ambiguous outcome is settled at once by the gateway's
// in-doubt rule where that is possible, and otherwise stays in doubt for
// the next run. It never sends a key twice except as that rule allows.
type Executor struct {
	Store *state.Store
	// Providers by configured name, wrapped for retries of Retryable
	// failures and for rate limits.
	Providers   map[string]providers.Provider
	Parallelism int
	Hooks       Hooks
	// Backoff spaces attempts to settle an in-doubt create.
	Backoff providers.Backoff
	// ResolveAttempts bounds those attempts per item; DefaultResolveAttempts
	// when zero.
	ResolveAttempts int
	// Now is the clock settle windows are measured on (only ever within
	// one run); time.Now when nil.
	Now func() time.Time
	// Failpoints crash the process at the steps of a create, for tests;
	// nil in production.
	Failpoints *failpoint.Set
	// Approvals are the approvals of the plan that counted (verified by
	// the caller), journaled with its apply entry.
	Approvals []state.Approval
}

func (x *Executor) resolveAttempts() int {
	if x.ResolveAttempts > 0 {
		return x.ResolveAttempts
	}
	return DefaultResolveAttempts
}

func (x *Executor) now() time.Time {
	if x.Now != nil {
		return x.Now()
	}
	return time.Now()
}

// DefaultResolveAttempts bounds attempts to settle one in-doubt create.
const DefaultResolveAttempts = 10

// Apply runs the plan's changes. ctx stops apply from starting new work
// (Ctrl-C); calls already under way finish and their outcomes are
// journaled. The error is fatal (the journal could not be written);
// per-item problems are in the Result.
func (x *Executor) Apply(ctx context.Context, p *planner.Plan) (*Result, error) {
	res := &Result{Counts: map[state.Outcome]int{}}
	var mu sync.Mutex
	done := func(c *planner.Change, r ItemResult) {
		mu.Lock()
		res.Counts[r.Outcome]++
		if r.Failed() {
			msg := r.Note
			if r.Err != nil {
				msg = r.Err.Error()
			}
			res.Failures = append(res.Failures, Failure{Address: c.Address, Outcome: r.Outcome, Message: msg})
		}
		if r.Warning != "" {
			res.Warnings = append(res.Warnings, Failure{Address: c.Address, Outcome: r.Outcome, Message: r.Warning})
		}
		mu.Unlock()
		if x.Hooks != nil {
			x.Hooks.Finished(c, r)
		}
	}
	starter, _ := x.Hooks.(ItemStarter)
	start := func(c *planner.Change) {
		if starter != nil {
			starter.Starting(c)
		}
	}
	if x.Hooks != nil {
		x.Hooks.Started(len(p.Changes) + len(p.Drift))
	}
	if err := x.Store.Record(&state.Entry{Op: state.OpApply, PlanID: p.PlanID, Approvals: x.Approvals}, true); err != nil {
		return res, err
	}

	// Changes that make no call are journaled directly, forgets first: a
	// deposit address forgotten at one address may be restored at another.
	var calls, recorded []*planner.Change
	for _, c := range p.Changes {
		if c.Action.Calls() {
			calls = append(calls, c)
		} else {
			recorded = append(recorded, c)
		}
	}
	sort.SliceStable(recorded, func(i, j int) bool {
		return recorded[i].Action == planner.Forget && recorded[j].Action != planner.Forget
	})
	for _, c := range recorded {
		start(c)
		r, err := x.record(p.PlanID, c)
		if err != nil {
			return res, err
		}
		done(c, r)
	}
	for _, d := range p.Drift {
		c := &planner.Change{Address: d.Address, Action: planner.NoOp, Provider: d.Provider, Key: d.Key}
		start(c)
		e := &state.Entry{Op: state.OpRefresh, PlanID: p.PlanID, Address: d.Address, Provider: d.Provider, Key: d.Key,
			Result: &state.Result{Outcome: state.OutcomeRefreshed, ID: d.ID, Status: d.After, RawStatus: d.RawAfter, Remote: d.Fields}}
		if err := x.Store.Record(e, false); err != nil {
			return res, err
		}
		done(c, ItemResult{Outcome: state.OutcomeRefreshed, Status: d.After})
	}

	// Changes that call a gateway: a pool of workers.
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	callCtx := context.WithoutCancel(ctx) // calls under way finish on Ctrl-C
	var fatal error
	var fatalOnce sync.Once
	work := make(chan *planner.Change)
	var wg sync.WaitGroup
	for range max(1, min(x.Parallelism, len(calls))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				start(c)
				r, err := x.call(runCtx, callCtx, p.PlanID, c)
				if err != nil {
					fatalOnce.Do(func() { fatal = err; cancel() })
				}
				done(c, r)
			}
		}()
	}
	sent := 0
dispatch:
	for _, c := range calls {
		select {
		case work <- c:
			sent++
		case <-runCtx.Done():
			break dispatch
		}
	}
	close(work)
	wg.Wait()
	res.NotStarted = len(calls) - sent
	res.Interrupted = ctx.Err() != nil
	sort.Slice(res.Failures, func(i, j int) bool { return res.Failures[i].Address < res.Failures[j].Address })
	sort.Slice(res.Warnings, func(i, j int) bool { return res.Warnings[i].Address < res.Warnings[j].Address })
	return res, fatal
}

// record journals a change that makes no call.
func (x *Executor) record(planID string, c *planner.Change) (ItemResult, error) {
	e := &state.Entry{PlanID: planID, Address: c.Address, Provider: c.Provider, Key: c.Key}
	var r ItemResult
	switch c.Action {
	case planner.Forget:
		e.Op = state.OpForget
		e.Result = &state.Result{Outcome: state.OutcomeForgotten, Note: c.Note}
		r = ItemResult{Outcome: state.OutcomeForgotten, Note: c.Note}
	case planner.Restore:
		e.Op = state.OpRestore
		e.From = c.From
		e.Result = &state.Result{Outcome: state.OutcomeRestored, Note: c.Note}
		r = ItemResult{Outcome: state.OutcomeRestored, Note: c.Note}
		if c.Before != nil {
			r.ID, r.Status = c.Before.ID, c.Before.Status
		}
	case planner.Adopt:
		e.Op = state.OpAdopt
		e.Scope = c.Scope
		e.Object = c.Declared()
		e.Result = &state.Result{Outcome: state.OutcomeAdopted, ID: c.Found.ID, Status: c.Found.Status, RawStatus: c.Found.RawStatus, Note: c.Note}
		r = ItemResult{Outcome: state.OutcomeAdopted, ID: c.Found.ID, Status: c.Found.Status, Note: c.Note}
	default:
		return r, fmt.Errorf("internal error: %s is not a journal-only action", c.Action)
	}
	return r, x.Store.Record(e, false)
}

// call runs one create or resolve. The error is fatal (journal failure).
func (x *Executor) call(ctx, callCtx context.Context, planID string, c *planner.Change) (ItemResult, error) {
	prov := x.Providers[c.Provider]
	if prov == nil {
		return ItemResult{Outcome: state.OutcomeNotCreated, Err: fmt.Errorf("provider %s is not configured", c.Provider)}, nil
	}
	ks, ok := prov.Supports(c.Kind)
	if !ok {
		return ItemResult{Outcome: state.OutcomeNotCreated, Err: fmt.Errorf("%s does not handle %s", c.Provider, c.Kind)}, nil
	}
	it := &item{x: x, ctx: ctx, callCtx: callCtx, planID: planID, c: c, prov: prov, ks: ks}
	if c.Action == planner.Resolve {
		return it.inDoubt(nil)
	}
	return it.create()
}

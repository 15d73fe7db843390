package statetest

import (
	"sync"
	"time"

	"github.com/payform/payform/state"
)

// T0 is when the suite's clock starts: every store of one test shares a
// clock that moves one second per reading.
var T0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

type clock struct {
	mu sync.Mutex
	n  int
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return T0.Add(time.Duration(c.n) * time.Second)
}

// The entries below are what apply, import and forget write for payouts:
// plan-1 is applied by "tester" (every store's actor).

const plan = "plan-1"

func addr(n string) string { return `payout.a["` + n + `"]` }

func applyPlan(id string) *state.Entry { return &state.Entry{Op: state.OpApply, PlanID: id} }

func intent(n string) *state.Entry {
	return &state.Entry{Op: state.OpIntent, PlanID: plan, Address: addr(n), Provider: "wllxpay", Key: "k" + n,
		Object: &state.Declared{Kind: "payout", Gateway: "wllxpay", Amount: "1.5", Currency: "BTC", Attrs: map[string]string{"address": "bc1q" + n}}}
}

func settle(n string, r *state.Result) *state.Entry {
	return &state.Entry{Op: state.OpOutcome, PlanID: plan, Address: addr(n), Provider: "wllxpay", Key: "k" + n, Result: r}
}

func created(n string) *state.Entry {
	return settle(n, &state.Result{Outcome: state.OutcomeCreated, ID: "10" + n, Status: "submitted", RawStatus: "processing"})
}

func rejected(n string) *state.Entry {
	return settle(n, &state.Result{Outcome: state.OutcomeRejected, Error: "Not enough amount"})
}

func adopt(n string) *state.Entry {
	return &state.Entry{Op: state.OpAdopt, Address: addr(n), Provider: "wllxpay", Key: "k" + n,
		Object: &state.Declared{Kind: "payout", Gateway: "wllxpay", Amount: "1", Currency: "BTC"},
		Result: &state.Result{Outcome: state.OutcomeAdopted, ID: "20" + n, Status: "submitted"}}
}

func forget(n string) *state.Entry { return &state.Entry{Op: state.OpForget, Address: addr(n)} }

func keyRef(n string) state.KeyRef {
	return state.KeyRef{Provider: "wllxpay", Kind: "payout", Key: "k" + n}
}

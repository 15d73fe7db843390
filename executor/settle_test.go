package executor

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/planner"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/providertest"
	"github.com/payform/payform/state"
)

// lateGateway is an invoice gateway that does not enforce its key and
// processes a create Lag after it arrives: the first Slow creates answer
// Ambiguous (payform gave up waiting), and their invoices appear Lag
// later. Lookups see what has appeared by then, newest first.
type lateGateway struct {
	clock  *providertest.Clock
	settle time.Duration
	lag    time.Duration

	mu      sync.Mutex
	slow    int
	creates []time.Time // when each create arrived
	objects []lateObject
	lookups int
}

type lateObject struct {
	id, key string
	at      time.Time // when it appears
}

func (g *lateGateway) Gateway() string { return "late" }

func (g *lateGateway) Supports(kind providers.Kind) (providers.KindSupport, bool) {
	return providers.KindSupport{Kind: kind, InDoubt: providers.LookupByKey, Settle: g.settle}, kind == providers.Invoice
}

func (g *lateGateway) Create(_ context.Context, req providers.Request) (providers.Object, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.clock.Now()
	g.creates = append(g.creates, now)
	id := fmt.Sprint(len(g.objects) + 1)
	if g.slow > 0 {
		g.slow--
		g.objects = append(g.objects, lateObject{id: id, key: req.Key, at: now.Add(g.lag)})
		return providers.Object{}, &providers.Error{Class: providers.Ambiguous, Gateway: "late", Op: "create", Message: "timeout"}
	}
	g.objects = append(g.objects, lateObject{id: id, key: req.Key, at: now})
	return providers.Object{Kind: req.Kind, Key: req.Key, ID: id, Status: providers.StatusPending}, nil
}

func (g *lateGateway) Lookup(_ context.Context, q providers.Query) (providers.Object, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.lookups++
	now := g.clock.Now()
	var ids []string
	for _, o := range g.objects {
		if o.key == q.Key && !o.at.After(now) {
			ids = append(ids, o.id)
		}
	}
	if len(ids) == 0 {
		return providers.Object{}, providers.ErrNotFound
	}
	last := len(ids) - 1
	return providers.Object{Kind: q.Kind, Key: q.Key, ID: ids[last], Status: providers.StatusPending, Others: ids[:last]}, nil
}

func (g *lateGateway) Refresh(context.Context, []providers.Ref) ([]providers.Object, error) {
	return nil, providers.ErrUnsupported
}

func (g *lateGateway) List(context.Context, providers.Kind, time.Time) ([]providers.Object, error) {
	return nil, providers.ErrUnsupported
}

// held counts the invoices the gateway holds (or will) under key.
func (g *lateGateway) held(key string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, o := range g.objects {
		if o.key == key {
			n++
		}
	}
	return n
}

func invoiceChange(key string) *planner.Change {
	return &planner.Change{Address: `invoice_batch.b["` + key + `"]`, Action: planner.Create, Kind: providers.Invoice, Provider: "late", Gateway: "late",
		Key: key, Amount: decimal.RequireFromString("10.00"), Currency: "EUR"}
}

func settleRun(t *testing.T, g *lateGateway, store *state.Store, c *planner.Change) (ItemResult, *Result) {
	t.Helper()
	x := &Executor{Store: store, Providers: map[string]providers.Provider{"late": g}, Parallelism: 1,
		Backoff: providers.Backoff{Sleep: g.clock.Sleep}, Now: g.clock.Now}
	var got ItemResult
	x.Hooks = hookFunc(func(_ *planner.Change, r ItemResult) { got = r })
	res, err := x.Apply(context.Background(), &planner.Plan{PlanID: state.NewID(), Changes: []*planner.Change{c}})
	if err != nil {
		t.Fatal(err)
	}
	return got, res
}

type hookFunc func(*planner.Change, ItemResult)

func (hookFunc) Started(int)                                {}
func (f hookFunc) Finished(c *planner.Change, r ItemResult) { f(c, r) }

func newSettleStore(t *testing.T, clock *providertest.Clock) *state.Store {
	t.Helper()
	st, err := state.Open(context.Background(), &state.Local{Path: filepath.Join(t.TempDir(), "payform.state.json")},
		state.Options{Operation: "test", Actor: "tester", Version: "test", Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestLookupWaitsForLateCreate: a create that timed out is processed by the
// gateway later than payform's lookups start. A lookup that finds nothing
// then is not proof of absence; payform keeps looking until the attempt is
// Settle old, finds the late invoice and adopts it. One invoice per key.
func TestLookupWaitsForLateCreate(t *testing.T) {
	for _, lag := range []time.Duration{300 * time.Millisecond, 5 * time.Second, 90 * time.Second} {
		t.Run(lag.String(), func(t *testing.T) {
			clock := providertest.NewClock(t0)
			g := &lateGateway{clock: clock, settle: 2 * time.Minute, lag: lag, slow: 1}
			store := newSettleStore(t, clock)
			r, _ := settleRun(t, g, store, invoiceChange("inv-1"))
			if r.Outcome != state.OutcomeAdopted || r.ID != "1" {
				t.Fatalf("outcome %s id %q (%s), want adopted 1", r.Outcome, r.ID, r.Note)
			}
			if n := g.held("inv-1"); n != 1 || len(g.creates) != 1 {
				t.Fatalf("gateway holds %d invoices after %d creates, want 1 and 1", n, len(g.creates))
			}
			if waited := clock.Now().Sub(g.creates[0]); waited < lag || waited > lag+11*time.Second {
				t.Errorf("found after %s, want soon after the %s lag", waited, lag)
			}
		})
	}
}

// TestLookupProvesAbsenceAfterSettle: a create that never landed is sent
// again only once a lookup that starts Settle after it finds nothing.
func TestLookupProvesAbsenceAfterSettle(t *testing.T) {
	clock := providertest.NewClock(t0)
	// The slow attempt never appears (lag beyond any lookup).
	g := &lateGateway{clock: clock, settle: 2 * time.Minute, lag: 1000 * time.Hour, slow: 1}
	store := newSettleStore(t, clock)
	r, _ := settleRun(t, g, store, invoiceChange("inv-1"))
	if r.Outcome != state.OutcomeCreated || len(g.creates) != 2 {
		t.Fatalf("outcome %s after %d creates, want created after 2", r.Outcome, len(g.creates))
	}
	if gap := g.creates[1].Sub(g.creates[0]); gap < g.settle {
		t.Errorf("sent again %s after the attempt in doubt, before the %s settle time", gap, g.settle)
	}
	if g.lookups < 5 {
		t.Errorf("%d lookups while settling, want it to keep looking", g.lookups)
	}
}

// TestResolveEarlierRunWaitsForSettle: an item left in doubt by a killed
// run is settled by the next run, which must not take "not found" as
// proof while the killed run's request may still land.
func TestResolveEarlierRunWaitsForSettle(t *testing.T) {
	clock := providertest.NewClock(t0)
	g := &lateGateway{clock: clock, settle: 2 * time.Minute}
	store := newSettleStore(t, clock)
	c := invoiceChange("inv-1")
	// The killed run: intent journaled, request sent, no outcome; the
	// gateway makes the invoice 40s later.
	if err := store.Record(&state.Entry{Op: state.OpApply, PlanID: "killed"}, true); err != nil {
		t.Fatal(err)
	}
	if err := store.Record(&state.Entry{Op: state.OpIntent, PlanID: "killed", Address: c.Address, Provider: "late", Key: c.Key,
		RequestDigest: c.RequestDigest(), Object: c.Declared()}, true); err != nil {
		t.Fatal(err)
	}
	g.objects = append(g.objects, lateObject{id: "1", key: c.Key, at: t0.Add(40 * time.Second)})
	clock.Advance(5 * time.Second) // the operator runs apply again at once

	c.Action, c.Before = planner.Resolve, store.State().Resource(c.Address)
	if c.Before == nil || c.Before.Pending == nil {
		t.Fatal("the killed run left nothing in doubt")
	}
	r, _ := settleRun(t, g, store, c)
	if r.Outcome != state.OutcomeAdopted || r.ID != "1" || len(g.creates) != 0 {
		t.Fatalf("outcome %s id %q after %d creates, want adopted 1 without a create", r.Outcome, r.ID, len(g.creates))
	}
}

// TestLookupFindsSeveral: when the gateway holds two invoices under one
// key (a late attempt landed after payform sent again), the lookup that
// settles the item adopts one, records the other beside it and warns.
func TestLookupFindsSeveral(t *testing.T) {
	clock := providertest.NewClock(t0)
	g := &lateGateway{clock: clock, settle: 2 * time.Minute}
	store := newSettleStore(t, clock)
	c := invoiceChange("inv-1")
	if err := store.Record(&state.Entry{Op: state.OpApply, PlanID: "killed"}, true); err != nil {
		t.Fatal(err)
	}
	if err := store.Record(&state.Entry{Op: state.OpIntent, PlanID: "killed", Address: c.Address, Provider: "late", Key: c.Key,
		RequestDigest: c.RequestDigest(), Object: c.Declared()}, true); err != nil {
		t.Fatal(err)
	}
	g.objects = append(g.objects, lateObject{id: "7", key: c.Key, at: t0}, lateObject{id: "9", key: c.Key, at: t0})
	c.Action, c.Before = planner.Resolve, store.State().Resource(c.Address)

	r, res := settleRun(t, g, store, c)
	if r.Outcome != state.OutcomeAdopted || r.ID != "9" {
		t.Fatalf("outcome %s id %q, want adopted 9", r.Outcome, r.ID)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0].Message, `2 objects under key "inv-1"`) {
		t.Errorf("warnings %+v, want one naming the two invoices", res.Warnings)
	}
	rec := store.State().Resource(c.Address)
	var ids []string
	for _, s := range rec.Superseded {
		ids = append(ids, s.ID)
	}
	if rec.ID != "9" || !slices.Equal(ids, []string{"7"}) {
		t.Fatalf("state: id %q, superseded %v; want 9 with 7 beside it", rec.ID, ids)
	}
	// Settling it again is refused: it is no longer in doubt.
	err := store.Record(&state.Entry{Op: state.OpOutcome, PlanID: store.State().Run.PlanID, Address: c.Address, Provider: "late", Key: c.Key,
		Result: &state.Result{Outcome: state.OutcomeSuperseded, ID: "7", Note: "again"}}, true)
	if err == nil || !strings.Contains(err.Error(), "has no pending intent") {
		t.Errorf("a second settling = %v, want a refusal", err)
	}
	if n := len(store.State().Resource(c.Address).Superseded); n != 1 {
		t.Errorf("%d superseded after a repeated record, want 1", n)
	}
}

// waitingGateway is a gateway behind a rate limiter: every create waits
// wait on the clock before its request leaves (and says so through
// providers.Sent, as the limited transport does).
type waitingGateway struct {
	*lateGateway
	wait time.Duration
}

func (g *waitingGateway) Create(ctx context.Context, req providers.Request) (providers.Object, error) {
	g.clock.Advance(g.wait)
	providers.Sent(ctx, g.clock.Now())
	return g.lateGateway.Create(ctx, req)
}

// TestLimiterWaitIsNotSettleTime (issue 12, row 1): time a create spends
// waiting for a rate limit is not time the gateway has had to process it.
// The create waits 10 minutes for the limit, times out, and the gateway
// makes the invoice 90 seconds after it received it; settle_time is 2
// minutes. Counting from before the wait, the first lookup (10 minutes
// "after the send") would prove absence and send again: two invoices.
// Counting from when the request left, payform keeps looking, finds it and
// adopts it.
func TestLimiterWaitIsNotSettleTime(t *testing.T) {
	clock := providertest.NewClock(t0)
	late := &lateGateway{clock: clock, settle: 2 * time.Minute, lag: 90 * time.Second, slow: 1}
	g := &waitingGateway{lateGateway: late, wait: 10 * time.Minute}
	store := newSettleStore(t, clock)
	x := &Executor{Store: store, Providers: map[string]providers.Provider{"late": g}, Parallelism: 1,
		Backoff: providers.Backoff{Sleep: clock.Sleep}, Now: clock.Now}
	var got ItemResult
	x.Hooks = hookFunc(func(_ *planner.Change, r ItemResult) { got = r })
	if _, err := x.Apply(context.Background(), &planner.Plan{PlanID: state.NewID(), Changes: []*planner.Change{invoiceChange("inv-1")}}); err != nil {
		t.Fatal(err)
	}
	if got.Outcome != state.OutcomeAdopted || got.ID != "1" {
		t.Fatalf("outcome %s id %q (%s), want adopted 1", got.Outcome, got.ID, got.Note)
	}
	if n := late.held("inv-1"); n != 1 || len(late.creates) != 1 {
		t.Fatalf("the gateway holds %d invoices after %d creates, want 1 and 1", n, len(late.creates))
	}
}

// TestSkewedClockOfAnEarlierRun (issue 12, row 2): a run whose clock is an
// hour behind is killed while a create is in doubt; the next run's clock
// is right. Comparing the earlier run's intent time with this run's clock,
// the attempt would look an hour old, and the first lookup that finds
// nothing would prove absence at once. The window is measured on this
// run's clock from its own first look: it keeps looking for settle_time,
// finds the late invoice and adopts it.
func TestSkewedClockOfAnEarlierRun(t *testing.T) {
	for _, skew := range []time.Duration{-time.Hour, time.Hour, -25 * time.Hour} {
		t.Run(skew.String(), func(t *testing.T) {
			clock := providertest.NewClock(t0)
			g := &lateGateway{clock: clock, settle: 2 * time.Minute}
			// The killed run, its clock skewed: intent journaled, request
			// sent at t0; the gateway makes the invoice 90 seconds later.
			skewed := providertest.NewClock(t0.Add(skew))
			path := filepath.Join(t.TempDir(), "payform.state.json")
			killed, err := state.Open(context.Background(), &state.Local{Path: path}, state.Options{Actor: "tester", Clock: skewed.Now})
			if err != nil {
				t.Fatal(err)
			}
			c := invoiceChange("inv-1")
			for _, e := range []*state.Entry{{Op: state.OpApply, PlanID: "killed"}, {Op: state.OpIntent, PlanID: "killed", Address: c.Address,
				Provider: "late", Key: c.Key, RequestDigest: c.RequestDigest(), Object: c.Declared()}} {
				if err := killed.Record(e, true); err != nil {
					t.Fatal(err)
				}
			}
			killed.Close()
			g.objects = append(g.objects, lateObject{id: "1", key: c.Key, at: t0.Add(90 * time.Second)})
			clock.Advance(5 * time.Second)

			store, err := state.Open(context.Background(), &state.Local{Path: path}, state.Options{Actor: "tester", Clock: clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			c.Action, c.Before = planner.Resolve, store.State().Resource(c.Address)
			r, _ := settleRun(t, g, store, c)
			if r.Outcome != state.OutcomeAdopted || r.ID != "1" || len(g.creates) != 0 {
				t.Fatalf("outcome %s id %q after %d creates, want adopted 1 without a create", r.Outcome, r.ID, len(g.creates))
			}
		})
	}
}

// TestLookupWindowEscapesNoSkew: a lookup reaches back from the earlier of
// the intent's time and now, less UnsentMargin, so that an invoice made
// (by the gateway's clock) when the request arrived is inside it whether
// the sender's clock ran a day ahead or a day behind.
func TestLookupWindowEscapesNoSkew(t *testing.T) {
	now := t0
	for _, skew := range []time.Duration{24 * time.Hour, -24 * time.Hour, 0} {
		it := &item{x: &Executor{Now: func() time.Time { return now }}, c: invoiceChange("inv-1")}
		it.c.Before = &state.Resource{CreatedAt: now.Add(skew), Pending: &state.Pending{}}
		made := now.Add(-time.Minute) // when the gateway made it, by its own clock
		if since := it.query().Since; since.After(made) {
			t.Errorf("sender clock %s off: the lookup starts at %s, after the invoice was made at %s", skew, since, made)
		}
	}
}

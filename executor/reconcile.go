package executor

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// How a reconciliation could compare a gateway with the state.
const (
	// ByList: the gateway listed every object of the kind since a time
	// (providers.List): strangers and missing records are both found.
	ByList = "list"
	// ByLookup: the gateway cannot list, but looks keys up: each record
	// was looked up; strangers cannot be found.
	ByLookup = "lookup"
	// NotReconciled: the gateway can neither list nor look keys up.
	NotReconciled = "none"
)

// Reconciliation compares one gateway account's objects of one kind
// with the state's records of that account (its provider blocks share
// them: keys are single-use per account).
type Reconciliation struct {
	Gateway   string
	Title     string
	Providers []string // the account's provider blocks
	Kind      providers.Kind
	Method    string
	// Since is where the list began (zero: everything the gateway has).
	Since time.Time
	// Listed counts the objects the gateway listed; Records the state's
	// records compared (managed and forgotten).
	Listed, Records int
	// Strangers are objects at the gateway no record is (no record's id,
	// nor an extra object recorded beside one): made behind payform's
	// back, or a record lost.
	Strangers []providers.Object
	// Missing are records the gateway does not know.
	Missing []Missing
	// InDoubt are objects under the key of an item in doubt: not
	// strangers, the evidence `payform apply` or `state resolve` settles
	// the item with.
	InDoubt []providers.Object
	// Err is why the comparison could not be made (all or part of it).
	Err error
	// Note says what this method cannot check.
	Note string
}

// Discrepancies counts strangers and missing records.
func (r *Reconciliation) Discrepancies() int { return len(r.Strangers) + len(r.Missing) }

// Missing is a record whose object the gateway does not know.
type Missing struct {
	Address   string
	Provider  string
	Key       string
	ID        string
	Status    string
	Amount    decimal.Decimal
	Currency  string
	CreatedAt time.Time
	Forgotten bool
}

// ReconcileMargin widens the list before the account's oldest record:
// clocks differ, and a record is made before the gateway's object.
const ReconcileMargin = 48 * time.Hour

// Reconcile compares, for every gateway account of the configuration and
// every kind its gateway makes objects of (payouts, invoices), what the
// gateway holds with what the state records: through the gateway's list
// where it has one (CoinPay24, MilaCoins: every object since since, or
// since the account's oldest record less ReconcileMargin when since is
// zero), else by looking each record's key up (WllxPay with v2_lookup:
// only missing records can be found, never strangers), else not at all
// (Coinilla, MiraclePay, WllxPay without v2_lookup: said so). It reads
// only: nothing is recorded or sent.
func Reconcile(ctx context.Context, cfg *schema.Config, st *state.State, provs map[string]providers.Provider, since time.Time, parallelism int) []*Reconciliation {
	type acct struct {
		key    string
		blocks []*schema.Provider
	}
	var accounts []*acct
	byKey := map[string]*acct{}
	for _, p := range cfg.Providers {
		a := byKey[p.Account()]
		if a == nil {
			a = &acct{key: p.Account()}
			byKey[p.Account()] = a
			accounts = append(accounts, a)
		}
		a.blocks = append(a.blocks, p)
	}
	records := append(st.List(), st.ForgottenList()...)
	var out []*Reconciliation
	for _, a := range accounts {
		g := a.blocks[0].Gateway
		owned := map[string]bool{}
		var names []string
		for _, b := range a.blocks {
			owned[b.Name()] = true
			names = append(names, b.Name())
		}
		for _, ks := range g.Kinds {
			if ks.Kind == providers.DepositAddress {
				continue // an address is taken, not made: there is nothing to list or miss
			}
			var recs []*state.Resource
			for _, r := range records {
				if owned[r.Provider] && r.Kind == string(ks.Kind) {
					recs = append(recs, r)
				}
			}
			rc := &Reconciliation{Gateway: g.Name, Title: g.Title, Providers: names, Kind: ks.Kind, Records: len(recs)}
			reconcileOne(ctx, rc, provs[a.blocks[0].Name()], recs, since, parallelism)
			out = append(out, rc)
		}
	}
	return out
}

func reconcileOne(ctx context.Context, rc *Reconciliation, p providers.Provider, recs []*state.Resource, since time.Time, parallelism int) {
	if p == nil {
		rc.Method, rc.Err = NotReconciled, errors.New("the provider could not be opened")
		return
	}
	if since.IsZero() {
		for _, r := range recs {
			if since.IsZero() || r.CreatedAt.Before(since) {
				since = r.CreatedAt
			}
		}
		if !since.IsZero() {
			since = since.Add(-ReconcileMargin)
		}
	}
	rc.Since = since
	objs, err := p.List(ctx, rc.Kind, since)
	switch {
	case err == nil:
		rc.Method, rc.Listed = ByList, len(objs)
		compareList(rc, recs, objs, since)
	case errors.Is(err, providers.ErrUnsupported):
		lookupRecords(ctx, rc, p, recs, parallelism)
	default:
		rc.Method, rc.Err = ByList, fmt.Errorf("listing: %w", err)
	}
}

// compareList finds the strangers and missing records of a complete
// list.
func compareList(rc *Reconciliation, recs []*state.Resource, objs []providers.Object, since time.Time) {
	known := map[string]bool{}
	doubtKeys := map[string]bool{}
	for _, r := range recs {
		if r.ID != "" {
			known[r.ID] = true
		}
		for _, s := range r.Superseded {
			if s.ID != "" {
				known[s.ID] = true
			}
		}
		if r.InDoubt() {
			doubtKeys[r.Key] = true
		}
	}
	listed := map[string]bool{}
	listedKeys := map[string]bool{}
	for _, o := range objs {
		listed[o.ID] = true
		listedKeys[o.Key] = true
		switch {
		case known[o.ID]:
		case doubtKeys[o.Key]:
			rc.InDoubt = append(rc.InDoubt, o)
		default:
			rc.Strangers = append(rc.Strangers, o)
		}
	}
	for _, r := range recs {
		switch {
		case r.InDoubt():
			continue // whether it exists is the question apply settles
		case !since.IsZero() && r.CreatedAt.Before(since):
			continue // made before the list began
		case r.ID != "" && listed[r.ID], r.ID == "" && listedKeys[r.Key]:
			continue
		}
		rc.Missing = append(rc.Missing, missing(r))
	}
	sort.Slice(rc.Strangers, func(i, j int) bool { return rc.Strangers[i].ID < rc.Strangers[j].ID })
}

// lookupRecords looks every settled record's key up, parallelism at a
// time; the gateway's ErrNotFound (a complete search) makes it missing.
func lookupRecords(ctx context.Context, rc *Reconciliation, p providers.Provider, recs []*state.Resource, parallelism int) {
	rc.Method = ByLookup
	var todo []*state.Resource
	for _, r := range recs {
		if !r.InDoubt() {
			todo = append(todo, r)
		}
	}
	if len(todo) > 0 {
		_, err := p.Lookup(ctx, providers.Query{Kind: rc.Kind, Key: todo[0].Key})
		if errors.Is(err, providers.ErrUnsupported) {
			rc.Method = NotReconciled
			rc.Note = rc.Title + " can neither list its objects nor look keys up: nothing here can be compared with the gateway (its dashboard can)"
			return
		}
	} else if _, err := p.Lookup(ctx, providers.Query{Kind: rc.Kind, Key: "payform-reconcile-probe"}); errors.Is(err, providers.ErrUnsupported) {
		rc.Method = NotReconciled
		rc.Note = rc.Title + " can neither list its objects nor look keys up: nothing here can be compared with the gateway (its dashboard can)"
		return
	}
	rc.Note = rc.Title + " cannot list its objects, only look keys up: each record was looked up, so records the gateway does not know are found, but objects made behind payform's back (strangers) cannot be"
	var mu sync.Mutex
	var errs []error
	work := make(chan *state.Resource)
	var wg sync.WaitGroup
	for range max(1, min(parallelism, len(todo))) {
		wg.Go(func() {
			for r := range work {
				_, err := p.Lookup(ctx, providers.Query{Kind: rc.Kind, Key: r.Key})
				mu.Lock()
				switch {
				case errors.Is(err, providers.ErrNotFound):
					rc.Missing = append(rc.Missing, missing(r))
				case err != nil:
					errs = append(errs, fmt.Errorf("%s: %w", r.Address, err))
				}
				mu.Unlock()
			}
		})
	}
	for _, r := range todo {
		if ctx.Err() != nil {
			break
		}
		work <- r
	}
	close(work)
	wg.Wait()
	if len(errs) > 0 {
		rc.Err = fmt.Errorf("%d of %d lookups failed, the first: %w", len(errs), len(todo), errs[0])
	}
	sort.Slice(rc.Missing, func(i, j int) bool { return rc.Missing[i].Address < rc.Missing[j].Address })
}

func missing(r *state.Resource) Missing {
	amount, _ := decimal.NewFromString(r.Amount)
	return Missing{Address: r.Address, Provider: r.Provider, Key: r.Key, ID: r.ID, Status: r.Status, Amount: amount,
		Currency: r.Currency, CreatedAt: r.CreatedAt, Forgotten: !r.ForgottenAt.IsZero()}
}

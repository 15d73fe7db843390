package executor

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"github.com/payform/payform/planner"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// RefreshOptions say what Refresh reads, and how.
type RefreshOptions struct {
	// Parallelism bounds the gateway calls in flight at once, across
	// providers; each account's rate limiter bounds them further.
	Parallelism int
	// Targets limits the refresh to these instances, as plan --target
	// does: an exact address, or a block for all its instances.
	Targets []string
	// Hooks, when set, hear Started with the number of records to read,
	// then Finished once per record: Outcome refreshed when its status
	// was read, unknown (with Err) when it was not.
	Hooks Hooks
}

// RefreshReport is what a refresh read, and what it could not.
type RefreshReport struct {
	// Asked counts the records whose status was asked for; Read those
	// the gateways reported.
	Asked, Read int
	// NotRead lists the records asked for and not read: the gateway
	// failed or did not report them. Their recorded status stands.
	NotRead []NotRead
	// Unreadable lists the records whose status the gateway cannot read
	// back at all (WllxPay payouts without v2_lookup): only callbacks
	// tell payform their status.
	Unreadable []NotRead
}

// NotRead is one record whose status was not read.
type NotRead struct {
	Address  string
	Provider string
	Kind     providers.Kind
	Status   string // as recorded
	Why      string
}

// Refresh is RefreshWith without targets or hooks.
func Refresh(ctx context.Context, cfg *schema.Config, st *state.State, provs map[string]providers.Provider, parallelism int) (*planner.Observed, hcl.Diagnostics) {
	obs, _, diags := RefreshWith(ctx, cfg, st, provs, RefreshOptions{Parallelism: parallelism})
	return obs, diags
}

// RefreshWith reads the current status of every settled record in state
// whose status is not final (targeted ones only, with Targets), and looks
// up every key the configuration declares and the state has never sent,
// on the gateways that can look keys up (Unsent), so that a copied or
// rolled-back state adopts what the gateway already holds instead of
// sending it again. Keys in doubt are looked up by apply, bounded by
// their intent's time.
//
// Statuses are read in parallel: where a gateway reads objects one
// request each (KindSupport.RefreshEach: WllxPay's v2 lookup, Coinilla's
// verify, MiraclePay's prompt), every record is its own call, up to
// Parallelism at once, each waiting for its account's rate limiter;
// where it reads a list (CoinPay24, MilaCoins), one call reads them all.
// Ctrl-C (ctx) stops it from starting more calls; the caller must then
// make no plan of what it read.
//
// It fails closed: a status that could not be read is left out, and the
// plan shows the recorded one, with a warning; nothing is ever read as
// "gone".
func RefreshWith(ctx context.Context, cfg *schema.Config, st *state.State, provs map[string]providers.Provider, opts RefreshOptions) (*planner.Observed, *RefreshReport, hcl.Diagnostics) {
	obs := &planner.Observed{Current: map[string]providers.Object{}, Found: map[string]providers.Object{}}
	rep := &RefreshReport{}
	match := targetMatcher(opts.Targets)

	jobs, unreadable := refreshJobs(cfg, st, provs, match)
	rep.Unreadable = unreadable
	for _, j := range jobs {
		rep.Asked += len(j.recs)
	}
	if opts.Hooks != nil {
		opts.Hooks.Started(rep.Asked)
	}
	var mu sync.Mutex
	failed := map[string]int{}
	firstErr := map[string]error{}
	finish := func(r *state.Resource, o *providers.Object, why string, err error) {
		mu.Lock()
		switch {
		case o != nil:
			obs.Current[r.Address] = *o
			rep.Read++
		case why == cannotRead:
			rep.Unreadable = append(rep.Unreadable, NotRead{Address: r.Address, Provider: r.Provider, Kind: providers.Kind(r.Kind), Status: r.Status, Why: why})
		default:
			rep.NotRead = append(rep.NotRead, NotRead{Address: r.Address, Provider: r.Provider, Kind: providers.Kind(r.Kind), Status: r.Status, Why: why})
			if err != nil && !errors.Is(err, context.Canceled) {
				failed[r.Provider]++
				if firstErr[r.Provider] == nil {
					firstErr[r.Provider] = err
				}
			}
		}
		mu.Unlock()
		if opts.Hooks != nil {
			c := &planner.Change{Address: r.Address, Action: planner.NoOp, Kind: providers.Kind(r.Kind), Provider: r.Provider, Key: r.Key}
			res := ItemResult{Outcome: state.OutcomeRefreshed}
			if o != nil {
				res.Status = string(o.Status)
			} else {
				res.Outcome, res.Err = state.OutcomeUnknown, errors.New(why)
			}
			opts.Hooks.Finished(c, res)
		}
	}
	runJobs(ctx, jobs, opts.Parallelism, finish)

	var diags hcl.Diagnostics
	for _, name := range sortedNames(failed) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Could not read statuses from " + name,
			Detail:   fmt.Sprintf("%v. The plan shows the statuses recorded in the state for the %d object(s) not read.", firstErr[name], failed[name]),
		})
	}
	sort.Slice(rep.NotRead, func(i, j int) bool { return rep.NotRead[i].Address < rep.NotRead[j].Address })
	sort.Slice(rep.Unreadable, func(i, j int) bool { return rep.Unreadable[i].Address < rep.Unreadable[j].Address })
	if ctx.Err() != nil {
		return obs, rep, diags
	}
	found, udiags := unsent(ctx, cfg, st, provs, opts.Parallelism, match)
	obs.Found = found
	diags = append(diags, udiags...)
	return obs, rep, diags
}

// refreshJob is one Refresh call: one provider, one kind, its records.
type refreshJob struct {
	name string
	p    providers.Provider
	recs []*state.Resource
}

// refreshJobs groups the records to read into calls: one per record
// where the gateway reads them one by one, else one per provider and
// kind, list calls first (they take longest). Records the gateway cannot
// read back are returned apart.
func refreshJobs(cfg *schema.Config, st *state.State, provs map[string]providers.Provider, match func(string) bool) ([]refreshJob, []NotRead) {
	type group struct{ provider, kind string }
	groups := map[group][]*state.Resource{}
	var order []group
	var unreadable []NotRead
	for _, r := range st.List() {
		if r.InDoubt() || providers.Status(r.Status).Final() || r.Kind == string(providers.DepositAddress) || !match(r.Address) {
			continue // in doubt: apply settles it; a deposit address has no status to read
		}
		p := provs[r.Provider]
		if p == nil {
			continue // its provider block is gone; the resource will be forgotten
		}
		if b := cfg.Provider(r.Provider); b != nil {
			if why := b.Gateway.StatusUnreadable(providers.Kind(r.Kind), b.Options); why != "" {
				unreadable = append(unreadable, NotRead{Address: r.Address, Provider: r.Provider, Kind: providers.Kind(r.Kind), Status: r.Status, Why: why})
				continue
			}
		}
		g := group{r.Provider, r.Kind}
		if groups[g] == nil {
			order = append(order, g)
		}
		groups[g] = append(groups[g], r)
	}
	var lists, each []refreshJob
	for _, g := range order {
		p, recs := provs[g.provider], groups[g]
		if ks, _ := p.Supports(providers.Kind(g.kind)); ks.RefreshEach {
			for _, r := range recs {
				each = append(each, refreshJob{g.provider, p, []*state.Resource{r}})
			}
			continue
		}
		lists = append(lists, refreshJob{g.provider, p, recs})
	}
	return append(lists, each...), unreadable
}

// cannotRead is why a record whose provider's Refresh is ErrUnsupported
// was not read.
const cannotRead = "the gateway cannot read it back"

// runJobs runs the calls, parallelism at once, until they are done or
// ctx ends; finish is told of every record of every call started.
func runJobs(ctx context.Context, jobs []refreshJob, parallelism int, finish func(*state.Resource, *providers.Object, string, error)) {
	work := make(chan refreshJob)
	var unsupported sync.Map // providers whose Refresh is ErrUnsupported
	var wg sync.WaitGroup
	for range max(1, min(parallelism, len(jobs))) {
		wg.Go(func() {
			for j := range work {
				if _, no := unsupported.Load(j.name); no {
					for _, r := range j.recs {
						finish(r, nil, cannotRead, nil)
					}
					continue
				}
				refs := make([]providers.Ref, len(j.recs))
				for i, r := range j.recs {
					refs[i] = providers.Ref{Kind: providers.Kind(r.Kind), Key: r.Key, ID: r.ID, CreatedAt: r.CreatedAt}
				}
				objs, err := j.p.Refresh(ctx, refs)
				if errors.Is(err, providers.ErrUnsupported) {
					unsupported.Store(j.name, true)
				}
				byKey := make(map[refKey]providers.Object, len(objs))
				for _, o := range objs {
					byKey[refKey{string(o.Kind), o.Key}] = o
				}
				for _, r := range j.recs {
					o, ok := byKey[refKey{r.Kind, r.Key}]
					switch {
					case ok:
						finish(r, &o, "", nil)
					case errors.Is(err, providers.ErrUnsupported):
						finish(r, nil, cannotRead, nil)
					case err != nil:
						finish(r, nil, err.Error(), err)
					default:
						finish(r, nil, "the gateway did not report it", nil)
					}
				}
			}
		})
	}
dispatch:
	for _, j := range jobs {
		select {
		case work <- j:
		case <-ctx.Done():
			break dispatch
		}
	}
	close(work)
	wg.Wait()
}

// targetMatcher matches addresses as plan --target does; everything
// without targets.
func targetMatcher(targets []string) func(string) bool {
	if len(targets) == 0 {
		return func(string) bool { return true }
	}
	return func(addr string) bool {
		for _, t := range targets {
			if addr == t || strings.HasPrefix(addr, t+"[") {
				return true
			}
		}
		return false
	}
}

type refKey struct{ kind, key string }

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

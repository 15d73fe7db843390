package planner

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// Refresh asks the gateways what Plan needs: the current status of every
// settled resource in state, and, for kinds whose gateway resolves by
// lookup, whether a declared key that state does not know already exists.
//
// It fails closed. A status that could not be read is left out (the plan
// shows the recorded one, with a warning); a lookup that could not be
// completed is an error, because "could not look" must never become "not
// there, safe to send".
func Refresh(ctx context.Context, cfg *schema.Config, st *state.State, provs map[string]providers.Provider, parallelism int) (*Observed, hcl.Diagnostics) {
	obs := &Observed{Current: map[string]providers.Object{}, Found: map[string]providers.Object{}}
	var diags hcl.Diagnostics

	// Statuses, one Refresh call per provider.
	byProvider := map[string][]*state.Resource{}
	for _, r := range st.List() {
		if !r.InDoubt() && !providers.Status(r.Status).Final() {
			byProvider[r.Provider] = append(byProvider[r.Provider], r)
		}
	}
	for _, name := range sortedNames(byProvider) {
		p := provs[name]
		if p == nil {
			continue // its provider block is gone; the resources will be forgotten
		}
		recs := byProvider[name]
		refs := make([]providers.Ref, len(recs))
		byKey := make(map[refKey]string, len(recs))
		for i, r := range recs {
			refs[i] = providers.Ref{Kind: providers.Kind(r.Kind), Key: r.Key, ID: r.ID, CreatedAt: r.CreatedAt}
			byKey[refKey{r.Kind, r.Key}] = r.Address
		}
		objs, err := p.Refresh(ctx, refs)
		for _, o := range objs {
			if addr, ok := byKey[refKey{string(o.Kind), o.Key}]; ok {
				obs.Current[addr] = o
			}
		}
		if err != nil && !errors.Is(err, providers.ErrUnsupported) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Could not read statuses from " + name,
				Detail:   fmt.Sprintf("%v. The plan shows the statuses recorded in the state for the %d object(s) not read.", err, len(recs)-len(objs)),
			})
		}
	}

	// Lookups by key, for declared resources not in state.
	type job struct {
		r *schema.Resource
		p providers.Provider
	}
	var jobs []job
	for _, r := range cfg.Resources {
		ks, ok := r.Provider.Gateway.Supports(r.Kind)
		if !ok || ks.InDoubt != providers.LookupByKey || st.Resource(r.Addr.String()) != nil {
			continue
		}
		if p := provs[r.Provider.Name()]; p != nil {
			jobs = append(jobs, job{r, p})
		}
	}
	var mu sync.Mutex
	work := make(chan job)
	var wg sync.WaitGroup
	for range max(1, min(parallelism, len(jobs))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				obj, err := j.p.Lookup(ctx, providers.Query{Kind: j.r.Kind, Key: j.r.Key})
				mu.Lock()
				switch {
				case err == nil:
					obs.Found[j.r.Addr.String()] = obj
				case errors.Is(err, providers.ErrNotFound), errors.Is(err, providers.ErrUnsupported):
				default:
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Cannot tell whether an object exists",
						Detail:   fmt.Sprintf("%s: looking up %s %q at %s failed: %v. payform plans a create only when absence is proven; try again when the gateway answers.", j.r.Addr, schema.KeyAttr(j.r.Kind), j.r.Key, j.r.Provider.Name(), err),
						Subject:  j.r.DeclRange.Ptr(),
					})
				}
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		work <- j
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil && len(jobs) > 0 {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Refresh interrupted", Detail: err.Error()})
	}
	return obs, diags
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

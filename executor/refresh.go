package executor

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"

	"github.com/payform/payform/planner"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// Refresh reads, through each gateway's list endpoints where it has them,
// the current status of every settled resource in state, and looks up
// every key the configuration declares and the state has never sent, on
// the gateways that can look keys up (Unsent), so that a copied or
// rolled-back state adopts what the gateway already holds instead of
// sending it again. Keys in doubt are looked up by apply, bounded by their
// intent's time.
//
// It fails closed: a status that could not be read is left out, and the
// plan shows the recorded one, with a warning; nothing is ever read as
// "gone".
func Refresh(ctx context.Context, cfg *schema.Config, st *state.State, provs map[string]providers.Provider, parallelism int) (*planner.Observed, hcl.Diagnostics) {
	obs := &planner.Observed{Current: map[string]providers.Object{}, Found: map[string]providers.Object{}}
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

	found, udiags := Unsent(ctx, cfg, st, provs, parallelism)
	obs.Found = found
	diags = append(diags, udiags...)
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

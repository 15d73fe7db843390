package executor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// UnsentMargin widens the window Unsent looks in, before the state's last
// journal entry: clocks differ between payform, other copies of it and
// the gateway.
const UnsentMargin = 48 * time.Hour

// Unsent looks up, before their first create, the keys the configuration
// declares and the state has never sent (nor reserved), at every gateway
// that can find keys: with one list scan per provider and kind where the
// gateway lists its objects (CoinPay24, MilaCoins), else key by key where
// it looks keys up (WllxPay with v2 lookups). What it finds is returned by
// address, for the plan to adopt (after checking it matches the
// declaration) rather than send again: this is what keeps a copied or
// rolled-back state, whose record lacks a send, from sending twice.
//
// The look reaches back to the state's last journal entry (or now, if
// earlier: that entry's clock may run ahead) less UnsentMargin: whatever
// another copy of the state sent, it sent after the copy was made. A gateway that cannot be read gives a warning, and its
// keys are planned as creates, as DESIGN §4 allows for keys not looked up.
func Unsent(ctx context.Context, cfg *schema.Config, st *state.State, provs map[string]providers.Provider, parallelism int) (map[string]providers.Object, hcl.Diagnostics) {
	return unsent(ctx, cfg, st, provs, parallelism, targetMatcher(nil))
}

// unsent is Unsent for the declared resources match accepts (plan
// --target: what is not targeted is not planned, so not looked up).
func unsent(ctx context.Context, cfg *schema.Config, st *state.State, provs map[string]providers.Provider, parallelism int, match func(string) bool) (map[string]providers.Object, hcl.Diagnostics) {
	type group struct {
		provider string
		kind     providers.Kind
	}
	groups := map[group][]*schema.Resource{}
	var order []group
	for _, r := range cfg.Resources {
		if r.Kind == providers.DepositAddress || st.Resource(r.Addr.String()) != nil || !match(r.Addr.String()) {
			continue
		}
		if st.Reserved(state.KeyRef{Provider: r.Provider.Realm(), Kind: string(r.Kind), Key: r.Key}) ||
			st.Reserved(state.KeyRef{Provider: r.Provider.Name(), Kind: string(r.Kind), Key: r.Key}) {
			continue // a plan error: the key was used
		}
		g := group{r.Provider.Name(), r.Kind}
		if groups[g] == nil {
			order = append(order, g)
		}
		groups[g] = append(groups[g], r)
	}
	since := time.Now()
	if !st.JournalAt.IsZero() && st.JournalAt.Before(since) {
		since = st.JournalAt
	}
	since = since.Add(-UnsentMargin)

	found := map[string]providers.Object{}
	var diags hcl.Diagnostics
	for _, g := range order {
		p := provs[g.provider]
		if p == nil {
			continue
		}
		rs := groups[g]
		objs, err := p.List(ctx, g.kind, since)
		switch {
		case err == nil:
			byKey := map[string][]providers.Object{}
			for _, o := range objs {
				byKey[o.Key] = append(byKey[o.Key], o)
			}
			for _, r := range rs {
				if list := byKey[r.Key]; len(list) > 0 {
					o := list[0]
					for _, other := range list[1:] {
						o.Others = append(o.Others, other.ID)
					}
					found[r.Addr.String()] = o
				}
			}
		case errors.Is(err, providers.ErrUnsupported):
			lookedUp, failed, lerr := lookupEach(ctx, p, g.kind, rs, since, parallelism)
			for addr, o := range lookedUp {
				found[addr] = o
			}
			if failed > 0 {
				diags = append(diags, notChecked(g.provider, failed, len(rs), lerr))
			}
		default:
			diags = append(diags, notChecked(g.provider, len(rs), len(rs), err))
		}
	}
	return found, diags
}

// lookupEach looks the resources' keys up one by one, a few at a time. It
// stops at once when the gateway cannot look keys up at all.
func lookupEach(ctx context.Context, p providers.Provider, kind providers.Kind, rs []*schema.Resource, since time.Time, parallelism int) (map[string]providers.Object, int, error) {
	found := map[string]providers.Object{}
	if len(rs) == 0 {
		return found, 0, nil
	}
	first, err := p.Lookup(ctx, providers.Query{Kind: kind, Key: rs[0].Key, Since: since})
	switch {
	case errors.Is(err, providers.ErrUnsupported):
		return found, 0, nil
	case err == nil:
		found[rs[0].Addr.String()] = first
	case !errors.Is(err, providers.ErrNotFound):
		return found, len(rs), err
	}
	var mu sync.Mutex
	failed := 0
	var firstErr error
	work := make(chan *schema.Resource)
	var wg sync.WaitGroup
	for range max(1, min(parallelism, len(rs)-1)) {
		wg.Go(func() {
			for r := range work {
				o, err := p.Lookup(ctx, providers.Query{Kind: kind, Key: r.Key, Since: since})
				mu.Lock()
				switch {
				case err == nil:
					found[r.Addr.String()] = o
				case !errors.Is(err, providers.ErrNotFound):
					failed++
					if firstErr == nil {
						firstErr = err
					}
				}
				mu.Unlock()
			}
		})
	}
	for _, r := range rs[1:] {
		work <- r
	}
	close(work)
	wg.Wait()
	return found, failed, firstErr
}

func notChecked(provider string, failed, total int, err error) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagWarning,
		Summary:  "Could not check " + provider + " for keys before their first create",
		Detail: fmt.Sprintf("%v. payform looks up every key this state never sent before it sends it, so that a copied or rolled-back state adopts what the gateway already holds; %d of %d could not be checked and are planned as creates. If this state may be a copy of another one that sent them, do not apply: run the plan again once %s answers.",
			err, failed, total, provider),
	}
}

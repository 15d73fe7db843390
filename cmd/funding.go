package cmd

import (
	"context"
	"sort"

	"github.com/payform/payform/planner"
	"github.com/payform/payform/policy"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
)

// checkFunding reads the balances of every account the plan pays out of
// (once per account: its provider blocks share them) and compares them
// with what the plan's creates send (policy.CheckFunding). A payout in
// doubt that the plan resends is not counted: its first attempt may have
// left the balance already, and the gateway refuses it again if it did.
// It returns nil when the plan sends no payout.
func checkFunding(ctx context.Context, cfg *schema.Config, provs map[string]providers.Provider, p *planner.Plan) *policy.Funding {
	items, _ := planner.Items(p.Changes)
	creates := items[:0]            // filtered in place: a batch's million items once
	accounts := map[string]string{} // account → the first provider name of it in the plan
	for _, it := range items {
		if it.Kind != providers.Payout || it.Resend {
			continue
		}
		creates = append(creates, it)
		acct := "provider:" + it.Provider
		if pc := cfg.Provider(it.Provider); pc != nil {
			acct = pc.Account()
		}
		if name, ok := accounts[acct]; !ok || it.Provider < name {
			accounts[acct] = it.Provider
		}
	}
	if len(creates) == 0 {
		return nil
	}
	names := make([]string, 0, len(accounts))
	for _, name := range accounts {
		names = append(names, name)
	}
	sort.Strings(names)
	reports := make([]policy.Balances, 0, len(names))
	for _, name := range names {
		r := policy.Balances{Provider: name, Err: providers.ErrUnsupported}
		if prov := provs[name]; prov != nil {
			r.Balances, r.Err = providers.ReadBalances(ctx, prov)
		}
		reports = append(reports, r)
	}
	return policy.CheckFunding(cfg, creates, reports)
}

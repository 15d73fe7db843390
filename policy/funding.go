package policy

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
)

// Balances is what one provider reported of its account's balances
// (providers.ReadBalances).
type Balances struct {
	Provider string
	Balances map[string]decimal.Decimal
	// Err is why there are none: providers.ErrUnsupported when the
	// gateway has no balance call, or the read's error.
	Err error
}

// Funding compares what a plan sends with what its accounts hold.
type Funding struct {
	// Lines has one entry per account and currency the plan pays out of.
	Lines []FundingLine `json:"lines"`
	// Unchecked lists the accounts whose balances are not known, and why.
	Unchecked []Unchecked `json:"unchecked"`
	// Diagnostics holds an error per account and currency the plan cannot
	// fund, and warnings for balances that could not be checked.
	Diagnostics hcl.Diagnostics `json:"-"`
}

// FundingLine is one account and currency.
type FundingLine struct {
	Providers []string        `json:"providers"`
	Currency  string          `json:"currency"`
	Items     int             `json:"items"`
	Sends     decimal.Decimal `json:"sends"`
	Available decimal.Decimal `json:"available"`
	// Reported is false when the account's answer listed no balance in
	// the currency: unknown, not zero.
	Reported bool `json:"reported"`
	// Short is what is missing, zero when the plan is funded.
	Short decimal.Decimal `json:"short"`
}

// Unchecked is an account whose balances are not known.
type Unchecked struct {
	Providers []string `json:"providers"`
	// Unsupported: the gateway (or the provider block's settings) has no
	// balance call; otherwise reading them failed with Error.
	Unsupported bool   `json:"unsupported"`
	Error       string `json:"error,omitempty"`
}

// Text says in one line why the account is not checked.
func (u Unchecked) Text() string {
	if u.Unsupported {
		return fmt.Sprintf("%s: the gateway reports no balances here, so funding is not checked", strings.Join(u.Providers, ", "))
	}
	return fmt.Sprintf("%s: reading balances failed (%s), so funding is not checked", strings.Join(u.Providers, ", "), u.Error)
}

// CheckFunding sums what the plan's payouts take from each account and
// currency and compares it with the balances the accounts reported
// (one report per account is enough: its provider blocks share it). A
// shortfall is an error at the provider block: nothing may be sent of a
// plan that cannot be fully funded. Fees are not counted, since gateways
// do not report them before a send.
func CheckFunding(cfg *schema.Config, items []Item, reports []Balances) *Funding {
	ev := newEvaluation(Input{Config: cfg})
	fund := &Funding{Lines: []FundingLine{}, Unchecked: []Unchecked{}}
	byAccount := map[string][]Balances{}
	for _, r := range reports {
		acct := ev.account(r.Provider)
		byAccount[acct] = append(byAccount[acct], r)
	}
	type key struct{ account, currency string }
	lines := map[key]*FundingLine{}
	var order []key
	for i := range items {
		it := &items[i]
		if it.Kind != providers.Payout {
			continue
		}
		k := key{ev.account(it.Provider), it.Currency}
		l := lines[k]
		if l == nil {
			l = &FundingLine{Providers: ev.providerNames(k.account), Currency: it.Currency}
			lines[k] = l
			order = append(order, k)
		}
		l.Items++
		l.Sends = l.Sends.Add(it.Amount)
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := strings.Join(lines[order[i]].Providers, ","), strings.Join(lines[order[j]].Providers, ",")
		if a != b {
			return a < b
		}
		return order[i].currency < order[j].currency
	})
	unchecked := map[string]bool{}
	for _, k := range order {
		l := lines[k]
		balances, why := reported(byAccount[k.account])
		if balances == nil {
			if !unchecked[k.account] {
				unchecked[k.account] = true
				u := Unchecked{Providers: l.Providers, Unsupported: why == nil || errors.Is(why, providers.ErrUnsupported)}
				if !u.Unsupported {
					u.Error = why.Error()
					fund.Diagnostics = append(fund.Diagnostics, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Balances not read",
						Detail:  fmt.Sprintf("reading the balances of %s failed (%s), so payform cannot tell whether the plan can be funded; the gateway refuses what it cannot fund.", strings.Join(l.Providers, ", "), why),
						Subject: ev.providerRange(cfg, l.Providers)})
				}
				fund.Unchecked = append(fund.Unchecked, u)
			}
			continue
		}
		l.Available, l.Reported = balances[k.currency]
		fund.Lines = append(fund.Lines, *l)
		line := &fund.Lines[len(fund.Lines)-1]
		switch {
		case !line.Reported:
			fund.Diagnostics = append(fund.Diagnostics, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Balance not reported",
				Detail: fmt.Sprintf("%s report no %s balance, so the plan's %s %s (%s) cannot be checked against it.",
					strings.Join(l.Providers, ", "), k.currency, l.Sends, k.currency, count(l.Items, "payout")),
				Subject: ev.providerRange(cfg, l.Providers)})
		case l.Sends.GreaterThan(l.Available):
			line.Short = l.Sends.Sub(l.Available)
			fund.Diagnostics = append(fund.Diagnostics, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Plan cannot be funded",
				Detail: fmt.Sprintf("the plan sends %s %s through %s (%s) and the account holds %s %s: %s %s short. Nothing is sent of a plan that cannot be fully funded: top up the account, or plan fewer payouts (--target).",
					l.Sends, k.currency, strings.Join(l.Providers, ", "), count(l.Items, "payout"), l.Available, k.currency, line.Short, k.currency),
				Subject: ev.providerRange(cfg, l.Providers)})
		}
	}
	return fund
}

// reported returns an account's balances from the first report that has
// them, else why none has.
func reported(rs []Balances) (map[string]decimal.Decimal, error) {
	var why error
	for _, r := range rs {
		if r.Err == nil && r.Balances != nil {
			return r.Balances, nil
		}
		if why == nil || errors.Is(why, providers.ErrUnsupported) {
			why = r.Err
		}
	}
	return nil, why
}

// providerRange returns the first named provider block's range.
func (ev *evaluation) providerRange(cfg *schema.Config, names []string) *hcl.Range {
	for _, n := range names {
		if p := cfg.Provider(n); p != nil {
			r := p.DeclRange
			return &r
		}
	}
	return nil
}

package policy

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
)

// Result is what the policies say about a plan.
type Result struct {
	// Verdicts[i] is the verdict on Input.Items[i].
	Verdicts []Verdict `json:"verdicts"`
	// Sections has one entry per policy, in configuration order.
	Sections []*Section `json:"sections"`
	// Approvals lists the approvals the plan needs, one per policy; the
	// plan may be applied only with each of them (approval.Verify).
	Approvals []*Requirement `json:"approvals"`
	// Diagnostics holds an error per refusal, at the attribute that
	// causes it, and warnings.
	Diagnostics hcl.Diagnostics `json:"-"`
}

// Refused reports whether any item is refused: the plan is an error.
func (r *Result) Refused() bool { return r.Diagnostics.HasErrors() }

// Evaluate applies every policy to the plan's items. It is pure: the
// state, the clock and the configuration are its only inputs.
//
// Limits are per gateway account and currency: provider blocks with the
// same endpoint and credentials are one account and share them, and a
// policy that covers one of them covers all. A rolling window counts
// every send the record knows in the window (settled or in doubt, under
// any provider name of the account; sends under a provider no longer
// configured count against every account of its gateway), plus the
// plan's items.
func Evaluate(in Input) *Result {
	ev := newEvaluation(in)
	for _, p := range in.Config.Policies {
		ev.policy(p)
	}
	return ev.res
}

type evaluation struct {
	in       Input
	res      *Result
	accounts map[string]string   // provider name → account
	names    map[string][]string // account → provider names, sorted
	gateways map[string][]string // gateway → accounts, sorted
	sentVia  map[string][]string // provider name → its one account
	sent     []Sent              // history, loaded on first use
	loaded   bool
	spare    []*Finding // backing for verdicts' first findings
}

func newEvaluation(in Input) *evaluation {
	ev := &evaluation{
		in:       in,
		res:      &Result{Verdicts: make([]Verdict, len(in.Items)), Sections: []*Section{}, Approvals: []*Requirement{}},
		accounts: map[string]string{}, names: map[string][]string{}, gateways: map[string][]string{}, sentVia: map[string][]string{},
	}
	for i := range ev.res.Verdicts {
		ev.res.Verdicts[i].Decision = Allow
	}
	for _, p := range in.Config.Providers {
		acct := p.Account()
		ev.accounts[p.Name()] = acct
		ev.sentVia[p.Name()] = []string{acct}
		ev.names[acct] = append(ev.names[acct], p.Name())
		if !slices.Contains(ev.gateways[p.Gateway.Name], acct) {
			ev.gateways[p.Gateway.Name] = append(ev.gateways[p.Gateway.Name], acct)
		}
	}
	for _, n := range ev.names {
		sort.Strings(n)
	}
	return ev
}

// account returns an item's account; an item of a provider the
// configuration does not hold is its own account.
func (ev *evaluation) account(provider string) string {
	if a, ok := ev.accounts[provider]; ok {
		return a
	}
	return "provider:" + provider
}

func (ev *evaluation) providerNames(acct string) []string {
	if n := ev.names[acct]; n != nil {
		return n
	}
	return []string{strings.TrimPrefix(acct, "provider:")}
}

// group is one account and currency of a policy.
type group struct {
	account, currency string
	items             []int
	total             decimal.Decimal
}

type groupKey struct{ account, currency string }

// policy evaluates one policy.
func (ev *evaluation) policy(p *schema.Policy) {
	sec := &Section{Policy: p.Name, Range: p.DeclRange, Totals: []Total{}, Lines: []Line{}}
	ev.res.Sections = append(ev.res.Sections, sec)
	scope := p.Accounts()
	ls := indexLists(p.Destinations)
	groups := map[groupKey]*group{}
	var order []groupKey
	var governed []int
	refusals := &refusals{policy: p}
	for i := range ev.in.Items {
		it := &ev.in.Items[i]
		if !p.Governs(it.Kind) {
			continue
		}
		acct := ev.account(it.Provider)
		if scope != nil && !scope[acct] {
			continue
		}
		governed = append(governed, i)
		k := groupKey{acct, it.Currency}
		g := groups[k]
		if g == nil {
			g = &group{account: acct, currency: it.Currency}
			groups[k] = g
			order = append(order, k)
		}
		g.items = append(g.items, i)
		g.total = g.total.Add(it.Amount)

		if it.Kind == providers.Payout && p.Destinations != nil {
			dest := canonical(it.Destination)
			if e, denied := ls.deny[dest]; denied {
				reason := fmt.Sprintf("%s line %d", e.File, e.Line)
				if e.Reason != "" {
					reason = e.Reason + ", " + reason
				}
				f := &Finding{Policy: p.Name, Rule: RuleDeny, Decision: Refuse, Currency: it.Currency, Amount: it.Amount, Destination: it.Destination, Reason: reason}
				ev.add(i, f)
				refusals.item(it, f, "address")
			}
			if ls.allow != nil {
				if !ls.known(it.Currency, dest, it.Tag) {
					sec.NewDestinations++
					if p.Destinations.Unknown != Allow {
						f := &Finding{Policy: p.Name, Rule: RuleUnknownDestination, Decision: p.Destinations.Unknown, Currency: it.Currency, Amount: it.Amount, Destination: destination(it)}
						ev.add(i, f)
						if f.Decision == Refuse {
							refusals.item(it, f, "address")
						}
					}
				}
			}
		}
		if lim, ok := p.PerItem[it.Currency]; ok && it.Amount.GreaterThan(lim.Amount) {
			f := &Finding{Policy: p.Name, Rule: RulePerItem, Decision: p.OverLimit, Currency: it.Currency, Amount: it.Amount, Limit: lim.Amount}
			ev.add(i, f)
			if f.Decision == Refuse {
				refusals.item(it, f, "amount")
			}
		}
	}
	sec.Items = len(governed)
	for _, k := range order {
		g := groups[k]
		sec.Totals = append(sec.Totals, Total{Providers: ev.providerNames(g.account), Currency: g.currency, Items: len(g.items), Amount: g.total})
		if lim, ok := p.PerPlan[g.currency]; ok && g.total.GreaterThan(lim.Amount) {
			f := &Finding{Policy: p.Name, Rule: RulePerPlan, Decision: p.OverLimit, Currency: g.currency, Providers: ev.providerNames(g.account),
				Amount: g.total, Limit: lim.Amount, Items: len(g.items)}
			ev.addAll(g.items, f)
			refusals.plan(f, lim.Range, "Plan over the per_plan limit",
				"this plan sends %s %s through %s (%s), over policy %q's per_plan limit of %s %s, and over_limit = \"refuse\". Plan fewer items at once (--target), or raise the limit in a reviewed change.",
				g.total, g.currency, strings.Join(f.Providers, ", "), count(len(g.items), "item"), p.Name, lim.Amount, g.currency)
		}
	}
	var hist []Sent
	if len(p.Rolling) > 0 {
		hist = ev.history()
	}
	for _, r := range p.Rolling {
		ev.rolling(p, r, hist, groups, order, refusals)
	}
	if a := p.Approvals; a != nil && a.Always && len(governed) > 0 {
		ev.addAll(governed, &Finding{Policy: p.Name, Rule: RuleAlways, Decision: Approve, Items: len(governed)})
	}
	sec.Totals = sortTotals(sec.Totals)
	sec.Lines = ev.lines(p, governed)
	sec.Notes = append(sec.Notes, ev.unattributed(p, hist, scope)...)
	if req := ev.requirement(p, sec, governed); req != nil {
		sec.Approvals = req
		ev.res.Approvals = append(ev.res.Approvals, req)
	}
	ev.res.Diagnostics = append(ev.res.Diagnostics, refusals.done()...)
}

// destination is how a finding names a payout's destination.
func destination(it *Item) string {
	if it.Tag != "" {
		return it.Destination + " tag " + it.Tag
	}
	return it.Destination
}

func (ev *evaluation) add(i int, f *Finding) {
	v := &ev.res.Verdicts[i]
	if v.Findings == nil {
		// Most items have one finding: carve them from one array rather
		// than allocate a slice each (a second one reallocates).
		if len(ev.spare) == 0 {
			ev.spare = make([]*Finding, 1024)
		}
		v.Findings, ev.spare = ev.spare[:0:1], ev.spare[1:]
	}
	v.Findings = append(v.Findings, f)
	if strictness(f.Decision) > strictness(v.Decision) {
		v.Decision = f.Decision
	}
}

func (ev *evaluation) addAll(items []int, f *Finding) {
	for _, i := range items {
		ev.add(i, f)
	}
}

// rolling checks one rolling window for every account and currency the
// plan sends in: one pass over the history sums what each of them sent
// in the window.
func (ev *evaluation) rolling(p *schema.Policy, r *schema.Rolling, hist []Sent, groups map[groupKey]*group, order []groupKey, refusals *refusals) {
	since := ev.in.Now.Add(-r.Window)
	sums := make(map[groupKey]decimal.Decimal, len(order))
	for _, s := range hist {
		if !s.At.After(since) || !p.Governs(s.Kind) {
			continue
		}
		if _, limited := r.Limit[s.Currency]; !limited {
			continue
		}
		for _, acct := range ev.sentFrom(s) {
			k := groupKey{acct, s.Currency}
			if _, inPlan := groups[k]; inPlan {
				sums[k] = sums[k].Add(s.Amount)
			}
		}
	}
	for _, k := range order {
		g := groups[k]
		lim, ok := r.Limit[g.currency]
		if !ok {
			continue
		}
		sent := sums[k]
		total := sent.Add(g.total)
		if !total.GreaterThan(lim.Amount) {
			continue
		}
		var inWindow []Sent
		for _, s := range hist {
			if s.Currency == g.currency && s.At.After(since) && p.Governs(s.Kind) && slices.Contains(ev.sentFrom(s), g.account) {
				inWindow = append(inWindow, s)
			}
		}
		f := &Finding{Policy: p.Name, Rule: RuleRolling, Decision: p.OverLimit, Currency: g.currency, Providers: ev.providerNames(g.account),
			Amount: total, Limit: lim.Amount, Window: r.Window, Sent: sent, Items: len(g.items), FitsAt: fitsAt(inWindow, g.total, lim.Amount, r.Window)}
		ev.addAll(g.items, f)
		when := "The plan alone is over the limit: plan fewer items at once (--target), or raise the limit in a reviewed change."
		if !f.FitsAt.IsZero() {
			when = fmt.Sprintf("Earlier sends leave the window by %s: plan again then, plan fewer items (--target), or raise the limit in a reviewed change.", f.FitsAt.UTC().Format(time.RFC3339))
		}
		refusals.plan(f, lim.Range, "Plan over the rolling limit",
			"%s sent %s %s in the last %s and this plan sends %s %s more (%s): %s %s, over policy %q's rolling limit of %s %s per %s, and over_limit = \"refuse\". %s",
			strings.Join(f.Providers, ", "), sent, g.currency, schema.FormatWindow(r.Window), g.total, g.currency, count(len(g.items), "item"),
			total, g.currency, p.Name, lim.Amount, g.currency, schema.FormatWindow(r.Window), when)
	}
}

// fitsAt returns when enough of the window's sends have left it for plan
// more to fit under limit; zero when the plan alone is over it.
func fitsAt(inWindow []Sent, plan, limit decimal.Decimal, window time.Duration) time.Time {
	if plan.GreaterThan(limit) {
		return time.Time{}
	}
	sort.SliceStable(inWindow, func(i, j int) bool { return inWindow[i].At.Before(inWindow[j].At) })
	remaining := plan
	for _, s := range inWindow {
		remaining = remaining.Add(s.Amount)
	}
	for _, s := range inWindow {
		remaining = remaining.Sub(s.Amount)
		if !remaining.GreaterThan(limit) {
			return s.At.Add(window)
		}
	}
	return time.Time{}
}

// history returns the sends the rolling windows count: the state's and
// Input.Sent, of the kinds and within the longest window any policy
// has, without those the plan sends again. It is read once.
func (ev *evaluation) history() []Sent {
	if ev.loaded {
		return ev.sent
	}
	ev.loaded = true
	kinds := map[providers.Kind]bool{}
	var longest time.Duration
	for _, p := range ev.in.Config.Policies {
		for _, r := range p.Rolling {
			longest = max(longest, r.Window)
			for _, k := range p.Kinds {
				kinds[k] = true
			}
		}
	}
	if longest == 0 {
		return nil
	}
	since := ev.in.Now.Add(-longest)
	resent := map[[2]string]bool{}
	for _, it := range ev.in.Items {
		if it.Resend {
			resent[[2]string{it.Provider, it.Key}] = true
		}
	}
	keep := func(s Sent) bool { return s.At.After(since) && kinds[s.Kind] && !resent[[2]string{s.Provider, s.Key}] }
	ev.sent = sendsFromState(ev.in.State, kinds, since)
	ev.sent = slices.DeleteFunc(ev.sent, func(s Sent) bool { return !keep(s) })
	for _, s := range ev.in.Sent {
		if keep(s) {
			ev.sent = append(ev.sent, s)
		}
	}
	return ev.sent
}

// sentFrom returns the accounts a recorded send left: its provider
// block's or, when that block is gone, every account of its gateway.
func (ev *evaluation) sentFrom(s Sent) []string {
	if a, ok := ev.sentVia[s.Provider]; ok {
		return a
	}
	return ev.gateways[s.Gateway]
}

// unattributed notes the sends a policy's windows count under providers
// no longer configured.
func (ev *evaluation) unattributed(p *schema.Policy, hist []Sent, scope map[string]bool) []string {
	var longest time.Duration
	for _, r := range p.Rolling {
		longest = max(longest, r.Window)
	}
	since := ev.in.Now.Add(-longest)
	byProvider := map[string]int{}
	for _, s := range hist {
		if _, ok := ev.accounts[s.Provider]; ok || !p.Governs(s.Kind) || !s.At.After(since) {
			continue
		}
		for _, acct := range ev.gateways[s.Gateway] {
			if scope == nil || scope[acct] {
				byProvider[s.Provider+"\x00"+s.Gateway]++
				break
			}
		}
	}
	var notes []string
	for _, k := range slices.Sorted(maps.Keys(byProvider)) {
		prov, gw, _ := strings.Cut(k, "\x00")
		verb := "count"
		if byProvider[k] == 1 {
			verb = "counts"
		}
		notes = append(notes, fmt.Sprintf("%s recorded under provider %s, which is no longer configured, %s against every %s account", count(byProvider[k], "send"), prov, verb, gw))
	}
	return notes
}

// lines sums a policy's findings per rule, decision and currency.
func (ev *evaluation) lines(p *schema.Policy, governed []int) []Line {
	type key struct {
		rule     Rule
		decision Decision
		currency string
		shared   *Finding // plan-wide findings are one line each
	}
	idx := map[key]int{}
	var out []Line
	for _, i := range governed {
		it := &ev.in.Items[i]
		for _, f := range ev.res.Verdicts[i].Findings {
			if f.Policy != p.Name {
				continue
			}
			k := key{rule: f.Rule, decision: f.Decision, currency: f.Currency}
			planWide := f.Rule == RulePerPlan || f.Rule == RuleRolling || f.Rule == RuleAlways
			if planWide {
				k.shared = f
			}
			j, ok := idx[k]
			if !ok {
				j = len(out)
				idx[k] = j
				out = append(out, Line{Rule: f.Rule, Decision: f.Decision, Currency: f.Currency, Finding: f})
			}
			l := &out[j]
			l.Items++
			if planWide {
				l.Amount = f.Amount
				continue
			}
			l.Amount = l.Amount.Add(it.Amount)
			if it.Amount.GreaterThan(l.Finding.Amount) {
				l.Finding = f
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := strictness(out[i].Decision), strictness(out[j].Decision); a != b {
			return a > b
		}
		if out[i].Rule != out[j].Rule {
			return ruleOrder(out[i].Rule) < ruleOrder(out[j].Rule)
		}
		return out[i].Currency < out[j].Currency
	})
	return out
}

func ruleOrder(r Rule) int {
	return slices.Index([]Rule{RuleDeny, RuleUnknownDestination, RulePerItem, RulePerPlan, RuleRolling, RuleAlways}, r)
}

// requirement returns the policy's approvals when an item needs them.
func (ev *evaluation) requirement(p *schema.Policy, sec *Section, governed []int) *Requirement {
	if p.Approvals == nil {
		return nil
	}
	req := &Requirement{Policy: p.Name, SignersFile: p.Approvals.SignersFile, Signers: p.Approvals.Signers, Required: p.Approvals.Required, Rules: []Rule{}}
	for _, i := range governed {
		needs := false
		for _, f := range ev.res.Verdicts[i].Findings {
			if f.Policy == p.Name && f.Decision == Approve {
				needs = true
				if !slices.Contains(req.Rules, f.Rule) {
					req.Rules = append(req.Rules, f.Rule)
				}
			}
		}
		if needs {
			req.Items++
		}
	}
	if req.Items == 0 {
		return nil
	}
	sort.Slice(req.Rules, func(i, j int) bool { return ruleOrder(req.Rules[i]) < ruleOrder(req.Rules[j]) })
	return req
}

func sortTotals(ts []Total) []Total {
	sort.Slice(ts, func(i, j int) bool {
		if a, b := strings.Join(ts[i].Providers, ","), strings.Join(ts[j].Providers, ","); a != b {
			return a < b
		}
		return ts[i].Currency < ts[j].Currency
	})
	return ts
}

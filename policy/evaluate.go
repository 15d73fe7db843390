package policy

import (
	"fmt"
	"slices"
	"sort"
	"strings"

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
	sent     []record            // history, loaded on first use
	classes  classes             // the history's
	loaded   bool
	spare    []*Finding // backing for verdicts' first findings
	findings []Finding  // backing for per-item findings
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
	n                 int // items
	sum               amountSum
	total             decimal.Decimal // sum's value, once every item is in
	// perItem is the policy's per_item limit in the currency, if any.
	perItem    *schema.Limit
	perItemFix fixed
}

type groupKey struct{ account, currency string }

// groups are a policy's groups, in the order the plan's items first
// name them, and the items the policy governs with their groups.
type groups struct {
	list     []*group
	index    map[groupKey]int
	governed []int
	groupOf  []int32 // per governed item
}

// items returns group j's items.
func (gs *groups) items(j int) []int {
	if len(gs.list) == 1 {
		return gs.governed
	}
	out := make([]int, 0, gs.list[j].n)
	for k, i := range gs.governed {
		if int(gs.groupOf[k]) == j {
			out = append(out, i)
		}
	}
	return out
}

func (gs *groups) lookup(k groupKey) (int, bool) {
	i, ok := gs.index[k]
	return i, ok
}

// policy evaluates one policy. Items of one provider and currency
// usually follow each other: the loop over them looks accounts, scopes
// and groups up only when the provider or currency changes, and each
// destination once in the lists.
func (ev *evaluation) policy(p *schema.Policy) {
	sec := &Section{Policy: p.Name, Range: p.DeclRange, Totals: []Total{}, Lines: []Line{}}
	ev.res.Sections = append(ev.res.Sections, sec)
	scope := p.Accounts()
	ls := indexLists(p.Destinations)
	gs := &groups{index: map[groupKey]int{}, governed: make([]int, 0, len(ev.in.Items)), groupOf: make([]int32, 0, len(ev.in.Items))}
	refusals := &refusals{policy: p}
	var (
		lastProvider, acct string
		inScope, started   bool
		g                  *group
		gj                 int32
	)
	for i := range ev.in.Items {
		it := &ev.in.Items[i]
		if !p.Governs(it.Kind) {
			continue
		}
		if !started || it.Provider != lastProvider {
			started, lastProvider, g = true, it.Provider, nil
			acct = ev.account(it.Provider)
			inScope = scope == nil || scope[acct]
		}
		if !inScope {
			continue
		}
		if g == nil || g.currency != it.Currency {
			k := groupKey{acct, it.Currency}
			j, ok := gs.lookup(k)
			if !ok {
				j = len(gs.list)
				gs.index[k] = j
				ng := &group{account: acct, currency: it.Currency}
				if lim, ok := p.PerItem[it.Currency]; ok {
					ng.perItem, ng.perItemFix = &lim, fixedOf(lim.Amount)
				}
				gs.list = append(gs.list, ng)
			}
			g, gj = gs.list[j], int32(j)
		}
		gs.governed = append(gs.governed, i)
		gs.groupOf = append(gs.groupOf, gj)
		g.n++
		g.sum.add(it.Amount)

		if it.Kind == providers.Payout && p.Destinations != nil {
			dest := canonical(it.Destination)
			l := ls.index[dest]
			if e := l.deny; e != nil {
				reason := fmt.Sprintf("%s line %d", e.File, e.Line)
				if e.Reason != "" {
					reason = e.Reason + ", " + reason
				}
				f := ev.newFinding()
				*f = Finding{Policy: p.Name, Rule: RuleDeny, Decision: Refuse, Currency: it.Currency, Amount: it.Amount, Destination: it.Destination, Reason: reason}
				ev.add(i, f)
				refusals.item(it, f, "address")
			}
			if ls.allow {
				if !ls.known(l, it.Currency, dest, it.Tag) {
					sec.NewDestinations++
					if p.Destinations.Unknown != Allow {
						f := ev.newFinding()
						*f = Finding{Policy: p.Name, Rule: RuleUnknownDestination, Decision: p.Destinations.Unknown, Currency: it.Currency, Amount: it.Amount, Destination: destination(it)}
						ev.add(i, f)
						if f.Decision == Refuse {
							refusals.item(it, f, "address")
						}
					}
				}
			}
		}
		if g.perItem != nil && cmpFixed(fixedOf(it.Amount), g.perItemFix) > 0 {
			f := ev.newFinding()
			*f = Finding{Policy: p.Name, Rule: RulePerItem, Decision: p.OverLimit, Currency: it.Currency, Amount: it.Amount, Limit: g.perItem.Amount}
			ev.add(i, f)
			if f.Decision == Refuse {
				refusals.item(it, f, "amount")
			}
		}
	}
	governed := gs.governed
	sec.Items = len(governed)
	for j, g := range gs.list {
		g.total = g.sum.value()
		sec.Totals = append(sec.Totals, Total{Providers: ev.providerNames(g.account), Currency: g.currency, Items: g.n, Amount: g.total})
		if lim, ok := p.PerPlan[g.currency]; ok && g.total.GreaterThan(lim.Amount) {
			f := &Finding{Policy: p.Name, Rule: RulePerPlan, Decision: p.OverLimit, Currency: g.currency, Providers: ev.providerNames(g.account),
				Amount: g.total, Limit: lim.Amount, Items: g.n}
			ev.addAll(gs.items(j), f)
			refusals.plan(f, lim.Range, "Plan over the per_plan limit",
				"this plan sends %s %s through %s (%s), over policy %q's per_plan limit of %s %s, and over_limit = \"refuse\". Plan fewer items at once (--target), or raise the limit in a reviewed change.",
				g.total, g.currency, strings.Join(f.Providers, ", "), count(g.n, "item"), p.Name, lim.Amount, g.currency)
		}
	}
	var hist []record
	if len(p.Rolling) > 0 {
		hist = ev.history()
		counted := ev.counted(p, gs)
		for _, r := range p.Rolling {
			ev.rolling(p, r, hist, counted, gs, refusals)
		}
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

// newFinding returns a zero finding carved from a block of them, rather
// than allocated alone.
func (ev *evaluation) newFinding() *Finding {
	if len(ev.findings) == 0 {
		ev.findings = make([]Finding, 256)
	}
	f := &ev.findings[0]
	ev.findings = ev.findings[1:]
	return f
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

// lines sums a policy's findings per rule, decision and currency. A
// plan has few lines and each item a finding or two: lines are found by
// a scan of the few there are, and their amounts summed without a
// big.Int per item.
func (ev *evaluation) lines(p *schema.Policy, governed []int) []Line {
	type key struct {
		rule     Rule
		decision Decision
		currency string
		shared   *Finding // plan-wide findings are one line each
	}
	var (
		keys []key
		out  []Line
		sums []amountSum
		idx  map[key]int // once there are many lines
		// The last plan-wide finding met, and its line.
		lastShared *Finding
		lastLine   int
	)
	find := func(k key) (int, bool) {
		if idx != nil {
			j, ok := idx[k]
			return j, ok
		}
		for j := range keys {
			if keys[j] == k {
				return j, true
			}
		}
		return 0, false
	}
	for _, i := range governed {
		it := &ev.in.Items[i]
		for _, f := range ev.res.Verdicts[i].Findings {
			if f.Policy != p.Name {
				continue
			}
			planWide := f.Rule == RulePerPlan || f.Rule == RuleRolling || f.Rule == RuleAlways
			if planWide && f == lastShared {
				// A plan-wide finding is shared by a run of items.
				out[lastLine].Items++
				continue
			}
			k := key{rule: f.Rule, decision: f.Decision, currency: f.Currency}
			if planWide {
				k.shared = f
			}
			j, ok := find(k)
			if !ok {
				j = len(out)
				keys = append(keys, k)
				out = append(out, Line{Rule: f.Rule, Decision: f.Decision, Currency: f.Currency, Finding: f})
				sums = append(sums, amountSum{})
				if idx != nil {
					idx[k] = j
				} else if len(keys) > 16 {
					idx = make(map[key]int, len(keys))
					for j, k := range keys {
						idx[k] = j
					}
				}
			}
			l := &out[j]
			l.Items++
			if planWide {
				l.Amount = f.Amount
				lastShared, lastLine = f, j
				continue
			}
			sums[j].add(it.Amount)
			if greater(it.Amount, l.Finding.Amount) {
				l.Finding = f
			}
		}
	}
	for j := range out {
		if r := out[j].Rule; r != RulePerPlan && r != RuleRolling && r != RuleAlways {
			out[j].Amount = sums[j].value()
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

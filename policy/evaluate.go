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

// counted returns, per class of the history's sends, the groups of
// the plan (accounts and currency) that the policy's rolling windows
// count those sends against: the send's currency and one of the accounts
// it left (sentFrom), when the policy governs its kind.
func (ev *evaluation) counted(p *schema.Policy, gs *groups) [][]int {
	out := make([][]int, len(ev.classes.list))
	for ci, c := range ev.classes.list {
		if !p.Governs(c.kind) {
			continue
		}
		for _, a := range ev.sentFrom(c.provider, c.gateway) {
			if j, ok := gs.lookup(groupKey{a, c.currency}); ok {
				out[ci] = append(out[ci], j)
			}
		}
	}
	return out
}

// rolling checks one rolling window for every account and currency the
// plan sends in: one pass over the history sums what each of them sent
// in the window.
func (ev *evaluation) rolling(p *schema.Policy, r *schema.Rolling, hist []record, counted [][]int, gs *groups, refusals *refusals) {
	since := ev.in.Now.Add(-r.Window)
	limited := make([]bool, len(gs.list))
	for j, g := range gs.list {
		_, limited[j] = r.Limit[g.currency]
	}
	sums := make([]amountSum, len(gs.list))
	for i := range hist {
		s := &hist[i]
		if js := counted[s.class]; len(js) > 0 && s.at.After(since) {
			for _, j := range js {
				if limited[j] {
					sums[j].addFixed(s.amount)
				}
			}
		}
	}
	for j, g := range gs.list {
		lim, ok := r.Limit[g.currency]
		if !ok {
			continue
		}
		sent := sums[j].value()
		total := sent.Add(g.total)
		if !total.GreaterThan(lim.Amount) {
			continue
		}
		var inWindow []Sent
		for i := range hist {
			if s := &hist[i]; slices.Contains(counted[s.class], j) && s.at.After(since) {
				inWindow = append(inWindow, s.sent(&ev.classes))
			}
		}
		f := &Finding{Policy: p.Name, Rule: RuleRolling, Decision: p.OverLimit, Currency: g.currency, Providers: ev.providerNames(g.account),
			Amount: total, Limit: lim.Amount, Window: r.Window, Sent: sent, Items: g.n, FitsAt: fitsAt(inWindow, g.total, lim.Amount, r.Window)}
		ev.addAll(gs.items(j), f)
		when := "The plan alone is over the limit: plan fewer items at once (--target), or raise the limit in a reviewed change."
		if !f.FitsAt.IsZero() {
			when = fmt.Sprintf("Earlier sends leave the window by %s: plan again then, plan fewer items (--target), or raise the limit in a reviewed change.", f.FitsAt.UTC().Format(time.RFC3339))
		}
		refusals.plan(f, lim.Range, "Plan over the rolling limit",
			"%s sent %s %s in the last %s and this plan sends %s %s more (%s): %s %s, over policy %q's rolling limit of %s %s per %s, and over_limit = \"refuse\". %s",
			strings.Join(f.Providers, ", "), sent, g.currency, schema.FormatWindow(r.Window), g.total, g.currency, count(g.n, "item"),
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
func (ev *evaluation) history() []record {
	if ev.loaded {
		return ev.sent
	}
	ev.loaded = true
	var kinds []providers.Kind
	var longest time.Duration
	for _, p := range ev.in.Config.Policies {
		for _, r := range p.Rolling {
			longest = max(longest, r.Window)
			for _, k := range p.Kinds {
				if !slices.Contains(kinds, k) {
					kinds = append(kinds, k)
				}
			}
		}
	}
	if longest == 0 {
		return nil
	}
	since := ev.in.Now.Add(-longest)
	var resent map[[2]string]bool
	for _, it := range ev.in.Items {
		if it.Resend {
			if resent == nil {
				resent = map[[2]string]bool{}
			}
			resent[[2]string{it.Provider, it.Key}] = true
		}
	}
	keep := func(provider, key string) bool { return resent == nil || !resent[[2]string{provider, key}] }
	if st := ev.in.State; st != nil {
		ev.sent = recordsFromState(make([]record, 0, st.Len()), &ev.classes, st, kinds, since, keep)
	}
	for _, s := range ev.in.Sent {
		if s.At.After(since) && slices.Contains(kinds, s.Kind) && keep(s.Provider, s.Key) {
			c := ev.classes.of(sendClass{provider: s.Provider, gateway: s.Gateway, currency: s.Currency, kind: s.Kind})
			ev.sent = append(ev.sent, record{class: c, at: s.At, amount: fixedOf(s.Amount)})
		}
	}
	return ev.sent
}

// sentFrom returns the accounts a recorded send left: its provider
// block's or, when that block is gone, every account of its gateway.
func (ev *evaluation) sentFrom(provider, gateway string) []string {
	if a, ok := ev.sentVia[provider]; ok {
		return a
	}
	return ev.gateways[gateway]
}

// unattributed notes the sends a policy's windows count under providers
// no longer configured.
func (ev *evaluation) unattributed(p *schema.Policy, hist []record, scope map[string]bool) []string {
	if len(hist) == 0 {
		return nil
	}
	var longest time.Duration
	for _, r := range p.Rolling {
		longest = max(longest, r.Window)
	}
	since := ev.in.Now.Add(-longest)
	// Which classes of sends the notes count: those of providers no
	// longer configured, of kinds the policy governs, of gateways with
	// an account in its scope.
	noted := make([]bool, len(ev.classes.list))
	some := false
	for ci, c := range ev.classes.list {
		if _, ok := ev.accounts[c.provider]; ok || !p.Governs(c.kind) {
			continue
		}
		for _, acct := range ev.gateways[c.gateway] {
			if scope == nil || scope[acct] {
				noted[ci], some = true, true
				break
			}
		}
	}
	if !some {
		return nil
	}
	byProvider := map[string]int{}
	for i := range hist {
		if s := &hist[i]; noted[s.class] && s.at.After(since) {
			c := ev.classes.list[s.class]
			byProvider[c.provider+"\x00"+c.gateway]++
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

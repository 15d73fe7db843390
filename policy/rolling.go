package policy

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// Rolling windows count what the record holds as sent in the window:
// the history is read once per evaluation (history), into records of
// a few classes, and each policy sums it per group of the plan.

// record is a send as the rolling windows count it: when, how much, and
// its class (provider, gateway, currency and kind), so that the state's
// sends, which may be a million, are each read once, without a big.Int
// for the amount, and compared afterwards by class.
type record struct {
	class  int
	at     time.Time
	amount fixed
}

// sendClass is what the rolling windows ask of a send besides its time
// and amount.
type sendClass struct {
	provider, gateway, currency string
	kind                        providers.Kind
}

// classes interns sendClasses.
type classes struct {
	list  []sendClass
	index map[sendClass]int
}

func (cs *classes) of(c sendClass) int {
	if i, ok := cs.index[c]; ok {
		return i
	}
	if cs.index == nil {
		cs.index = map[sendClass]int{}
	}
	cs.list = append(cs.list, c)
	cs.index[c] = len(cs.list) - 1
	return len(cs.list) - 1
}

func (r *record) sent(cs *classes) Sent {
	c := cs.list[r.class]
	return Sent{Provider: c.provider, Gateway: c.gateway, Kind: c.kind, Currency: c.currency, Amount: r.amount.decimal(), At: r.at}
}

// recordsFromState appends to out the sends the state records after
// since, of the given kinds, but those keep refuses.
func recordsFromState(out []record, cs *classes, st *state.State, kinds []providers.Kind, since time.Time, keep func(provider, key string) bool) []record {
	last, lastClass, counts := sendClass{}, -1, false
	add := func(r *state.Resource) {
		if r.Amount == "" || !r.CreatedAt.After(since) {
			return
		}
		// Records of one provider, gateway, currency and kind mostly
		// follow each other.
		if lastClass < 0 || r.Provider != last.provider || r.Gateway != last.gateway || r.Currency != last.currency || r.Kind != string(last.kind) {
			last = sendClass{provider: r.Provider, gateway: r.Gateway, currency: r.Currency, kind: providers.Kind(r.Kind)}
			lastClass, counts = cs.of(last), slices.Contains(kinds, last.kind)
		}
		if !counts || !keep(r.Provider, r.Key) {
			return
		}
		amount, err := parseFixed(r.Amount)
		if err != nil {
			return
		}
		out = append(out, record{class: lastClass, at: r.CreatedAt, amount: amount})
	}
	st.Each(add)
	for _, r := range st.ForgottenList() {
		add(r)
	}
	return out
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

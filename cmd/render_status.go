package cmd

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/payform/payform/executor"
	"github.com/payform/payform/money"
	"github.com/payform/payform/planner"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/state"
)

// maxStatusLines bounds the items each status section names; those that
// need attention come first, so they are never the ones left out.
const maxStatusLines = 25

// renderStatuses writes what the refresh learned, before the plan's
// actions: the statuses taken in from callbacks, the callbacks kept
// apart, the statuses the gateways report (drift), each with what needs
// attention first (failed, cancelled, invalid, underpaid, in doubt) and
// the amounts; then the tally by status with amounts, and the records
// whose status cannot be read back. It reports whether it rendered the
// drift (there was a refresh); without one, renderPlan does.
func (a *app) renderStatuses(w io.Writer, p *planner.Plan) bool {
	v := a.refresh
	if v == nil {
		return false
	}
	width := 0
	if f := v.folded; f != nil {
		for _, c := range append(append([]executor.StatusChange(nil), f.Recorded...), f.Settled...) {
			width = max(width, len(c.Address))
		}
	}
	for _, d := range p.Drift {
		width = max(width, len(d.Address))
	}
	width = min(width, 60)
	if f := v.folded; f != nil && len(f.Recorded)+len(f.Settled) > 0 {
		changes := append(append([]executor.StatusChange(nil), f.Settled...), f.Recorded...)
		sort.SliceStable(changes, func(i, j int) bool { return changeRank(changes[i]) < changeRank(changes[j]) })
		fmt.Fprintf(w, "Statuses taken in from callbacks (recorded in the state):\n\n")
		for i, c := range changes {
			if i == maxStatusLines {
				fmt.Fprintf(w, "   ... and %d more (payform plan --json lists every one)\n", len(changes)-i)
				break
			}
			fmt.Fprintf(w, "%s %-*s  %s  %s\n", a.statusGlyph(c.After, c.Outcome), width, c.Address, withCurrency(c.Amount.String(), c.Currency), describeTaken(c, v.title(c.Provider)))
		}
		fmt.Fprintln(w)
	}
	if f := v.folded; f != nil && len(f.Apart) > 0 {
		apart := append([]executor.Apart(nil), f.Apart...)
		sort.SliceStable(apart, func(i, j int) bool { return apart[i].Attention && !apart[j].Attention })
		fmt.Fprintf(w, "Callbacks kept apart (never taken in; payform callback list shows them):\n\n")
		for i, ap := range apart {
			if i == maxStatusLines {
				fmt.Fprintf(w, "   ... and %d more\n", len(apart)-i)
				break
			}
			glyph, who := a.ios.Paint(dim, " -"), ap.What
			if ap.Attention {
				glyph = a.ios.Paint(yellow+bold, " !")
			}
			if ap.Address != "" {
				who = ap.Address
			}
			fmt.Fprintf(w, "%s %s (inbox #%d): %s\n", glyph, who, ap.Inbox, ap.Why)
		}
		fmt.Fprintln(w)
	}
	if len(p.Drift) > 0 {
		drift := append([]*planner.Drift(nil), p.Drift...)
		sort.SliceStable(drift, func(i, j int) bool { return rank(drift[i].After) < rank(drift[j].After) })
		fmt.Fprintf(w, "Statuses the gateways report (recorded by apply):\n\n")
		for i, d := range drift {
			if i == maxStatusLines {
				fmt.Fprintf(w, "   ... and %d more (payform plan --json lists every one)\n", len(drift)-i)
				break
			}
			amount, raw := "", ""
			if d.RawAfter != "" && d.RawAfter != d.After {
				raw = fmt.Sprintf(" (%s)", d.RawAfter)
			}
			if r := v.st.Resource(d.Address); r != nil {
				amount = withCurrency(r.Amount, r.Currency) + "  "
				raw += paidWords(d.Fields[providers.ResultPaidAmount], r.Amount, r.Currency)
			} else {
				raw += paidWords(d.Fields[providers.ResultPaidAmount], "", "")
			}
			fmt.Fprintf(w, "%s %-*s  %s%s → %s%s\n", a.statusGlyph(d.After, ""), width, d.Address, amount, d.Before, d.After, raw)
		}
		fmt.Fprintln(w)
	}
	a.renderTally(w, p)
	return true
}

// renderTally writes the tally by status and what cannot be read, when
// statuses were in play at all.
func (a *app) renderTally(w io.Writer, p *planner.Plan) {
	v := a.refresh
	if len(v.tally) == 0 || v.report.Asked == 0 && v.taken() == 0 && v.unreadable() == 0 && len(p.Drift) == 0 {
		return
	}
	bad := 0
	for _, row := range v.tally {
		if row.Status == string(providers.StatusFailed) || row.Status == string(providers.StatusCancelled) {
			bad += row.Count
		}
	}
	head := "Statuses now"
	if bad > 0 {
		head += fmt.Sprintf(" (%d failed or cancelled)", bad)
	}
	fmt.Fprintf(w, "%s:\n", head)
	tb := newTable("  ", left, left, right, left)
	tb.row("KIND", "STATUS", "ITEMS", "AMOUNT")
	for _, row := range v.tally {
		amounts := make([]string, len(row.Amounts))
		for i, am := range row.Amounts {
			amounts[i] = withCurrency(am.Amount.String(), am.Currency)
		}
		status := row.Status
		if executor.NeedsAttention(status) {
			status = a.ios.Paint(red, status)
		}
		tb.row(string(row.Kind), status, fmt.Sprint(row.Count), strings.Join(amounts, ", "))
	}
	tb.write(w)
	fmt.Fprintln(w)
	a.renderUnreadable(w)
}

// renderUnreadable says, per provider, which statuses cannot be read
// back and what payform then knows of them.
func (a *app) renderUnreadable(w io.Writer) {
	v := a.refresh
	if v.unreadable() == 0 {
		return
	}
	type group struct {
		n    int
		kind providers.Kind
		why  string
	}
	groups := map[string]*group{}
	var order []string
	for _, u := range v.report.Unreadable {
		g := groups[u.Provider]
		if g == nil {
			g = &group{kind: u.Kind, why: u.Why}
			groups[u.Provider] = g
			order = append(order, u.Provider)
		}
		g.n++
	}
	sort.Strings(order)
	for _, name := range order {
		g := groups[name]
		learn := "payform learns their status only from callbacks"
		if b := v.cfg.Provider(name); b != nil {
			if b.Sandbox {
				learn = "payform cannot learn their status at all: an embedded sandbox sends no callbacks (point the block at payform sandbox serve --callback-url, and run payform callback serve)"
			} else if last, ok := v.seen[b.Account()]; ok {
				learn += fmt.Sprintf(" (the last from this account was received %s)", last.UTC().Format(time.RFC3339))
			} else if v.seen != nil {
				learn += ", and none from this account ever reached the callback inbox: until one does, payform cannot learn their status at all (run payform callback serve and point the gateway at it)"
			}
		}
		fmt.Fprintf(w, "%s %d %s at %s: the gateway is not asked, since %s; %s. Their statuses above are the last ones recorded.\n\n",
			a.ios.Paint(yellow+bold, "Not read:"), g.n, plural(g.n, string(g.kind), string(g.kind)+"s"), name, g.why, learn)
	}
}

// unreadableNoun names what cannot be read: "3 payouts", "2 items".
func (v *refreshView) unreadableNoun() string {
	n := v.unreadable()
	kind := ""
	for _, u := range v.report.Unreadable {
		if kind != "" && kind != string(u.Kind) {
			return fmt.Sprintf("%d %s", n, plural(n, "item", "items"))
		}
		kind = string(u.Kind)
	}
	return fmt.Sprintf("%d %s", n, plural(n, kind, kind+"s"))
}

// statusGlyph marks a status line: ✗ for what needs attention, ✓ for a
// doubt settled, ~ for any other change.
func (a *app) statusGlyph(status string, outcome state.Outcome) string {
	switch {
	case outcome == state.OutcomeUnknown || executor.NeedsAttention(status):
		return a.ios.Paint(red+bold, " ✗")
	case outcome == state.OutcomeAdopted:
		return a.ios.Paint(green, " ✓")
	}
	return a.ios.Paint(yellow, " ~")
}

// describeTaken says what a callback changed: "submitted → failed
// (error): a WllxPay callback, verified by signature".
func describeTaken(c executor.StatusChange, title string) string {
	raw := ""
	if c.RawAfter != "" && c.RawAfter != c.After {
		raw = " (" + c.RawAfter + ")"
	}
	switch c.Outcome {
	case state.OutcomeAdopted:
		return fmt.Sprintf("in doubt → adopted, %s%s: %s", c.After, raw, c.Note)
	case state.OutcomeUnknown:
		return fmt.Sprintf("in doubt → unknown, for an operator (payform state resolve): %s", c.Note)
	}
	return fmt.Sprintf("%s → %s%s: %s callback, verified by %s, received %s", c.Before, c.After, raw, "a "+title, c.Via, c.ReceivedAt.UTC().Format(time.RFC3339))
}

// title is the gateway's name of a provider block ("WllxPay").
func (v *refreshView) title(provider string) string {
	if b := v.cfg.Provider(provider); b != nil {
		return b.Gateway.Title
	}
	return provider
}

// changeRank puts what needs attention first.
func changeRank(c executor.StatusChange) int {
	if c.Outcome == state.OutcomeUnknown {
		return 0
	}
	return rank(c.After)
}

func rank(status string) int {
	if executor.NeedsAttention(status) {
		return 1
	}
	return 2
}

// withCurrency renders an amount with its currency, "-" without one.
func withCurrency(amount, currency string) string {
	if amount == "" || amount == "0" {
		return "-"
	}
	return money.FormatString(amount, currency) + " " + currency
}

// paidWords says what a customer paid against an invoice, after its status
// ("pending → underpaid; paid 40.00 of 100.00 USD"); empty when the gateway
// did not say. Without the invoice's amount it is the figure alone.
func paidWords(paid, amount, currency string) string {
	if paid == "" {
		return ""
	}
	if amount == "" || currency == "" {
		return "; paid " + paid
	}
	return "; paid " + money.FormatString(paid, currency) + " of " + money.FormatString(amount, currency) + " " + currency
}

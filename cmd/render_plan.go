package cmd

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/payform/payform/money"
	"github.com/payform/payform/planner"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
)

// renderPlan writes the human rendering of a plan: the policies'
// sections, one line per change (Terraform's + <= ? - glyphs, and the
// verdict of a change the policies do not simply allow), status drift,
// then the money summary and the balances.
func (a *app) renderPlan(w io.Writer, p *planner.Plan) {
	bw := bufio.NewWriterSize(w, 64<<10) // a large batch renders a line per change
	defer bw.Flush()
	w = bw
	s := p.Summary
	statuses := a.renderStatuses(w, p) // what the refresh learned, what needs attention first
	if !p.HasChanges() {
		if a.refresh.unreadable() > 0 && s.Unknown == 0 {
			// Nothing to apply, but the gateways were not asked about
			// everything: never "agree".
			fmt.Fprintf(w, "%s Nothing to apply", a.ios.Paint(bold+yellow, "No changes."))
			if s.NoOp > 0 {
				fmt.Fprintf(w, " (%d %s in the state)", s.NoOp, plural(s.NoOp, "object", "objects"))
			}
			fmt.Fprintf(w, "; the statuses of %s cannot be read from the gateways (see above).\n", a.refresh.unreadableNoun())
			return
		}
		if s.Unknown > 0 {
			// Nothing to apply, but the gateways do not agree yet.
			fmt.Fprintf(w, "%s Nothing to apply", a.ios.Paint(bold+yellow, "No changes."))
			if s.NoOp > 0 {
				fmt.Fprintf(w, " (%d %s up to date)", s.NoOp, plural(s.NoOp, "object", "objects"))
			}
			fmt.Fprintf(w, ", but %d %s in doubt %s an operator: see the warnings above.\n", s.Unknown, plural(s.Unknown, "item", "items"), plural(s.Unknown, "needs", "need"))
			return
		}
		fmt.Fprintf(w, "%s The configuration, the state and the gateways agree", a.ios.Paint(bold+green, "No changes."))
		if s.NoOp > 0 {
			fmt.Fprintf(w, " (%d %s up to date)", s.NoOp, plural(s.NoOp, "object", "objects"))
		}
		if n := a.refresh.taken(); n > 0 {
			fmt.Fprintf(w, ", with the %d %s just taken in from callbacks", n, plural(n, "status", "statuses"))
		}
		fmt.Fprintln(w, ".")
		return
	}
	width := 0
	for _, c := range p.Changes {
		width = max(width, len(c.Address))
	}
	for _, d := range p.Drift {
		width = max(width, len(d.Address))
	}
	width = min(width, 60)
	a.renderPolicy(w, p)
	if len(p.Changes) > 0 {
		fmt.Fprintf(w, "payform will perform the following actions:\n\n")
		// A line per change, a million of them in a large batch: appended
		// into one buffer rather than formatted.
		glyphs := map[planner.Action]string{}
		var line []byte
		for _, c := range p.Changes {
			g, ok := glyphs[c.Action]
			if !ok {
				g = a.glyph(c.Action)
				glyphs[c.Action] = g
			}
			line = append(append(line[:0], g...), ' ')
			line = appendPadded(line, c.Address, width)
			line = append(append(append(line, "  "...), describe(c)...), a.verdictTag(c)...)
			w.Write(append(line, '\n'))
		}
		fmt.Fprintln(w)
	}
	if len(p.Drift) > 0 && !statuses {
		fmt.Fprintf(w, "Statuses the gateways report (recorded by apply):\n\n")
		for _, d := range p.Drift {
			raw := ""
			if d.RawAfter != "" && d.RawAfter != d.After {
				raw = fmt.Sprintf(" (%s)", d.RawAfter)
			}
			raw += paidWords(d.Fields[providers.ResultPaidAmount], "", "")
			fmt.Fprintf(w, "%s %-*s  %s → %s%s\n", a.ios.Paint(yellow, " ~"), width, d.Address, d.Before, d.After, raw)
		}
		fmt.Fprintln(w)
	}
	a.renderTotals(w, p)
	a.renderFunding(w, p)
	renderInvoiceTotals(w, s.Invoices)
	renderNewDestinations(w, s)
	a.renderWarnings(w, p.Warnings)
	fmt.Fprintf(w, "%s %d to create, %d to adopt, ", a.ios.Paint(bold, "Plan:"), s.Create, s.Adopt)
	if s.Restore > 0 {
		fmt.Fprintf(w, "%d to restore, ", s.Restore)
	}
	fmt.Fprintf(w, "%d to resolve, %d to forget", s.Resolve, s.Forget)
	if s.Drift > 0 {
		fmt.Fprintf(w, ", %d status %s", s.Drift, plural(s.Drift, "change", "changes"))
	}
	fmt.Fprintln(w, ".")
	if s.Unknown > 0 {
		fmt.Fprintf(w, "%d %s in doubt %s an operator: see the warnings above.\n", s.Unknown, plural(s.Unknown, "item", "items"), plural(s.Unknown, "needs", "need"))
	}
}

// renderTotals writes the money per currency, provider and action, and
// the largest items.
func (a *app) renderTotals(w io.Writer, p *planner.Plan) {
	s := p.Summary
	if len(s.Totals) == 0 {
		return
	}
	fmt.Fprintln(w, "Money:")
	tb := newTable("  ", left, left, left, right, decimalPoint)
	tb.row("CURRENCY", "PROVIDER", "ACTION", "ITEMS", "AMOUNT")
	for _, t := range s.Totals {
		tb.row(t.Currency, t.Provider, string(t.Action), fmt.Sprint(t.Count), money.Format(t.Amount, t.Currency))
	}
	tb.write(w)
	if s.Create > planner.LargestPerCurrency && len(s.Largest) > 0 {
		fmt.Fprintln(w, "\nLargest:")
		tb = newTable("  ", left, decimalPoint, left)
		tb.row("CURRENCY", "AMOUNT", "RESOURCE")
		for _, it := range s.Largest {
			tb.row(it.Currency, money.Format(it.Amount, it.Currency), it.Address)
		}
		tb.write(w)
	}
	fmt.Fprintln(w)
}

// appendPadded appends s padded with spaces to width runes (fmt's %-*s).
func appendPadded(b []byte, s string, width int) []byte {
	b = append(b, s...)
	for n := utf8.RuneCountInString(s); n < width; n++ {
		b = append(b, ' ')
	}
	return b
}

func (a *app) glyph(act planner.Action) string {
	g := fmt.Sprintf("%2s", act.Glyph())
	switch act {
	case planner.Create:
		return a.ios.Paint(green, g)
	case planner.Adopt, planner.Restore:
		return a.ios.Paint(cyan, g)
	case planner.Resolve:
		return a.ios.Paint(yellow, g)
	case planner.Forget:
		return a.ios.Paint(red, g)
	}
	return g
}

// describe says in one line what a change does.
func describe(c *planner.Change) string {
	if c.Kind == providers.DepositAddress {
		return describeAddress(c)
	}
	keyAttr := schema.KeyAttr(c.Kind)
	what := object(c)
	switch c.Action {
	case planner.Create:
		return verb(c.Kind) + " " + what + " (" + c.Provider + ", " + keyAttr + " " + strconv.Quote(c.Key) + ")"
	case planner.Adopt:
		return fmt.Sprintf("adopt %s: %s (id %s, %s); no call", what, c.Note, orDash(c.Found.ID), c.Found.Status)
	case planner.Resolve:
		return fmt.Sprintf("resolve %s (%s, %s %q): %s", what, c.Provider, keyAttr, c.Key, c.Note)
	case planner.Forget:
		tail := fmt.Sprintf("no call; %s %q stays reserved", keyAttr, c.Key)
		if c.Note != "" {
			tail += "; " + c.Note
		}
		return fmt.Sprintf("forget %s (%s)", what, tail)
	}
	return what
}

// describeAddress describes a deposit address change; a tag is always
// shown beside its address, and said to be required.
func describeAddress(c *planner.Change) string {
	needsTag := ""
	if cur, ok := money.Lookup(c.Currency); ok && cur.Tag == money.TagRequired {
		needsTag = "; deposits need the destination tag"
	}
	recorded := ""
	if c.Before != nil {
		recorded = depositAddress(c.Currency, c.Before.Remote["address"], c.Before.Remote["tag"])
	}
	switch c.Action {
	case planner.Create:
		return fmt.Sprintf("take %s %s address for foreign_id %q (%s%s)", article(c.Currency), c.Currency, c.Key, c.Provider, needsTag)
	case planner.Restore:
		from := ""
		if c.From != "" {
			from = " from " + c.From
		}
		return fmt.Sprintf("restore %s%s (%s%s)", recorded, from, c.Note, needsTag)
	case planner.Resolve:
		return fmt.Sprintf("take %s %s address for foreign_id %q again (%s): %s", article(c.Currency), c.Currency, c.Key, c.Provider, c.Note)
	case planner.Forget:
		return fmt.Sprintf("forget %s (no call; %s)", recorded, c.Note)
	}
	return c.Currency
}

// article is "an" before a code read with a vowel sound (XRP, ETH, USDC,
// LTC...: "an X-R-P"), else "a".
func article(code string) string {
	if code != "" && strings.ContainsRune("AEFHILMNORSX", rune(code[0])) {
		return "an"
	}
	return "a"
}

// depositAddress renders "BTC address bc1q..." or "XRP address r... tag 123
// (tag required)".
func depositAddress(currency, address, tag string) string {
	s := fmt.Sprintf("%s address %s", currency, orDash(address))
	if tag != "" {
		s += " tag " + tag + " (tag required)"
	}
	return s
}

func verb(k providers.Kind) string {
	switch k {
	case providers.Payout:
		return "send"
	case providers.DepositAddress:
		return "take"
	case providers.Invoice:
		return "invoice"
	}
	return "create"
}

// object describes the declared object: "0.015 BTC to bc1q..." for a
// payout.
func object(c *planner.Change) string {
	switch c.Kind {
	case providers.Payout:
		s := money.Format(c.Amount, c.Currency) + " " + c.Currency + " to " + c.Attrs["address"]
		if t := c.Attrs["tag"]; t != "" {
			s += " tag " + t
		}
		return s
	}
	return money.Format(c.Amount, c.Currency) + " " + c.Currency
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// renderInvoiceTotals writes what invoices amount to per currency and
// provider: invoiced, paid, and counts per status.
func renderInvoiceTotals(w io.Writer, totals []planner.InvoiceTotal) {
	if len(totals) == 0 {
		return
	}
	fmt.Fprintln(w, "Invoices:")
	tb := newTable("  ", left, left, right, decimalPoint, decimalPoint, left)
	tb.row("CURRENCY", "PROVIDER", "INVOICES", "INVOICED", "PAID", "STATUSES")
	for _, t := range totals {
		tb.row(t.Currency, t.Provider, fmt.Sprint(t.Invoices), money.Format(t.Invoiced, t.Currency), paidCell(t), statusCounts(t.ByStatus))
	}
	tb.write(w)
	fmt.Fprintln(w)
}

// statusCounts renders {"paid": 3, "pending": 27} as "paid 3, pending 27".
func statusCounts(m map[string]int) string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// shownWarnings bounds the warnings a rendering lists; the plan's JSON has
// every one.
const shownWarnings = 10

// renderWarnings lists the plan's warnings beside its summary, where they
// do not scroll away above a long plan (they are on stderr in full too).
func (a *app) renderWarnings(w io.Writer, warnings []planner.Warning) {
	if len(warnings) == 0 {
		return
	}
	fmt.Fprintf(w, "%s\n", a.ios.Paint(bold+yellow, "Warnings:"))
	for i, x := range warnings {
		if i == shownWarnings {
			fmt.Fprintf(w, "  ... and %d more (payform show --json PLANFILE lists every one)\n", len(warnings)-i)
			break
		}
		fmt.Fprintf(w, "  %s %s\n", a.ios.Paint(yellow, "!"), warningLine(x))
	}
	fmt.Fprintln(w)
}

// warningLine is a warning on one line: "Payout without destination tag
// (main.hcl:14): payout.x: ...".
func warningLine(x planner.Warning) string {
	s := x.Summary
	if x.Subject != "" {
		s += " (" + x.Subject + ")"
	}
	if x.Detail != "" {
		s += ": " + strings.Join(strings.Fields(x.Detail), " ")
	}
	return s
}

// renderNewDestinations says how many destinations the plan pays that no
// payout in the state was ever sent to, with the first of them.
func renderNewDestinations(w io.Writer, s planner.Summary) {
	if s.NewDestinations == 0 {
		return
	}
	fmt.Fprintf(w, "New destinations: %d %s never paid before in this state", s.NewDestinations, plural(s.NewDestinations, "address", "addresses"))
	sample := s.NewDestinationSample[:min(len(s.NewDestinationSample), markdownDestinations)]
	if len(sample) > 0 {
		fmt.Fprintf(w, ": %s", strings.Join(sample, ", "))
		if s.NewDestinations > len(sample) {
			fmt.Fprintf(w, " and %d more", s.NewDestinations-len(sample))
		}
	}
	fmt.Fprint(w, ".\n\n")
}

// paidCell is what customers paid of a provider's invoices in one
// currency; a lower bound where the gateway says an invoice is underpaid
// or overpaid but not by how much.
func paidCell(t planner.InvoiceTotal) string {
	paid := money.Format(t.Paid, t.Currency)
	if t.PaidUnreported > 0 {
		paid = fmt.Sprintf("≥ %s (%d not reported)", paid, t.PaidUnreported)
	}
	return paid
}

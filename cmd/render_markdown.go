package cmd

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
	"github.com/payform/payform/planner"
	"github.com/payform/payform/providers"
)

// markdownDestinations bounds the new destinations a comment lists.
const markdownDestinations = 5

// MaxMarkdown bounds `plan --markdown`: GitHub refuses comments over 65,536
// characters.
const MaxMarkdown = 60_000

// renderMarkdown writes a plan as a pull-request comment that leads with
// money: the totals per currency in its first line, the policies'
// sections (rules tripped, approvals needed), the counts, the totals
// per currency and provider, new destinations and the largest items; then
// every change, collapsed, cut with a count so that the whole comment stays
// under MaxMarkdown characters.
func renderMarkdown(w io.Writer, p *planner.Plan) {
	var b strings.Builder
	s := p.Summary
	b.WriteString("### payform plan: " + headline(p) + "\n\n")
	writeMarkdownPolicy(&b, p)
	fmt.Fprintf(&b, "**%d to create, %d to adopt, ", s.Create, s.Adopt)
	if s.Restore > 0 {
		fmt.Fprintf(&b, "%d to restore, ", s.Restore)
	}
	fmt.Fprintf(&b, "%d to resolve, %d to forget**", s.Resolve, s.Forget)
	if s.Drift > 0 {
		fmt.Fprintf(&b, " · %d status %s", s.Drift, plural(s.Drift, "change", "changes"))
	}
	if s.NoOp > 0 {
		fmt.Fprintf(&b, " · %d unchanged", s.NoOp)
	}
	b.WriteString("\n\n")
	if s.Unknown > 0 {
		fmt.Fprintf(&b, "> [!WARNING]\n> %d %s in doubt %s an operator (`payform state resolve`).\n\n", s.Unknown, plural(s.Unknown, "item", "items"), plural(s.Unknown, "needs", "need"))
	}
	if len(s.Totals) > 0 {
		b.WriteString("| Currency | Provider | Action | Items | Amount |\n|---|---|---|---:|---:|\n")
		for _, t := range s.Totals {
			fmt.Fprintf(&b, "| %s | %s | %s | %d | %s |\n", t.Currency, mdEscape(t.Provider), t.Action, t.Count, money.Format(t.Amount, t.Currency))
		}
		b.WriteString("\n")
	}
	writeMarkdownFunding(&b, p)
	if len(s.Invoices) > 0 {
		b.WriteString("| Invoices | Provider | Count | Invoiced | Paid | Statuses |\n|---|---|---:|---:|---:|---|\n")
		for _, t := range s.Invoices {
			fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s |\n", t.Currency, mdEscape(t.Provider), t.Invoices, t.Invoiced, t.Paid, statusCounts(t.ByStatus))
		}
		b.WriteString("\n")
	}
	if s.NewDestinations > 0 {
		fmt.Fprintf(&b, "**New destinations:** %d %s never paid before in this state", s.NewDestinations, plural(s.NewDestinations, "address", "addresses"))
		sample := s.NewDestinationSample[:min(len(s.NewDestinationSample), markdownDestinations)]
		if n := len(sample); n > 0 {
			b.WriteString(": ")
			for i, d := range sample {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("`" + mdCode(d) + "`")
			}
			if s.NewDestinations > n {
				fmt.Fprintf(&b, " and %d more", s.NewDestinations-n)
			}
		}
		b.WriteString(".\n\n")
	}
	if len(s.Largest) > 0 {
		b.WriteString("**Largest:** ")
		for i, it := range s.Largest {
			if i > 0 {
				b.WriteString(" · ")
			}
			fmt.Fprintf(&b, "%s %s `%s`", money.Format(it.Amount, it.Currency), it.Currency, mdCode(it.Address))
		}
		b.WriteString("\n\n")
	}
	footer := fmt.Sprintf("\nPlan `%s`, made %s against state serial %d; valid until %s. Apply exactly this plan with `payform apply PLANFILE`.\n",
		p.PlanID, formatTime(p.CreatedAt), p.StateSerial, formatTime(p.ExpiresAt))
	if len(p.Changes)+len(p.Drift) > 0 {
		writeDetails(&b, p, MaxMarkdown-b.Len()-len(footer)-200)
	}
	b.WriteString(footer)
	io.WriteString(w, b.String())
}

// writeDetails writes the changes in a collapsed diff block, stopping
// before budget characters with a count of what was left out.
func writeDetails(b *strings.Builder, p *planner.Plan, budget int) {
	total := len(p.Changes) + len(p.Drift)
	fmt.Fprintf(b, "<details><summary>All %d %s</summary>\n\n```diff\n", total, plural(total, "change", "changes"))
	start := b.Len()
	const closing = "```\n"
	shown := 0
	line := func(s string) bool {
		s = strings.ReplaceAll(s, "```", "'''") + "\n"
		if b.Len()-start+len(s)+len(closing)+120 > budget {
			return false
		}
		b.WriteString(s)
		shown++
		return true
	}
	ok := true
	for _, c := range p.Changes {
		tag := verdictWords(c)
		if tag != "" {
			tag = "  [" + tag + "]"
		}
		if ok = line(fmt.Sprintf("%s %s  %s%s", diffGlyph(c.Action), c.Address, describe(c), tag)); !ok {
			break
		}
	}
	for _, d := range p.Drift {
		if !ok {
			break
		}
		ok = line(fmt.Sprintf("! %s  status %s -> %s", d.Address, d.Before, d.After))
	}
	b.WriteString(closing)
	if shown < total {
		fmt.Fprintf(b, "\n… and %d more %s not shown here (the comment is kept under %d characters); `payform show PLANFILE` lists every one.\n", total-shown, plural(total-shown, "change", "changes"), MaxMarkdown)
	}
	b.WriteString("\n</details>\n")
}

// diffGlyph marks lines so that GitHub's diff highlighting colors them.
func diffGlyph(a planner.Action) string {
	switch a {
	case planner.Create:
		return "+"
	case planner.Forget:
		return "-"
	case planner.Resolve:
		return "!"
	}
	return "#"
}

// headline sums what the plan creates per kind and currency: "send 0.5
// BTC, 1200 USDTT; invoice 250 USD".
func headline(p *planner.Plan) string {
	sums := map[providers.Kind]map[string]decimal.Decimal{}
	for _, t := range p.Summary.Totals {
		if t.Action != planner.Create {
			continue
		}
		if sums[t.Kind] == nil {
			sums[t.Kind] = map[string]decimal.Decimal{}
		}
		sums[t.Kind][t.Currency] = sums[t.Kind][t.Currency].Add(t.Amount)
	}
	if len(sums) == 0 {
		if !p.HasChanges() {
			return "no changes"
		}
		return "no money moves"
	}
	var parts []string
	for _, kind := range []providers.Kind{providers.Payout, providers.Invoice} {
		if len(sums[kind]) == 0 {
			continue
		}
		codes := make([]string, 0, len(sums[kind]))
		for c := range sums[kind] {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		amounts := make([]string, len(codes))
		for i, c := range codes {
			amounts[i] = sums[kind][c].String() + " " + c
		}
		parts = append(parts, verb(kind)+" "+strings.Join(amounts, ", "))
	}
	return strings.Join(parts, "; ")
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", "\\|", "<", "&lt;", ">", "&gt;").Replace(s)
}

func mdCode(s string) string { return strings.ReplaceAll(s, "`", "'") }

package cmd

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/payform/payform/approval"
	"github.com/payform/payform/money"
	"github.com/payform/payform/planner"
	"github.com/payform/payform/policy"
)

// signHint says how approvers sign a saved plan.
const signHint = "approvers sign the saved plan file (payform approve PLANFILE --key KEY, or ssh-keygen -Y sign -n payform -f KEY PLANFILE) and put PLANFILE.NAME.sig beside it"

// renderPolicy writes, before the changes, a section per policy that
// governs part of the plan: what it governs, each rule the plan trips
// with its items and amounts, new destinations, notes, and the approvals
// the plan needs.
func (a *app) renderPolicy(w io.Writer, p *planner.Plan) {
	if p.Policy == nil {
		return
	}
	shown := false
	for _, s := range p.Policy.Sections {
		if s.Items == 0 {
			continue
		}
		shown = true
		fmt.Fprintf(w, "%s governs %s: %s\n", a.ios.Paint(bold, "Policy "+s.Policy), count(s.Items, "item"), governed(s))
		for _, l := range s.Lines {
			fmt.Fprintf(w, "  %s %s\n", a.decisionGlyph(l.Decision), l.Text())
		}
		if n := s.NewDestinations; n > 0 && !slices.ContainsFunc(s.Lines, func(l policy.Line) bool { return l.Rule == policy.RuleUnknownDestination }) {
			fmt.Fprintf(w, "  · %s to destinations not in the address book (allowed)\n", count(n, "payout"))
		}
		for _, n := range s.Notes {
			fmt.Fprintf(w, "  · note: %s\n", n)
		}
		if r := s.Approvals; r != nil {
			fmt.Fprintf(w, "  %s %s\n", a.ios.Paint(yellow, "→"), a.ios.Paint(yellow, needsApprovals(r)))
		} else if len(s.Lines) == 0 {
			fmt.Fprintf(w, "  %s every item is within the policy\n", a.ios.Paint(green, "✓"))
		}
	}
	if !shown {
		return
	}
	if len(p.Approvals()) > 0 {
		fmt.Fprintf(w, "Apply needs these approvals: %s.\n", signHint)
	}
	fmt.Fprintln(w)
}

// governed sums a section's totals per account: "0.785 BTC, 1.92 ETH
// through wllxpay".
func governed(s *policy.Section) string {
	var parts []string
	var amounts []string
	flush := func(providers []string) {
		if len(amounts) > 0 {
			parts = append(parts, strings.Join(amounts, ", ")+" through "+strings.Join(providers, ", "))
			amounts = nil
		}
	}
	for i, t := range s.Totals {
		if i > 0 && !slices.Equal(t.Providers, s.Totals[i-1].Providers) {
			flush(s.Totals[i-1].Providers)
		}
		amounts = append(amounts, money.Format(t.Amount, t.Currency)+" "+t.Currency)
	}
	if n := len(s.Totals); n > 0 {
		flush(s.Totals[n-1].Providers)
	}
	return strings.Join(parts, "; ")
}

// needsApprovals says what a requirement asks for: "needs 2 approvals
// from allowed_signers (per_item, unknown_destination; 2 items)".
func needsApprovals(r *policy.Requirement) string {
	return fmt.Sprintf("needs %s from %s (%s; %s)", count(r.Required, "approval"), r.SignersFile, ruleList(r.Rules), count(r.Items, "item"))
}

func ruleList(rs []policy.Rule) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

func (a *app) decisionGlyph(d policy.Decision) string {
	switch d {
	case policy.Refuse:
		return a.ios.Paint(red, "✗")
	case policy.Approve:
		return a.ios.Paint(yellow, "!")
	}
	return "·"
}

// verdictTag marks a change the policies do not simply allow: "
// [needs approval: per_item, always]".
func (a *app) verdictTag(c *planner.Change) string {
	if tag := verdictWords(c); tag != "" {
		return " " + a.ios.Paint(yellow, "["+tag+"]")
	}
	return ""
}

// verdictWords says why a change is not simply allowed, "" when it is.
func verdictWords(c *planner.Change) string {
	v := c.Verdict
	if v == nil || v.Decision == policy.Allow {
		return ""
	}
	var rs []policy.Rule
	for _, f := range v.Findings {
		if f.Decision == v.Decision && !slices.Contains(rs, f.Rule) {
			rs = append(rs, f.Rule)
		}
	}
	what := "needs approval"
	if v.Decision == policy.Refuse {
		what = "refused"
	}
	return what + ": " + ruleList(rs)
}

// renderFunding writes what the plan sends against what each account
// holds, and one line per account whose balances payform cannot read.
func (a *app) renderFunding(w io.Writer, p *planner.Plan) {
	f := p.Funding
	if f == nil || len(f.Lines)+len(f.Unchecked) == 0 {
		return
	}
	fmt.Fprintln(w, "Balances:")
	if len(f.Lines) > 0 {
		tb := newTable("  ", left, left, right, decimalPoint, decimalPoint)
		tb.row("PROVIDER", "CURRENCY", "PAYOUTS", "SENDS", "AVAILABLE")
		for _, l := range f.Lines {
			avail := money.FormatString(l.Available.String(), l.Currency)
			if !l.Reported {
				avail = "not reported"
			}
			tb.row(strings.Join(l.Providers, ", "), l.Currency, fmt.Sprint(l.Items), money.Format(l.Sends, l.Currency), avail)
		}
		tb.write(w)
	}
	for _, u := range f.Unchecked {
		fmt.Fprintf(w, "  %s\n", u.Text())
	}
	fmt.Fprintln(w)
}

// writeMarkdownPolicy writes the policy sections of a pull-request
// comment, before everything but its title.
func writeMarkdownPolicy(b *strings.Builder, p *planner.Plan) {
	if p.Policy == nil {
		return
	}
	for _, s := range p.Policy.Sections {
		if s.Items == 0 {
			continue
		}
		verdict := "within the policy"
		switch {
		case s.Approvals != nil:
			verdict = mdEscape(needsApprovals(s.Approvals))
		case len(s.Lines) > 0:
			verdict = "rules tripped"
		}
		fmt.Fprintf(b, "**Policy `%s`: %s.** It governs %s: %s.\n\n", mdCode(s.Policy), verdict, count(s.Items, "item"), mdEscape(governed(s)))
		for _, l := range s.Lines {
			mark := "·"
			switch l.Decision {
			case policy.Refuse:
				mark = "⛔"
			case policy.Approve:
				mark = "⚠️"
			}
			fmt.Fprintf(b, "- %s %s\n", mark, mdEscape(l.Text()))
		}
		if n := s.NewDestinations; n > 0 && !slices.ContainsFunc(s.Lines, func(l policy.Line) bool { return l.Rule == policy.RuleUnknownDestination }) {
			fmt.Fprintf(b, "- · %s to destinations not in the address book (allowed)\n", count(n, "payout"))
		}
		for _, n := range s.Notes {
			fmt.Fprintf(b, "- · note: %s\n", mdEscape(n))
		}
		if len(s.Lines)+len(s.Notes) > 0 || s.NewDestinations > 0 {
			b.WriteString("\n")
		}
	}
	if len(p.Approvals()) > 0 {
		b.WriteString("> [!IMPORTANT]\n> Apply needs these approvals: approvers sign the saved plan file with `payform approve PLANFILE --key KEY` or `ssh-keygen -Y sign -n payform -f KEY PLANFILE`, and push `PLANFILE.NAME.sig` beside it. The plan's author cannot approve it.\n\n")
	}
}

// writeMarkdownFunding writes the balances line of a pull-request
// comment.
func writeMarkdownFunding(b *strings.Builder, p *planner.Plan) {
	f := p.Funding
	if f == nil || len(f.Lines)+len(f.Unchecked) == 0 {
		return
	}
	var parts []string
	for _, l := range f.Lines {
		avail := money.FormatString(l.Available.String(), l.Currency) + " available"
		if !l.Reported {
			avail = "balance not reported"
		}
		parts = append(parts, fmt.Sprintf("%s %s %s of %s", mdEscape(strings.Join(l.Providers, ", ")), money.Format(l.Sends, l.Currency), l.Currency, avail))
	}
	for _, u := range f.Unchecked {
		parts = append(parts, mdEscape(u.Text()))
	}
	fmt.Fprintf(b, "**Balances:** %s.\n\n", strings.Join(parts, "; "))
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// jsonPolicy is a plan's "policy" member in show --json: a section per
// policy and the approvals the plan needs (docs/json-format.md).
type jsonPolicy struct {
	Sections  []*policy.Section     `json:"sections"`
	Approvals []*policy.Requirement `json:"approvals"`
}

func toJSONPolicy(p *planner.Policy) *jsonPolicy {
	if p == nil {
		return nil
	}
	out := &jsonPolicy{Sections: p.Sections, Approvals: p.Approvals}
	if out.Sections == nil {
		out.Sections = []*policy.Section{}
	}
	if out.Approvals == nil {
		out.Approvals = []*policy.Requirement{}
	}
	return out
}

// jsonApprovalStatus is what show --json PLANFILE found of one
// requirement's approvals.
type jsonApprovalStatus struct {
	Policy string `json:"policy"`
	OK     bool   `json:"ok"`
	*approval.Report
}

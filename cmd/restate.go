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

// restateDestinations bounds the new destinations the prompt names.
const restateDestinations = 5

// restateMoney says, right before apply asks for "yes", what the answer
// moves: the totals per currency of what is sent and invoiced, what may
// be sent again, the destinations never paid before, what the policies
// and the balances say. The plan above may be long; this is what the
// answer is about.
func (a *app) restateMoney(w io.Writer, p *planner.Plan) {
	type key struct {
		kind     providers.Kind
		action   planner.Action
		currency string
	}
	type sum struct {
		items     int
		amount    decimal.Decimal
		providers []string
	}
	sums := map[key]*sum{}
	var keys []key
	for _, t := range p.Summary.Totals {
		if t.Action != planner.Create && t.Action != planner.Resolve {
			continue
		}
		k := key{t.Kind, t.Action, t.Currency}
		s := sums[k]
		if s == nil {
			s = &sum{}
			sums[k] = s
			keys = append(keys, k)
		}
		s.items += t.Count
		s.amount = s.amount.Add(t.Amount)
		s.providers = append(s.providers, t.Provider)
	}
	sort.SliceStable(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.action != b.action {
			return a.action == planner.Create
		}
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		return a.currency < b.currency
	})
	fmt.Fprintln(w, a.ios.Paint(bold, "This apply moves:"))
	if len(keys) == 0 {
		fmt.Fprintln(w, "  no money: it only records what the gateways report, adopts, restores or forgets")
	}
	for _, k := range keys {
		s := sums[k]
		what := verb(k.kind)
		noun := string(k.kind)
		if k.action == planner.Resolve {
			what = "may " + what + " again"
			noun += " in doubt"
		}
		fmt.Fprintf(w, "  %s %s %s in %s through %s\n", what, money.Format(s.amount, k.currency), k.currency, count(s.items, noun), strings.Join(s.providers, ", "))
	}
	if n := p.Summary.NewDestinations; n > 0 {
		sample := p.Summary.NewDestinationSample[:min(len(p.Summary.NewDestinationSample), restateDestinations)]
		more := ""
		if n > len(sample) {
			more = fmt.Sprintf(" and %d more", n-len(sample))
		}
		fmt.Fprintf(w, "  to %s never paid before from this state: %s%s\n", count(n, "destination"), strings.Join(sample, ", "), more)
	}
	if p.Policy != nil {
		for _, s := range p.Policy.Sections {
			if s.Items == 0 {
				continue
			}
			var said []string
			for _, l := range s.Lines {
				said = append(said, l.Text())
			}
			if n := s.NewDestinations; n > 0 && len(said) == 0 {
				said = append(said, count(n, "payout")+" to destinations not in the address book (allowed)")
			}
			if len(said) == 0 {
				said = append(said, "every item is within it")
			}
			fmt.Fprintf(w, "  policy %s (%s): %s\n", s.Policy, count(s.Items, "item"), strings.Join(said, "; "))
		}
	}
	if f := p.Funding; f != nil {
		for _, l := range f.Lines {
			if l.Reported {
				fmt.Fprintf(w, "  %s holds %s %s for the %s %s it sends\n", strings.Join(l.Providers, ", "), money.FormatString(l.Available.String(), l.Currency), l.Currency, money.Format(l.Sends, l.Currency), l.Currency)
			}
		}
		for _, u := range f.Unchecked {
			fmt.Fprintf(w, "  %s\n", u.Text())
		}
	}
	fmt.Fprintln(w)
}

package report

import (
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
)

// maxChartDays bounds a chart's span of days; a longer span shows only
// the days that have something.
const maxChartDays = 400

// Money flows: what an item's amount counts as, dated by its own event.
const (
	flowSent      = "sent"      // a payout the gateway accepted, when it did
	flowInvoiced  = "invoiced"  // an invoice created, when it was
	flowPaid      = "paid"      // an invoice first seen paid or overpaid, when it was
	flowUnderpaid = "underpaid" // an invoice underpaid now, first seen so then
)

type flow struct {
	what string
	at   time.Time
}

// flows are the money flows of the item's amount that fall in p. Items in
// doubt or refused move no money that payform knows of.
func (it *Item) flows(p Period) []flow {
	if it.Amount == "" || it.Category == CategoryRefused || it.Category == CategoryInDoubt {
		return nil
	}
	var out []flow
	add := func(what string, at time.Time) {
		if p.Contains(at) {
			out = append(out, flow{what, at})
		}
	}
	switch providers.Kind(it.Kind) {
	case providers.Payout:
		add(flowSent, it.madeAt())
	case providers.Invoice:
		add(flowInvoiced, it.madeAt())
		if at, ok := it.reachedAt(providers.StatusPaid, providers.StatusOverpaid); ok {
			add(flowPaid, at)
		}
		if at, ok := it.reachedAt(providers.StatusUnderpaid); ok && it.Status == string(providers.StatusUnderpaid) {
			add(flowUnderpaid, at)
		}
	}
	return out
}

// currencyTotals sums the ledger's flows per currency and day. Only
// flows inside the period count.
func currencyTotals(ledger []*Item, p Period) []CurrencyTotals {
	byCode := map[string]*CurrencyTotals{}
	days := map[string]map[string]*DayTotals{} // currency → day → totals
	get := func(code string) *CurrencyTotals {
		c := byCode[code]
		if c == nil {
			c = &CurrencyTotals{Currency: code}
			byCode[code] = c
			days[code] = map[string]*DayTotals{}
		}
		return c
	}
	dayOf := func(code string, t time.Time) *DayTotals {
		d := days[code][day(t)]
		if d == nil {
			d = &DayTotals{Day: day(t)}
			days[code][d.Day] = d
		}
		return d
	}
	for _, it := range ledger {
		if it.Amount == "" || it.Currency == "" {
			continue
		}
		if it.Kind == string(providers.Payout) && it.Category == CategoryInDoubt && p.Contains(it.At) {
			get(it.Currency).InDoubt.add(it.amount)
		}
		for _, f := range it.flows(p) {
			c := get(it.Currency)
			d := dayOf(it.Currency, f.at)
			switch f.what {
			case flowSent:
				c.Sent.add(it.amount)
				d.Sent.add(it.amount)
				switch providers.Status(it.Status) {
				case providers.StatusConfirmed:
					c.Confirmed.add(it.amount)
				case providers.StatusFailed, providers.StatusCancelled:
					c.Lost.add(it.amount)
				}
			case flowInvoiced:
				c.Invoiced.add(it.amount)
				d.Invoiced.add(it.amount)
			case flowPaid:
				c.Paid.add(it.amount)
				d.Paid.add(it.amount)
			case flowUnderpaid:
				c.Underpaid.add(it.amount)
			}
		}
	}
	codes := make([]string, 0, len(byCode))
	for code := range byCode {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	out := make([]CurrencyTotals, 0, len(codes))
	for _, code := range codes {
		c := byCode[code]
		c.Days = daySpan(days[code], p)
		c.Chart = newChart(c.Currency, c.Days)
		out = append(out, *c)
	}
	return out
}

// daySpan lists every day from the period's first (or the first with
// totals) to its last (or the last with totals), zeros included, unless
// that is more than maxChartDays: then only the days with totals.
func daySpan(have map[string]*DayTotals, p Period) []DayTotals {
	if len(have) == 0 {
		return nil
	}
	keys := make([]string, 0, len(have))
	for k := range have {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	first, _ := time.Parse(time.DateOnly, keys[0])
	last, _ := time.Parse(time.DateOnly, keys[len(keys)-1])
	if !p.Since.IsZero() {
		first = p.Since.UTC().Truncate(24 * time.Hour)
	}
	if !p.Until.IsZero() {
		last = p.Until.UTC().Add(-time.Nanosecond).Truncate(24 * time.Hour)
	}
	if n := int(last.Sub(first).Hours()/24) + 1; n > maxChartDays || n < 1 {
		out := make([]DayTotals, len(keys))
		for i, k := range keys {
			out[i] = *have[k]
		}
		return out
	}
	var out []DayTotals
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		if t := have[day(d)]; t != nil {
			out = append(out, *t)
		} else {
			out = append(out, DayTotals{Day: day(d)})
		}
	}
	return out
}

// statusRows counts the ledger by kind and status, kinds in the order
// payouts, invoices, deposit addresses, statuses by count.
func statusRows(ledger []*Item) []StatusRow {
	type key struct{ kind, status string }
	rows := map[key]*StatusRow{}
	sums := map[key]map[string]decimal.Decimal{}
	perKind := map[string]int{}
	for _, it := range ledger {
		k := key{it.Kind, it.Status}
		r := rows[k]
		if r == nil {
			r = &StatusRow{Kind: it.Kind, Status: it.Status, Category: it.Category}
			rows[k] = r
			sums[k] = map[string]decimal.Decimal{}
		}
		r.Count++
		perKind[it.Kind]++
		if it.Amount != "" {
			sums[k][it.Currency] = sums[k][it.Currency].Add(it.amount)
		}
	}
	out := make([]StatusRow, 0, len(rows))
	for k, r := range rows {
		r.Amounts = moneyList(sums[k])
		r.Share = r.Count * 100 / perKind[k.kind]
		out = append(out, *r)
	}
	rank := map[string]int{string(providers.Payout): 0, string(providers.Invoice): 1, string(providers.DepositAddress): 2}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		ra, oka := rank[a.Kind]
		rb, okb := rank[b.Kind]
		switch {
		case a.Kind != b.Kind && oka && okb:
			return ra < rb
		case a.Kind != b.Kind:
			return oka || (!okb && a.Kind < b.Kind)
		case a.Count != b.Count:
			return a.Count > b.Count
		}
		return a.Status < b.Status
	})
	return out
}

// providerRows totals the ledger's items and flows in p per provider
// block.
func providerRows(ledger []*Item, p Period) []ProviderRow {
	type acc struct {
		row                  ProviderRow
		kinds                map[string]int
		sent, invoiced, paid map[string]decimal.Decimal
	}
	byName := map[string]*acc{}
	for _, it := range ledger {
		a := byName[it.Provider]
		if a == nil {
			a = &acc{row: ProviderRow{Provider: it.Provider, Gateway: it.Gateway}, kinds: map[string]int{},
				sent: map[string]decimal.Decimal{}, invoiced: map[string]decimal.Decimal{}, paid: map[string]decimal.Decimal{}}
			byName[it.Provider] = a
		}
		a.row.Items++
		a.kinds[it.Kind]++
		if it.Category != "" {
			a.row.Attention++
		}
		for _, f := range it.flows(p) {
			switch f.what {
			case flowSent:
				a.sent[it.Currency] = a.sent[it.Currency].Add(it.amount)
			case flowInvoiced:
				a.invoiced[it.Currency] = a.invoiced[it.Currency].Add(it.amount)
			case flowPaid:
				a.paid[it.Currency] = a.paid[it.Currency].Add(it.amount)
			}
		}
	}
	out := make([]ProviderRow, 0, len(byName))
	for _, a := range byName {
		r := a.row
		for k, n := range a.kinds {
			r.Kinds = append(r.Kinds, KindCount{k, n})
		}
		sort.Slice(r.Kinds, func(i, j int) bool { return r.Kinds[i].Kind > r.Kinds[j].Kind }) // payout, invoice, deposit_address
		r.Sent, r.Invoiced, r.Paid = moneyList(a.sent), moneyList(a.invoiced), moneyList(a.paid)
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Provider < out[j].Provider })
	return out
}

// moneyList is a currency → amount map as a list sorted by currency.
func moneyList(m map[string]decimal.Decimal) []Money {
	out := make([]Money, 0, len(m))
	for code, d := range m {
		out = append(out, Money{code, d})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Currency < out[j].Currency })
	return out
}

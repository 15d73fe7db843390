package planner

import (
	"math"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/state"
)

// Summary is the money-first digest of a plan: counts per action, totals
// per provider and currency, and the largest items.
type Summary struct {
	Create  int `json:"create"`
	Adopt   int `json:"adopt"`
	Restore int `json:"restore"`
	Resolve int `json:"resolve"`
	Forget  int `json:"forget"`
	NoOp    int `json:"no_op"`
	// Unknown counts in-doubt items only an operator can settle.
	Unknown int `json:"unknown"`
	Drift   int `json:"drift"`
	// Totals per provider, currency and action, for actions that carry an
	// amount (create, adopt, resolve), sorted.
	Totals []Total `json:"totals"`
	// Largest lists the largest creates per currency (at most
	// LargestPerCurrency each), largest first.
	Largest []Item `json:"largest"`
	// NewDestinations counts the payout destinations (address and tag) of
	// this plan that no payout in the state was ever sent to; a reviewer's
	// first question. NewDestinationSample lists the first of them, sorted.
	NewDestinations      int      `json:"new_destinations"`
	NewDestinationSample []string `json:"new_destination_sample"`
	// Invoices sums every invoice per provider and currency: those in
	// state (with the statuses the gateways just reported) and those this
	// plan creates.
	Invoices []InvoiceTotal `json:"invoices"`
}

// InvoiceTotal is what one provider's invoices in one currency amount to.
type InvoiceTotal struct {
	Provider string          `json:"provider"`
	Currency string          `json:"currency"`
	Invoices int             `json:"invoices"`
	Invoiced decimal.Decimal `json:"invoiced"`
	// Paid is what customers paid, in the invoice currency, where the
	// gateway reports it (or the invoiced amount of a paid invoice).
	Paid decimal.Decimal `json:"paid"`
	// PaidUnreported counts the underpaid and overpaid invoices whose
	// gateway does not say how much was paid: Paid holds nothing for an
	// underpaid one and the invoiced amount for an overpaid one, so Paid is
	// a lower bound when this is not 0.
	PaidUnreported int `json:"paid_unreported,omitempty"`
	// ByStatus counts invoices per status; "to create" counts this plan's.
	ByStatus map[string]int `json:"by_status"`
}

// InvoiceTotals sums the invoices in st (with current's statuses where
// given) and those creates adds.
func InvoiceTotals(st *state.State, current map[string]providers.Object, creates []*Change) []InvoiceTotal {
	type key struct{ provider, currency string }
	totals := map[key]*InvoiceTotal{}
	at := func(provider, currency string) *InvoiceTotal {
		k := key{provider, currency}
		t := totals[k]
		if t == nil {
			t = &InvoiceTotal{Provider: provider, Currency: currency, ByStatus: map[string]int{}}
			totals[k] = t
		}
		return t
	}
	st.Each(func(r *state.Resource) {
		if r.Kind != string(providers.Invoice) {
			return
		}
		amount, _ := decimal.NewFromString(r.Amount)
		status, paid := r.Status, r.Remote[providers.ResultPaidAmount]
		if cur, ok := current[r.Address]; ok && cur.Status != "" {
			status = string(cur.Status)
			if p := cur.Fields[providers.ResultPaidAmount]; p != "" {
				paid = p
			}
		}
		t := at(r.Provider, r.Currency)
		t.Invoices++
		t.Invoiced = t.Invoiced.Add(amount)
		t.ByStatus[status]++
		if d, err := decimal.NewFromString(paid); err == nil {
			t.Paid = t.Paid.Add(d)
			return
		}
		switch providers.Status(status) {
		case providers.StatusPaid:
			t.Paid = t.Paid.Add(amount)
		case providers.StatusOverpaid:
			t.Paid = t.Paid.Add(amount)
			t.PaidUnreported++
		case providers.StatusUnderpaid:
			t.PaidUnreported++
		}
	})
	for _, c := range creates {
		if c.Kind != providers.Invoice || c.Action != Create {
			continue
		}
		t := at(c.Provider, c.Currency)
		t.Invoices++
		t.Invoiced = t.Invoiced.Add(c.Amount)
		t.ByStatus["to create"]++
	}
	out := make([]InvoiceTotal, 0, len(totals))
	for _, t := range totals {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Currency != out[j].Currency {
			return out[i].Currency < out[j].Currency
		}
		return out[i].Provider < out[j].Provider
	})
	return out
}

// NewDestinationSampleSize bounds Summary.NewDestinationSample.
const NewDestinationSampleSize = 20

// Total is the sum of one action's amounts at one provider in one currency.
type Total struct {
	Kind     providers.Kind  `json:"kind"`
	Provider string          `json:"provider"`
	Currency string          `json:"currency"`
	Action   Action          `json:"action"`
	Count    int             `json:"count"`
	Amount   decimal.Decimal `json:"amount"`
}

// Item is one change in a summary list.
type Item struct {
	Address  string          `json:"address"`
	Provider string          `json:"provider"`
	Amount   decimal.Decimal `json:"amount"`
	Currency string          `json:"currency"`
}

// LargestPerCurrency bounds Summary.Largest per currency.
const LargestPerCurrency = 3

// summarize sums the plan up; known gives the destinations the state
// has sent to, asked for once, when the plan sends a payout.
func summarize(p *Plan, noops, manual int, known func() map[dest]bool) Summary {
	s := Summary{NoOp: noops, Unknown: manual, Drift: len(p.Drift), Totals: []Total{}, Largest: []Item{}, NewDestinationSample: []string{}, Invoices: []InvoiceTotal{}}
	fresh := make(map[dest]bool, len(p.Changes))
	type tkey struct {
		kind               providers.Kind
		provider, currency string
		action             Action
	}
	totals := map[tkey]*Total{}
	sums := map[*Total]*amountSum{}
	var sentTo map[dest]bool
	largest := map[string][]Item{}
	for _, c := range p.Changes {
		switch c.Action {
		case Create:
			s.Create++
		case Adopt:
			s.Adopt++
		case Restore:
			s.Restore++
		case Resolve:
			s.Resolve++
		case Forget:
			s.Forget++
		}
		if c.Action == Forget || c.Action == Restore || c.Currency == "" || c.Kind == providers.DepositAddress {
			continue // no money moves
		}
		k := tkey{c.Kind, c.Provider, c.Currency, c.Action}
		t := totals[k]
		if t == nil {
			t = &Total{Kind: c.Kind, Provider: c.Provider, Currency: c.Currency, Action: c.Action}
			totals[k] = t
			sums[t] = &amountSum{}
		}
		t.Count++
		sums[t].add(c.Amount)
		if c.Action == Create && !c.Amount.IsZero() {
			largest[c.Currency] = keepLargest(largest[c.Currency], Item{Address: c.Address, Provider: c.Provider, Amount: c.Amount, Currency: c.Currency})
		}
		if c.Action == Create && c.Kind == providers.Payout {
			if sentTo == nil {
				sentTo = known()
			}
			if d := destOf(c.Currency, c.Attrs); !sentTo[d] {
				fresh[d] = true
			}
		}
	}
	for _, t := range totals {
		t.Amount = sums[t].value()
		s.Totals = append(s.Totals, *t)
	}
	sort.Slice(s.Totals, func(i, j int) bool {
		a, b := s.Totals[i], s.Totals[j]
		if a.Currency != b.Currency {
			return a.Currency < b.Currency
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Provider != b.Provider {
			return a.Provider < b.Provider
		}
		return a.Action < b.Action
	})
	currencies := make([]string, 0, len(largest))
	for c := range largest {
		currencies = append(currencies, c)
	}
	sort.Strings(currencies)
	for _, c := range currencies {
		s.Largest = append(s.Largest, largest[c]...)
	}
	s.NewDestinations = len(fresh)
	s.NewDestinationSample = firstSorted(fresh, NewDestinationSampleSize)
	return s
}

// firstSorted returns the names of the n first destinations of set,
// sorted, without naming or sorting them all (a batch may bring a
// million new destinations).
func firstSorted(set map[dest]bool, n int) []string {
	out := make([]string, 0, max(0, min(n, len(set))))
	if n <= 0 {
		return out
	}
	for d := range set {
		if len(out) == n && d.compare(out[n-1]) >= 0 {
			continue
		}
		i := sort.Search(len(out), func(i int) bool { return d.compare(out[i]) <= 0 })
		if len(out) < n {
			out = append(out, "")
		}
		copy(out[i+1:], out[i:])
		out[i] = d.String()
	}
	return out
}

// amountSum adds amounts exactly without a big.Int for every addition:
// coefficients at one exponent are added as int64 while they fit, and
// the rest as decimals. Its value equals the sum decimal.Add makes, at the
// same exponent.
type amountSum struct {
	exp   int32
	n     int64
	has   bool
	total decimal.Decimal // the amounts that did not fit
}

func (s *amountSum) add(d decimal.Decimal) {
	if d.NumDigits() <= 18 {
		if !s.has {
			s.exp, s.has = d.Exponent(), true
		}
		if c := d.CoefficientInt64(); d.Exponent() == s.exp && ((c >= 0 && s.n <= math.MaxInt64-c) || (c < 0 && s.n >= math.MinInt64-c)) {
			s.n += c
			return
		}
	}
	s.total = s.total.Add(d)
}

func (s *amountSum) value() decimal.Decimal {
	return s.total.Add(decimal.New(s.n, s.exp))
}

// dest is where a payout goes: a currency's address, and its tag.
type dest struct{ currency, address, tag string }

func destOf(currency string, attrs map[string]string) dest {
	return dest{currency, attrs["address"], attrs["tag"]}
}

// String names the destination: "BTC bc1q...", with " tag N".
func (d dest) String() string {
	s := d.currency + " " + d.address
	if d.tag != "" {
		s += " tag " + d.tag
	}
	return s
}

// compare compares d's String with s, without making it.
func (d dest) compare(s string) int {
	tag := ""
	if d.tag != "" {
		tag = " tag "
	}
	for _, part := range [...]string{d.currency, " ", d.address, tag, d.tag} {
		n := min(len(part), len(s))
		if c := strings.Compare(part[:n], s[:n]); c != 0 {
			return c
		}
		if len(part) > n {
			return 1 // s is a prefix of d's String
		}
		s = s[n:]
	}
	if s != "" {
		return -1
	}
	return 0
}

// knownDestinations lists every payout destination in the state,
// managed or forgotten.
func knownDestinations(st *state.State) map[dest]bool {
	known := make(map[dest]bool, st.Len())
	add := func(r *state.Resource) {
		if r.Kind == string(providers.Payout) {
			known[destOf(r.Currency, r.Attrs)] = true
		}
	}
	st.Each(add)
	for _, r := range st.ForgottenList() {
		add(r)
	}
	return known
}

// keepLargest inserts it into list (largest first, ties by address) and
// keeps at most LargestPerCurrency items.
func keepLargest(list []Item, it Item) []Item {
	i := sort.Search(len(list), func(i int) bool {
		if c := list[i].Amount.Cmp(it.Amount); c != 0 {
			return c < 0
		}
		return list[i].Address > it.Address
	})
	if i >= LargestPerCurrency {
		return list
	}
	list = append(list, Item{})
	copy(list[i+1:], list[i:])
	list[i] = it
	if len(list) > LargestPerCurrency {
		list = list[:LargestPerCurrency]
	}
	return list
}

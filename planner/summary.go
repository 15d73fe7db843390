package planner

import (
	"sort"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
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
}

// Total is the sum of one action's amounts at one provider in one currency.
type Total struct {
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

func summarize(p *Plan, noops, manual int) Summary {
	s := Summary{NoOp: noops, Unknown: manual, Drift: len(p.Drift), Totals: []Total{}, Largest: []Item{}}
	type tkey struct {
		provider, currency string
		action             Action
	}
	totals := map[tkey]*Total{}
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
		k := tkey{c.Provider, c.Currency, c.Action}
		t := totals[k]
		if t == nil {
			t = &Total{Provider: c.Provider, Currency: c.Currency, Action: c.Action}
			totals[k] = t
		}
		t.Count++
		t.Amount = t.Amount.Add(c.Amount)
		if c.Action == Create && !c.Amount.IsZero() {
			largest[c.Currency] = keepLargest(largest[c.Currency], Item{Address: c.Address, Provider: c.Provider, Amount: c.Amount, Currency: c.Currency})
		}
	}
	for _, t := range totals {
		s.Totals = append(s.Totals, *t)
	}
	sort.Slice(s.Totals, func(i, j int) bool {
		a, b := s.Totals[i], s.Totals[j]
		if a.Currency != b.Currency {
			return a.Currency < b.Currency
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
	return s
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

package policy

import (
	"slices"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// Item is one change of a plan that may send money: a create, or a
// resolve that may send again. The planner makes one per change (see
// planner.Change): Address, Kind, Provider, Key, Amount, Currency, and
// for payouts attrs["address"] and attrs["tag"].
type Item struct {
	Address     string
	Kind        providers.Kind
	Provider    string // the provider block's name: "wllxpay" or "wllxpay.eu"
	Key         string
	Amount      decimal.Decimal
	Currency    string
	Destination string // payouts: the address
	Tag         string
	// Resend is set for a resolve: the record already holds the first
	// attempt, which the plan's item replaces in the rolling windows.
	Resend bool
	// Ranges and DeclRange locate the declaration (schema.Resource's),
	// so that a refusal is an error at its attribute.
	Ranges    map[string]hcl.Range
	DeclRange hcl.Range
}

func (it *Item) rangeOf(attr string) *hcl.Range {
	if r, ok := it.Ranges[attr]; ok {
		return &r
	}
	r := it.DeclRange
	return &r
}

// ItemOf returns the item for a declared resource: what a create of it
// sends.
func ItemOf(r *schema.Resource) Item {
	return Item{
		Address: r.Addr.String(), Kind: r.Kind, Provider: r.Provider.Name(), Key: r.Key,
		Amount: r.Amount, Currency: r.Currency, Destination: r.Attrs["address"], Tag: r.Attrs["tag"],
		Ranges: r.Ranges, DeclRange: r.DeclRange,
	}
}

// Sent is one send the record knows: what left, through which provider,
// and when its first attempt was made.
type Sent struct {
	Provider string // the provider block's name when it was sent
	Gateway  string
	Kind     providers.Kind
	Key      string
	Amount   decimal.Decimal
	Currency string
	At       time.Time
	InDoubt  bool
}

// SentFromState lists every send the state records, managed or
// forgotten, settled or in doubt, of the given kinds. A create the
// gateway refused, or that was settled as not created, left nothing and
// is not in the state.
func SentFromState(st *state.State, kinds map[providers.Kind]bool) []Sent {
	if st == nil {
		return nil
	}
	out := make([]Sent, 0, st.Len())
	add := func(r *state.Resource) {
		kind := providers.Kind(r.Kind)
		if !kinds[kind] || r.Amount == "" || !r.CreatedAt.After(time.Time{}) {
			return
		}
		amount, err := decimal.NewFromString(r.Amount)
		if err != nil {
			return
		}
		out = append(out, Sent{Provider: r.Provider, Gateway: r.Gateway, Kind: kind, Key: r.Key,
			Amount: amount, Currency: r.Currency, At: r.CreatedAt, InDoubt: r.InDoubt()})
	}
	st.Each(add)
	for _, r := range st.ForgottenList() {
		add(r)
	}
	return out
}

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

// Input is what Evaluate needs.
type Input struct {
	// Config gives the policies and the providers (their accounts).
	Config *schema.Config
	// Items are the plan's changes that may send money.
	Items []Item
	// State is what rolling windows count, with Sent; nil means nothing
	// was sent before.
	State *state.State
	// Sent are further sends the state does not hold (e.g. from another
	// workspace of the same accounts); usually nil.
	Sent []Sent
	Now  time.Time
}

package policy

import (
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
	// Decl is the declaration the item comes from, nil for a change read
	// from a plan file: a refusal is an error at its attribute. (A
	// pointer rather than its ranges, as a plan's items are 100,000.)
	Decl *schema.Resource
}

func (it *Item) rangeOf(attr string) *hcl.Range {
	if it.Decl == nil {
		return &hcl.Range{}
	}
	if r, ok := it.Decl.Ranges[attr]; ok {
		return &r
	}
	r := it.Decl.DeclRange
	return &r
}

// ItemOf returns the item for a declared resource: what a create of it
// sends.
func ItemOf(r *schema.Resource) Item {
	return Item{
		Address: r.Addr.String(), Kind: r.Kind, Provider: r.Provider.Name(), Key: r.Key,
		Amount: r.Amount, Currency: r.Currency, Destination: r.Attrs["address"], Tag: r.Attrs["tag"], Decl: r,
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

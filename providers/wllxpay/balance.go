package wllxpay

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers"
)

var _ providers.Balancer = (*provider)(nil)

// accountsList is the v2 accounts/list answer: {"data":[...]}.
type accountsList struct {
	_    struct{}         `undocumented:"CoinsPaid's v2 POST /api/v2/accounts/list (docs.cryptoprocessing.com List balances; coinspaid/docs api-reference.md), called only with v2_lookup = true" absent:"without v2_lookup, or when the call fails, the plan says funding was not checked"`
	Data []accountBalance `json:"data"`
}

// accountBalance is one entry of the v2 accounts/list answer.
type accountBalance struct {
	_        struct{}             `undocumented:"CoinsPaid's v2 accounts/list entries: currency, type (crypto or fiat), balance (a decimal string, a number in one rendering)" absent:"a currency the answer does not list is unknown, never zero"`
	Currency providers.FlexString `json:"currency"`
	Type     providers.FlexString `json:"type"`
	Balance  providers.FlexString `json:"balance"`
}

// Balances reads the account's balances through CoinsPaid's v2
// POST accounts/list (an empty, signed JSON object; every currency's
// balance, zero ones included), when the provider block sets v2_lookup =
// true: the same opt-in as the v2 lookup, since WllxPay documents v2 only
// in passing. Without it, Balances returns providers.ErrUnsupported.
//
// An answer payform cannot read exactly (a balance that is not a plain
// non-negative decimal, a currency listed twice) is an error, never a
// guess.
func (p *provider) Balances(ctx context.Context) (map[string]decimal.Decimal, error) {
	if !p.v2Lookup {
		return nil, providers.ErrUnsupported
	}
	const op = "accounts/list"
	var out accountsList
	if err := p.c.do(ctx, "POST", p.c.v2Base()+"/accounts/list", op, struct{}{}, &out); err != nil {
		return nil, err
	}
	bad := func(format string, args ...any) error {
		return &providers.Error{Class: providers.Ambiguous, Gateway: gatewayName, Op: op, Message: fmt.Sprintf(format, args...)}
	}
	balances := make(map[string]decimal.Decimal, len(out.Data))
	for _, a := range out.Data {
		code := string(a.Currency)
		if code == "" {
			return nil, bad("a balance names no currency")
		}
		if _, dup := balances[code]; dup {
			return nil, bad("the answer lists %s twice", code)
		}
		d, err := money.ParseAmount(string(a.Balance))
		if err != nil || d.IsNegative() {
			return nil, bad("the %s balance %q is not a decimal amount", code, string(a.Balance))
		}
		balances[code] = d
	}
	return balances, nil
}

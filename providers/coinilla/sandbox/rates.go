package sandbox

import (
	"fmt"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
)

// satoshiPerBTC is 10^8.
var satoshiPerBTC = decimal.New(1, 8)

// maxSatoshi is every bitcoin there will ever be; no invoice is larger.
const maxSatoshi = 21_000_000 * 100_000_000

// DefaultRates is the sandbox's fixed table of fiat prices of one BTC
// for every currency Coinilla documents. It never moves, so that satoshi
// amounts are reproducible.
func DefaultRates() map[string]decimal.Decimal {
	return map[string]decimal.Decimal{
		"USD": decimal.NewFromInt(60_000),
		"EUR": decimal.NewFromInt(55_000),
		"GBP": decimal.NewFromInt(47_000),
		"CHF": decimal.NewFromInt(53_000),
		"CNY": decimal.NewFromInt(430_000),
		"JPY": decimal.NewFromInt(9_000_000),
		"INR": decimal.NewFromInt(5_000_000),
		"RUB": decimal.NewFromInt(5_500_000),
	}
}

// Currencies returns the documented invoice currencies, sorted.
func Currencies() []string {
	out := []string{"BTC"}
	for code := range DefaultRates() {
		out = append(out, code)
	}
	sort.Strings(out)
	return out
}

// mergeRates returns the defaults overridden by set.
func mergeRates(set map[string]decimal.Decimal) (map[string]decimal.Decimal, error) {
	rates := DefaultRates()
	for code, r := range set {
		if _, ok := rates[code]; !ok {
			return nil, fmt.Errorf("rate for %q: Coinilla's fiat currencies are %v", code, Currencies()[1:])
		}
		if !r.IsPositive() {
			return nil, fmt.Errorf("rate for %s is %s; want a price of one BTC above zero", code, r)
		}
		rates[code] = r
	}
	return rates, nil
}

// currency looks up a documented invoice currency.
func (e *Emulator) currency(code string) (money.Currency, bool) {
	if _, ok := e.rates[code]; !ok && code != "BTC" {
		return money.Currency{}, false
	}
	return money.Lookup(code)
}

// toSatoshi converts an amount in code to satoshi: exactly for BTC,
// rounded up at the rate for fiat, so that the merchant never gets less
// than the price. ok is false when the result is past maxSatoshi.
func (e *Emulator) toSatoshi(amount decimal.Decimal, code string) (sat int64, ok bool) {
	s := amount.Mul(satoshiPerBTC)
	if code != "BTC" {
		q, r := s.QuoRem(e.rates[code], 0) // exact: q whole, r the rest
		if r.Sign() > 0 {
			q = q.Add(decimal.NewFromInt(1))
		}
		s = q
	}
	if s.GreaterThan(decimal.NewFromInt(maxSatoshi)) {
		return 0, false
	}
	return s.IntPart(), true
}

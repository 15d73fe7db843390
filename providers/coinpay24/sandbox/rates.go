package sandbox

import (
	"sort"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
)

// usdRates is the sandbox's fixed exchange-rate table: the price of one
// unit of each currency in US dollars. Every price currency the emulator
// takes is here; the crypto ones are also the pay currencies. The rates
// never move, so that pay amounts are reproducible.
var usdRates = map[string]decimal.Decimal{
	"USD":   decimal.RequireFromString("1"),
	"EUR":   decimal.RequireFromString("1.08"),
	"GBP":   decimal.RequireFromString("1.27"),
	"BTC":   decimal.RequireFromString("60000"),
	"BCH":   decimal.RequireFromString("400"),
	"LTC":   decimal.RequireFromString("80"),
	"DOGE":  decimal.RequireFromString("0.16"),
	"ETH":   decimal.RequireFromString("3000"),
	"TRX":   decimal.RequireFromString("0.125"),
	"USDT":  decimal.RequireFromString("1"),
	"USDTE": decimal.RequireFromString("1"),
	"USDTT": decimal.RequireFromString("1"),
	"USDTB": decimal.RequireFromString("1"),
	"USDC":  decimal.RequireFromString("1"),
	"DAI":   decimal.RequireFromString("1"),
}

// Rates returns a copy of the exchange-rate table (USD per unit).
func Rates() map[string]decimal.Decimal {
	out := make(map[string]decimal.Decimal, len(usdRates))
	for k, v := range usdRates {
		out[k] = v
	}
	return out
}

// PriceCurrencies returns the currencies an invoice may be priced in,
// sorted.
func PriceCurrencies() []string {
	out := make([]string, 0, len(usdRates))
	for code := range usdRates {
		out = append(out, code)
	}
	sort.Strings(out)
	return out
}

// priceCurrency looks up a currency invoices may be priced in.
func priceCurrency(code string) (money.Currency, bool) {
	if _, ok := usdRates[code]; !ok {
		return money.Currency{}, false
	}
	return money.Lookup(code)
}

// payCurrency looks up a crypto currency the shopper may pay in.
func payCurrency(code string) (money.Currency, bool) {
	cur, ok := priceCurrency(code)
	return cur, ok && !cur.Fiat
}

// convert returns amount of from in to, rounded up to to's precision, so
// that the merchant never receives less than the price.
func convert(amount decimal.Decimal, from, to money.Currency) decimal.Decimal {
	if from.Code == to.Code {
		return amount
	}
	usd := amount.Mul(usdRates[from.Code])
	q, r := usd.QuoRem(usdRates[to.Code], to.Precision)
	if r.Sign() > 0 {
		q = q.Add(decimal.New(1, -to.Precision))
	}
	return q
}

// defaultPayCurrency is what a shopper pays in when a payment arrives for
// an invoice not checked out: its price currency if that is crypto,
// else BTC.
func defaultPayCurrency(priceCode string) string {
	if cur, ok := payCurrency(priceCode); ok {
		return cur.Code
	}
	return "BTC"
}

// settlement is the currency the merchant is paid in for an invoice
// priced in price: Options.SettlementCurrency, else the price currency.
func (e *Emulator) settlement(price string) string {
	if e.settleIn != "" {
		return e.settleIn
	}
	return price
}

// settle is what the merchant is credited for price of from, in to: the
// price at the rate table, rounded down to to's precision (the sandbox
// charges no fee).
func settle(price decimal.Decimal, from, to string) decimal.Decimal {
	if from == to {
		return price
	}
	f, _ := priceCurrency(from)
	t, _ := priceCurrency(to)
	q, _ := price.Mul(usdRates[f.Code]).QuoRem(usdRates[t.Code], t.Precision)
	return q
}

package money

import (
	"strings"

	"github.com/shopspring/decimal"
)

// Format is an amount as a person reads it: the integer part grouped in
// thousands ("169,395.64"), the decimal places as written in the
// configuration ("120.50" stays 120.50) and at least the cents of a fiat
// currency or of a token pegged to one ("100" USD reads "100.00"). Machine
// output (JSON, CSV, the state) keeps decimal.Decimal's plain String.
func Format(d decimal.Decimal, currency string) string {
	places := -d.Exponent()
	if places < 0 {
		places = 0
	}
	if c, ok := Lookup(currency); ok && (c.Fiat || c.Stable) {
		places = max(places, min(2, c.Precision))
	}
	return group(d.StringFixed(places))
}

// FormatString is Format of an amount held as a string (a state record's);
// a string that is not an amount is returned as it is.
func FormatString(s, currency string) string {
	d, err := decimal.NewFromString(s)
	if err != nil || s == "" {
		return s
	}
	return Format(d, currency)
}

// group puts a comma between each three digits of the integer part of a
// plain decimal ("-1234567.5" → "-1,234,567.5").
func group(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if len(whole) <= 3 {
		return sign + s
	}
	var b strings.Builder
	b.Grow(len(s) + len(whole)/3 + 1)
	b.WriteString(sign)
	head := len(whole) % 3
	if head > 0 {
		b.WriteString(whole[:head])
	}
	for i := head; i < len(whole); i += 3 {
		if b.Len() > len(sign) {
			b.WriteByte(',')
		}
		b.WriteString(whole[i : i+3])
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

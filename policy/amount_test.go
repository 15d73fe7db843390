package policy

import (
	"testing"

	"github.com/shopspring/decimal"
)

// amountCases mix exponents, signs, and coefficients around int64's and
// the 18 digits' bounds.
var amountCases = []string{
	"0", "-0", "0.001", "0.0010", "1", "10", "100", "1.5", "1.50", "-2.25", "007", "00.10",
	"0.000000000000000001", "0.00000000000000001", "123456789012345678", "1234567890123456789",
	"999999999999999999", "-999999999999999999", "9223372036854775807", "9223372036854775808",
	"-9223372036854775809", "99999999999999999.9", "1e3", "1E-3", "123456789012345678901234567890.5",
	"0.123456789012345678901234567890",
}

// sameDecimal reports whether a and b are equal decimals at the same
// exponent, as String and the JSON forms print them alike.
func sameDecimal(a, b decimal.Decimal) bool {
	return a.Equal(b) && a.Exponent() == b.Exponent() && a.String() == b.String()
}

// TestParseFixed: an amount read from the state is what
// decimal.NewFromString makes of it, and what it refuses is refused.
func TestParseFixed(t *testing.T) {
	for _, s := range append(amountCases, "", "-", ".", "1.", ".5", "1.2.3", "+1", " 1", "1 ", "abc", "0x10", "--1", "1-") {
		want, werr := decimal.NewFromString(s)
		got, err := parseFixed(s)
		if (err != nil) != (werr != nil) {
			t.Errorf("parseFixed(%q): error %v, decimal.NewFromString's %v", s, err, werr)
			continue
		}
		if err == nil && !sameDecimal(got.decimal(), want) {
			t.Errorf("parseFixed(%q) = %s (exponent %d), want %s (exponent %d)", s, got.decimal(), got.decimal().Exponent(), want, want.Exponent())
		}
	}
}

// TestAmountSum: sums and comparisons equal decimal's, exponent
// included, whatever the order and mix of the amounts.
func TestAmountSum(t *testing.T) {
	var ds []decimal.Decimal
	for _, s := range amountCases {
		ds = append(ds, decimal.RequireFromString(s))
	}
	for i := range ds {
		for j := range ds {
			if got, want := greater(ds[i], ds[j]), ds[i].GreaterThan(ds[j]); got != want {
				t.Errorf("greater(%s, %s) = %v, want %v", ds[i], ds[j], got, want)
			}
			if got, want := cmpFixed(fixedOf(ds[i]), fixedOf(ds[j])), ds[i].Cmp(ds[j]); got != want {
				t.Errorf("cmpFixed(%s, %s) = %d, want %d", ds[i], ds[j], got, want)
			}
			// Pairs, and runs from i of every amount.
			var s amountSum
			want := decimal.Decimal{}
			for _, d := range []decimal.Decimal{ds[i], ds[j]} {
				s.add(d)
				want = want.Add(d)
			}
			if got := s.value(); !sameDecimal(got, want) {
				t.Errorf("%s + %s = %s (exponent %d), want %s (exponent %d)", ds[i], ds[j], got, got.Exponent(), want, want.Exponent())
			}
		}
		var s, f amountSum
		want := decimal.Decimal{}
		for k := range ds {
			d := ds[(i+k)%len(ds)]
			s.add(d)
			f.addFixed(fixedOf(d))
			want = want.Add(d)
			if got := s.value(); !sameDecimal(got, want) {
				t.Fatalf("sum from %d to %d = %s (exponent %d), want %s (exponent %d)", i, (i+k)%len(ds), got, got.Exponent(), want, want.Exponent())
			}
			if got := f.value(); !sameDecimal(got, want) {
				t.Fatalf("addFixed: sum from %d to %d = %s, want %s", i, (i+k)%len(ds), got, want)
			}
		}
	}
	// Many small amounts overflow no coefficient.
	var s amountSum
	want := decimal.Decimal{}
	d := decimal.RequireFromString("900000000000000000")
	for range 30 {
		s.add(d)
		want = want.Add(d)
	}
	if got := s.value(); !sameDecimal(got, want) {
		t.Errorf("30 × %s = %s, want %s", d, got, want)
	}
	var zero amountSum
	if got := zero.value(); !sameDecimal(got, decimal.Decimal{}) {
		t.Errorf("an empty sum is %s (exponent %d), want 0", got, got.Exponent())
	}
}

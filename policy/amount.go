package policy

import (
	"math"

	"github.com/shopspring/decimal"
)

// Amounts are added and compared hundreds of thousands of times per plan
// (totals per account and currency, rolling windows, lines): decimal's
// arithmetic makes a big.Int for each. The helpers here keep to int64
// coefficients while the figures fit, and fall back to decimal
// otherwise; their results equal decimal's, exponent included.

// fixed is an amount as coefficient × 10^exp, or, when the coefficient
// does not fit in 18 digits, as a decimal (big set).
type fixed struct {
	coef int64
	exp  int32
	big  *decimal.Decimal
}

func fixedOf(d decimal.Decimal) fixed {
	if c, ok := smallCoefficient(d); ok {
		return fixed{coef: c, exp: d.Exponent()}
	}
	big := new(decimal.Decimal)
	*big = d
	return fixed{big: big}
}

// smallCoefficient returns d's coefficient when it has at most 18 digits.
func smallCoefficient(d decimal.Decimal) (int64, bool) {
	if d.NumDigits() > 18 {
		return 0, false
	}
	return d.CoefficientInt64(), true
}

// parseFixed reads an amount as decimal.NewFromString does: plain
// [-]digits[.digits] with at most 18 digits are read here, anything else
// (exponents, signs, long figures) by decimal.
func parseFixed(s string) (fixed, error) {
	var (
		coef   int64
		digits int
		frac   = -1 // digits after the point, -1 before one
		neg    bool
	)
	i := 0
	if i < len(s) && s[i] == '-' {
		neg = true
		i++
	}
	plain := i < len(s)
	for ; i < len(s) && plain; i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if digits == 18 {
				plain = false
				break
			}
			coef = coef*10 + int64(c-'0')
			digits++
			if frac >= 0 {
				frac++
			}
		case c == '.' && frac < 0 && digits > 0:
			frac = 0
		default:
			plain = false
		}
	}
	if !plain || digits == 0 || frac == 0 {
		d, err := decimal.NewFromString(s)
		if err != nil {
			return fixed{}, err
		}
		return fixedOf(d), nil
	}
	if neg {
		coef = -coef
	}
	return fixed{coef: coef, exp: int32(-max(frac, 0))}, nil
}

func (f fixed) decimal() decimal.Decimal {
	if f.big != nil {
		return *f.big
	}
	return decimal.New(f.coef, f.exp)
}

// pow10 holds 10^0 to 10^18.
var pow10 = func() [19]int64 {
	var p [19]int64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// scaled returns coef × 10^by, false when it overflows int64.
func scaled(coef int64, by int32) (int64, bool) {
	if by == 0 {
		return coef, true
	}
	if by < 0 || by >= int32(len(pow10)) {
		return 0, false
	}
	m := pow10[by]
	if coef > math.MaxInt64/m || coef < math.MinInt64/m {
		return 0, false
	}
	return coef * m, true
}

// cmpFixed compares a and b.
func cmpFixed(a, b fixed) int {
	if a.big == nil && b.big == nil {
		e := min(a.exp, b.exp)
		x, ok1 := scaled(a.coef, a.exp-e)
		y, ok2 := scaled(b.coef, b.exp-e)
		if ok1 && ok2 {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	}
	return a.decimal().Cmp(b.decimal())
}

// greater reports whether a > b, as a.GreaterThan(b).
func greater(a, b decimal.Decimal) bool { return cmpFixed(fixedOf(a), fixedOf(b)) > 0 }

// amountSum adds amounts exactly: coefficients at one exponent are
// added as int64 while they fit, the rest as decimals. Its value equals
// the sum decimal.Add makes from zero, at the same exponent.
type amountSum struct {
	n    int64
	exp  int32
	has  bool
	rest decimal.Decimal // what did not fit
}

func (s *amountSum) add(d decimal.Decimal) {
	if c, ok := smallCoefficient(d); ok {
		s.addFixed(fixed{coef: c, exp: d.Exponent()})
		return
	}
	s.rest = s.rest.Add(d)
}

func (s *amountSum) addFixed(f fixed) {
	if f.big == nil {
		if !s.has {
			s.n, s.exp, s.has = f.coef, f.exp, true
			return
		}
		if f.exp != s.exp {
			// Keep the smaller exponent, as decimal.Add does.
			if f.exp < s.exp {
				if n, ok := scaled(s.n, s.exp-f.exp); ok {
					s.n, s.exp = n, f.exp
				}
			}
			if c, ok := scaled(f.coef, f.exp-s.exp); ok {
				f.coef, f.exp = c, s.exp
			}
		}
		if f.exp == s.exp && (f.coef >= 0 && s.n <= math.MaxInt64-f.coef || f.coef < 0 && s.n >= math.MinInt64-f.coef) {
			s.n += f.coef
			return
		}
	}
	s.rest = s.rest.Add(f.decimal())
}

func (s *amountSum) value() decimal.Decimal {
	if !s.has {
		return s.rest
	}
	return decimal.New(s.n, s.exp).Add(s.rest)
}

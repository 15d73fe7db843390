package money

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/shopspring/decimal"
)

// MaxAmountDigits bounds the digits of an amount, so that a hostile input
// cannot make payform do arbitrary-precision work. 38 digits cover 10^20
// units at 18 decimals.
const MaxAmountDigits = 38

// Amount parsing errors. Callers turn them into diagnostics.
var (
	ErrAmountSyntax   = errors.New(`must be a plain decimal number such as "12.50" (digits, at most one ".", no sign, exponent or spaces)`)
	ErrAmountTooLong  = fmt.Errorf("has more than %d digits", MaxAmountDigits)
	ErrAmountNotAbove = errors.New("must be greater than zero")
)

// ParseAmount parses a decimal amount exactly. It accepts only
// DIGITS[.DIGITS] with an optional leading "-" (so that a negative amount
// gets the clearer ErrAmountNotAbove); it refuses exponents, NaN, Inf,
// signs elsewhere, spaces and more than MaxAmountDigits digits.
func ParseAmount(s string) (decimal.Decimal, error) {
	body := s
	negative := false
	if len(body) > 0 && body[0] == '-' {
		negative = true
		body = body[1:]
	}
	digits, dots := 0, 0
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && dots == 0 && i > 0 && i < len(body)-1:
			dots++
		default:
			return decimal.Decimal{}, ErrAmountSyntax
		}
	}
	if digits == 0 {
		return decimal.Decimal{}, ErrAmountSyntax
	}
	if digits > MaxAmountDigits {
		return decimal.Decimal{}, ErrAmountTooLong
	}
	d, err := decimal.NewFromString(body)
	if err != nil {
		return decimal.Decimal{}, ErrAmountSyntax
	}
	if negative {
		d = d.Neg()
	}
	return d, nil
}

// ParsePositive parses an amount and requires it to be > 0 and to have no
// more decimal places than the currency allows.
func ParsePositive(s string, cur Currency) (decimal.Decimal, error) {
	d, err := ParseAmount(s)
	if err != nil {
		return d, err
	}
	if !d.IsPositive() {
		return d, ErrAmountNotAbove
	}
	if err := CheckPrecision(d, cur); err != nil {
		return d, err
	}
	return d, nil
}

// PrecisionError says an amount has more decimal places than its currency.
type PrecisionError struct {
	Currency Currency
	Places   int32
}

func (e *PrecisionError) Error() string {
	if e.Currency.Precision == 0 {
		return fmt.Sprintf("has %d decimal places, but %s amounts are whole numbers", e.Places, e.Currency.Code)
	}
	return fmt.Sprintf("has %d decimal places, but %s allows at most %d", e.Places, e.Currency.Code, e.Currency.Precision)
}

// CheckPrecision reports whether d fits the currency's precision. Trailing
// zeros do not count: "0.10000000000" is fine for a 2-place currency.
func CheckPrecision(d decimal.Decimal, cur Currency) error {
	if places := Places(d); places > cur.Precision {
		return &PrecisionError{Currency: cur, Places: places}
	}
	return nil
}

// Places returns the number of significant decimal places of d.
func Places(d decimal.Decimal) int32 {
	exp := d.Exponent()
	if exp >= 0 || d.IsZero() {
		return 0
	}
	c := d.Coefficient() // a copy
	ten := big.NewInt(10)
	q, r := new(big.Int), new(big.Int)
	for exp < 0 {
		q.QuoRem(c, ten, r)
		if r.Sign() != 0 {
			break
		}
		c, q = q, c
		exp++
	}
	return -exp
}

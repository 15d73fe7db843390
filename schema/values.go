package schema

import (
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/shopspring/decimal"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/payform/payform/money"
)

// evalString evaluates an attribute that must be a string (numbers and
// bools convert). ok is false when there is no usable value: an error was
// reported, or the value depends on one that failed earlier (unknown).
// When storable, a value derived from a sensitive variable is refused,
// because it would end up in state and plans.
func (l *loader) evalString(a *hcl.Attribute, ctx *hcl.EvalContext, storable bool, inst string) (string, bool) {
	s, set, ok := l.evalOptionalString(a, ctx, storable, inst)
	if ok && !set {
		l.errorf(a.Expr.Range().Ptr(), "Missing value", "%s%s must not be null.", prefix(inst), a.Name)
		return "", false
	}
	return s, ok && set
}

// instString is evalString for an attribute of a resource instance.
func (l *loader) instString(in *instance, a *hcl.Attribute, storable bool, name string) (string, bool) {
	if l.missingColumn(in, a) {
		return "", false
	}
	if s, ok := in.plainString(a); ok {
		return s, true
	}
	return l.evalString(a, in.evalContext(), storable, name)
}

// instOptionalString is evalOptionalString for an attribute of a
// resource instance.
func (l *loader) instOptionalString(in *instance, a *hcl.Attribute, storable bool, name string) (s string, set, ok bool) {
	if l.missingColumn(in, a) {
		return "", false, false
	}
	if s, ok := in.plainString(a); ok {
		return s, true, true
	}
	return l.evalOptionalString(a, in.evalContext(), storable, name)
}

// instAmount is evalAmount for an attribute of a resource instance.
func (l *loader) instAmount(in *instance, a *hcl.Attribute, name string) (decimal.Decimal, bool) {
	if l.missingColumn(in, a) {
		return decimal.Decimal{}, false
	}
	if s, ok := in.plainString(a); ok {
		return l.amountText(s, false, a.Expr.Range(), name)
	}
	return l.evalAmount(a, in.evalContext(), name)
}

// evalOptionalString is evalString where null means "not set". inst names
// the resource instance in messages ("" outside resources).
func (l *loader) evalOptionalString(a *hcl.Attribute, ctx *hcl.EvalContext, storable bool, inst string) (s string, set, ok bool) {
	val, diags := eval(a.Expr, ctx)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() || !val.IsWhollyKnown() {
		return "", false, false
	}
	if val.ContainsMarked() {
		if storable {
			l.errorf(a.Expr.Range().Ptr(), "Sensitive value in "+a.Name,
				"%s%s is derived from a sensitive variable, and it would be written to the state and to plans. Only provider credentials may use sensitive values.", prefix(inst), a.Name)
			return "", false, false
		}
		val, _ = val.UnmarkDeep()
	}
	if val.IsNull() {
		return "", false, true
	}
	sv, err := convert.Convert(val, cty.String)
	if err != nil {
		l.errorf(a.Expr.Range().Ptr(), "Invalid "+a.Name, "%s%s must be a string, not %s.", prefix(inst), a.Name, val.Type().FriendlyName())
		return "", false, false
	}
	return sv.AsString(), true, true
}

// evalAmount evaluates an amount: a string such as "0.0150" or a number,
// converted through cty's exact string form to a decimal. Exponents, NaN,
// infinities, signs and more than money.MaxAmountDigits digits are
// refused. The precision check needs the currency and happens later.
func (l *loader) evalAmount(a *hcl.Attribute, ctx *hcl.EvalContext, inst string) (decimal.Decimal, bool) {
	val, diags := eval(a.Expr, ctx)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() || !val.IsWhollyKnown() {
		return decimal.Decimal{}, false
	}
	return l.amountOf(val, a.Expr.Range(), inst)
}

// amountOf checks an evaluated amount written at rng.
func (l *loader) amountOf(val cty.Value, rng hcl.Range, inst string) (decimal.Decimal, bool) {
	if val.ContainsMarked() {
		l.errorf(rng.Ptr(), "Sensitive value in amount", "%samount is derived from a sensitive variable; amounts are stored in the state and in plans.", prefix(inst))
		return decimal.Decimal{}, false
	}
	var text string
	switch {
	case val.IsNull():
		l.errorf(rng.Ptr(), "Missing amount", "%samount must not be null.", prefix(inst))
		return decimal.Decimal{}, false
	case val.Type() == cty.Number:
		bf := val.AsBigFloat()
		if bf.IsInf() {
			l.errorf(rng.Ptr(), "Invalid amount", "%samount is infinite.", prefix(inst))
			return decimal.Decimal{}, false
		}
		if exp := bf.MantExp(nil); exp > 200 || exp < -200 {
			l.errorf(rng.Ptr(), "Invalid amount", "%samount %s is out of range: an amount has at most %d digits.", prefix(inst), bf.Text('g', 10), money.MaxAmountDigits)
			return decimal.Decimal{}, false
		}
		text = bf.Text('f', -1)
	case val.Type() == cty.String:
		text = val.AsString()
	default:
		l.errorf(rng.Ptr(), "Invalid amount", "%samount must be a decimal string such as \"12.50\" or a number, not %s.", prefix(inst), val.Type().FriendlyName())
		return decimal.Decimal{}, false
	}
	return l.amountText(text, val.Type() == cty.Number, rng, inst)
}

// amountText parses an amount's text (number says it was a number,
// written in full), as amountOf does.
func (l *loader) amountText(text string, number bool, rng hcl.Range, inst string) (decimal.Decimal, bool) {
	d, err := money.ParseAmount(text)
	if err != nil {
		hint := ""
		if number && err == money.ErrAmountTooLong {
			hint = " Arithmetic on numbers is binary floating point and rarely exact: write the amount as a decimal string such as \"0.1\"."
		}
		l.errorf(rng.Ptr(), "Invalid amount", "%samount %s %s.%s", prefix(inst), quote(text), err, hint)
		return decimal.Decimal{}, false
	}
	if !d.IsPositive() {
		l.errorf(rng.Ptr(), "Invalid amount", "%samount %s %s.", prefix(inst), quote(text), money.ErrAmountNotAbove)
		return decimal.Decimal{}, false
	}
	return d, true
}

// prefix renders "payout.x["k"]: " for messages about one instance,
// shortening a very long instance key.
func prefix(inst string) string {
	const max = 200
	if inst == "" {
		return ""
	}
	if len(inst) > max {
		return truncate(inst, max) + "…(" + strconv.Itoa(len(inst)) + " bytes): "
	}
	return inst + ": "
}

// quote quotes s for a message, shortening very long values.
func quote(s string) string {
	const max = 80
	if len(s) > max {
		return strconv.Quote(truncate(s, max)) + "…(" + strconv.Itoa(len(s)) + " bytes)"
	}
	return strconv.Quote(s)
}

// stringOf converts a value to a string (numbers and bools convert).
func stringOf(val cty.Value) (string, error) {
	sv, err := convert.Convert(val, cty.String)
	if err != nil {
		return "", err
	}
	if sv.IsNull() {
		return "", nil
	}
	return sv.AsString(), nil
}

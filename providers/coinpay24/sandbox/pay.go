package sandbox

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers/emulator"
)

// Pay simulates a customer paying an invoice, found by id or by order_id
// (the newest invoice with it), for POST /_sandbox/pay:
//
//	full     the invoiced amount: paid
//	partial  less (half by default): pending, with underpaid_amount > 0,
//	         until the invoice's expire_at, then invalid ("paid" is
//	         "goods can be safely delivered", which they cannot)
//	over     more (10% more by default): paid, with overpaid_amount > 0
//	late     the invoiced amount after the invoice expired: paid. An
//	         invoice not yet expired expires at once, then is paid.
//
// p.Amount is in the invoice's price currency; the emulator records the
// payment in the pay currency, converted at the rate table. An invoice
// not checked out is checked out first, in p.Currency (by default its
// price currency when that is crypto, else BTC). An invoice takes one
// payment: one that received a payment, and invalid, canceled and
// refunded ones, cannot be paid; expired ones only late.
func (e *Emulator) Pay(p emulator.Payment) (emulator.LedgerObject, error) {
	if err := p.CheckMode(); err != nil {
		return emulator.LedgerObject{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return emulator.LedgerObject{}, errClosed
	}
	now := e.clock.Now()
	e.sweep(now)
	defer e.arm()
	inv, err := e.find(p.ID, p.Key)
	if err != nil {
		return emulator.LedgerObject{}, err
	}
	switch status := inv.status(now); {
	case !inv.paidAt.IsZero():
		return emulator.LedgerObject{}, fmt.Errorf("invoice %d already received a payment (it is %s)", inv.id, status)
	case status == StatusExpired && p.Mode != emulator.PayLate:
		return emulator.LedgerObject{}, fmt.Errorf("invoice %d expired at %s; pay it with mode late", inv.id, formatTime(inv.expiresAt))
	case status != StatusNew && status != StatusPending && status != StatusExpired:
		return emulator.LedgerObject{}, fmt.Errorf("invoice %d is %s and cannot be paid", inv.id, status)
	}
	price, _ := priceCurrency(inv.priceCurrency)
	amount, err := paymentAmount(p, inv.price, price)
	if err != nil {
		return emulator.LedgerObject{}, fmt.Errorf("invoice %d: %w", inv.id, err)
	}
	code := p.Currency
	switch _, ok := payCurrency(code); {
	case code == "" && inv.checkedOut():
		code = inv.payCurrency
	case code == "":
		code = defaultPayCurrency(inv.priceCurrency)
	case !ok:
		return emulator.LedgerObject{}, fmt.Errorf("currency %q: the sandbox takes payments in %v", code, payCodes())
	case inv.checkedOut() && code != inv.payCurrency:
		return emulator.LedgerObject{}, fmt.Errorf("invoice %d is to be paid in %s, not %s", inv.id, inv.payCurrency, code)
	}
	if !inv.checkedOut() {
		if err := e.checkoutInvoice(inv, code, "", "", now); err != nil {
			return emulator.LedgerObject{}, err
		}
	}
	if p.Mode == emulator.PayLate && inv.status(now) != StatusExpired {
		if err := e.expireNow(inv, now); err != nil {
			return emulator.LedgerObject{}, err
		}
	}
	rec := record{Op: opPay, ID: inv.id, Amount: paidInPayCurrency(inv, amount).String(), At: now, Late: p.Mode == emulator.PayLate}
	if err := e.commit(rec); err != nil {
		return emulator.LedgerObject{}, err
	}
	e.notify(inv, now)
	return e.ledgerObject(inv, now), nil
}

// find returns an invoice by id, or the newest with order_id key. Called
// with e.mu held.
func (e *Emulator) find(id, key string) (*invoice, error) {
	if id != "" {
		if inv, ok := e.lookup(id); ok {
			return inv, nil
		}
		return nil, fmt.Errorf("%w: coinpay24 has no invoice %q", emulator.ErrNoInvoice, id)
	}
	if inv, ok := e.newest[key]; ok {
		return inv, nil
	}
	return nil, fmt.Errorf("%w: coinpay24 has no invoice with order_id %q", emulator.ErrNoInvoice, key)
}

// paymentAmount is what the customer pays, in the price currency.
func paymentAmount(p emulator.Payment, price decimal.Decimal, cur money.Currency) (decimal.Decimal, error) {
	if p.Amount == "" {
		switch p.Mode {
		case emulator.PayPartial:
			half := price.Div(decimal.NewFromInt(2)).RoundDown(cur.Precision)
			if !half.IsPositive() {
				return decimal.Zero, fmt.Errorf("%s %s is too small to pay in part", price, cur.Code)
			}
			return half, nil
		case emulator.PayOver:
			return price.Mul(decimal.RequireFromString("1.1")).RoundUp(cur.Precision), nil
		}
		return price, nil
	}
	d, err := money.ParsePositive(p.Amount, cur)
	if err != nil {
		return decimal.Zero, fmt.Errorf("amount %q %v", p.Amount, err)
	}
	switch {
	case (p.Mode == emulator.PayFull || p.Mode == emulator.PayLate) && !d.Equal(price):
		return decimal.Zero, fmt.Errorf("a %s payment is the invoiced %s %s, not %s", p.Mode, price, cur.Code, d)
	case p.Mode == emulator.PayPartial && !d.LessThan(price):
		return decimal.Zero, fmt.Errorf("a partial payment must be less than the invoiced %s %s", price, cur.Code)
	case p.Mode == emulator.PayOver && !d.GreaterThan(price):
		return decimal.Zero, fmt.Errorf("an over payment must be more than the invoiced %s %s", price, cur.Code)
	}
	return d, nil
}

// paidInPayCurrency converts a payment in the price currency to the pay
// currency, in proportion to the pay amount: exactly it for a full
// payment, at least one smallest unit under or over it otherwise.
func paidInPayCurrency(inv *invoice, amount decimal.Decimal) decimal.Decimal {
	if amount.Equal(inv.price) {
		return inv.payAmount
	}
	cur, _ := payCurrency(inv.payCurrency)
	unit := decimal.New(1, -cur.Precision)
	q, _ := inv.payAmount.Mul(amount).QuoRem(inv.price, cur.Precision) // rounded down
	if amount.LessThan(inv.price) {
		return decimal.Max(unit, decimal.Min(q, inv.payAmount.Sub(unit)))
	}
	return decimal.Max(q, inv.payAmount.Add(unit))
}

func payCodes() []string {
	var out []string
	for _, code := range PriceCurrencies() {
		if _, ok := payCurrency(code); ok {
			out = append(out, code)
		}
	}
	return out
}

package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers/emulator"
)

// usdPrices are the sandbox's fixed prices, in US dollars, of what a
// customer can pay with and what an invoice or wallet can be in.
var usdPrices = map[string]string{
	"USD": "1", "EUR": "1.08", "GBP": "1.25", "AED": "0.2725", "MYR": "0.21", "BRL": "0.18",
	"ILS": "0.27", "JPY": "0.0067", "RUB": "0.011", "TRY": "0.031", "UAH": "0.024", "NZD": "0.6",
	"CAD": "0.73", "AUD": "0.66", "CHF": "1.12",
	"BTC": "60000", "ETH": "3000", "BCH": "400", "LTC": "80", "DOGE": "0.15", "TRX": "0.12",
	"XRP": "0.5", "ADA": "0.45", "BNB-BSC": "550", "USDT": "1", "USDTE": "1", "USDTB": "1",
	"USDTT": "1", "USDC": "1", "DAI": "1",
}

// price returns how many units of quote one unit of base is worth.
func price(base, quote string) (decimal.Decimal, error) {
	b, okb := usdPrices[base]
	q, okq := usdPrices[quote]
	if !okb || !okq {
		return decimal.Decimal{}, fmt.Errorf("the sandbox has no exchange rate between %s and %s", base, quote)
	}
	if base == quote {
		return decimal.NewFromInt(1), nil
	}
	return decimal.RequireFromString(b).DivRound(decimal.RequireFromString(q), 8), nil
}

// convert turns amount of from into to at the sandbox's prices, rounded
// down to places. Call it only after price(from, to) has succeeded.
func convert(amount decimal.Decimal, from, to string, places int32) decimal.Decimal {
	if from == to {
		return amount
	}
	f, t := decimal.RequireFromString(usdPrices[from]), decimal.RequireFromString(usdPrices[to])
	return amount.Mul(f).DivRound(t, places+8).RoundDown(places)
}

// ErrPaid is returned by Pay for an invoice already paid or whose status
// was forced.
var ErrPaid = errors.New("the invoice is already settled")

// Pay simulates a customer paying an invoice, found by id or by
// externalID (the newest with it). The payment is in p.Currency (by
// default the wallet when it is a crypto currency, else USDT), converted
// at the sandbox's fixed prices; the invoice is waitingForConfirmation
// for ConfirmAfter, then completed, underPaid or overPaid by the amount,
// or paidLate when the payment came at or after expiredAt (mode "late"
// always does). The callback event goes with the final status, not now.
func (e *Emulator) Pay(p emulator.Payment) (emulator.LedgerObject, error) {
	if err := p.CheckMode(); err != nil {
		return emulator.LedgerObject{}, err
	}
	e.tick(e.clock.Now())
	e.mu.Lock()
	defer e.mu.Unlock()
	inv := e.byID[p.ID]
	if p.ID == "" {
		inv = e.newest(p.Key)
	}
	if inv == nil {
		return emulator.LedgerObject{}, fmt.Errorf("%w: id %q, externalID %q", emulator.ErrNoInvoice, p.ID, p.Key)
	}
	if inv.pay != nil || inv.forced != "" {
		return emulator.LedgerObject{}, fmt.Errorf("%w: invoice %s is %s", ErrPaid, inv.id, e.status(inv, e.clock.Now()))
	}
	now := e.clock.Now()
	amount, err := payAmount(p, inv.amount, precision(inv.currency))
	if err != nil {
		return emulator.LedgerObject{}, err
	}
	pay := &payment{at: now, amount: amount, network: p.Currency, late: p.Mode == emulator.PayLate || !now.Before(inv.expiredAt)}
	if pay.network == "" {
		pay.network = "USDT"
		if cur, ok := money.Lookup(inv.wallet); ok && !cur.Fiat {
			pay.network = inv.wallet
		}
	}
	if pay.rate, err = price(pay.network, inv.currency); err != nil {
		return emulator.LedgerObject{}, err
	}
	if _, err := price(inv.currency, inv.wallet); err != nil {
		return emulator.LedgerObject{}, err
	}
	pay.networkAmount = convert(amount, inv.currency, pay.network, precision(pay.network))
	pay.walletCredited = convert(amount, inv.currency, inv.wallet, precision(inv.wallet))
	if addr, err := money.GenerateAddress(pay.network, []byte("milacoins/"+inv.id)); err == nil {
		pay.address = addr
	}
	sum := sha256.Sum256([]byte(inv.id + "/" + now.String()))
	pay.txID = hex.EncodeToString(sum[:])
	if err := e.commit(payRecord(inv, pay)); err != nil {
		return emulator.LedgerObject{}, err
	}
	// No callback yet: the invoice is waitingForConfirmation; its event
	// falls due with its final status (due.go).
	e.arm()
	return e.ledgerObject(inv, now), nil
}

// payAmount is the amount paid: p.Amount, which must agree with the mode,
// or by default the invoiced amount (full, late), half of it rounded down
// (partial) or 10% more rounded up (over).
func payAmount(p emulator.Payment, invoiced decimal.Decimal, places int32) (decimal.Decimal, error) {
	if p.Amount == "" {
		switch p.Mode {
		case emulator.PayPartial:
			d := invoiced.Div(decimal.NewFromInt(2)).RoundDown(places)
			if !d.IsPositive() {
				return d, fmt.Errorf("%s is too small to pay in part", invoiced)
			}
			return d, nil
		case emulator.PayOver:
			return invoiced.Mul(decimal.RequireFromString("1.1")).RoundUp(places), nil
		}
		return invoiced, nil
	}
	d, err := money.ParseAmount(p.Amount)
	switch {
	case err != nil:
		return d, fmt.Errorf("amount %q %v", p.Amount, err)
	case !d.IsPositive():
		return d, fmt.Errorf("amount %s must be greater than 0", d)
	case d.Exponent() < -places && !d.Equal(d.Round(places)):
		return d, fmt.Errorf("amount %s has more than %d decimal places", d, places)
	case p.Mode == emulator.PayPartial && !d.LessThan(invoiced):
		return d, fmt.Errorf("a partial payment of %s must be less than the invoiced %s", d, invoiced)
	case p.Mode == emulator.PayOver && !d.GreaterThan(invoiced):
		return d, fmt.Errorf("an over payment of %s must be more than the invoiced %s", d, invoiced)
	case (p.Mode == emulator.PayFull || p.Mode == emulator.PayLate) && !d.Equal(invoiced):
		return d, fmt.Errorf("a %s payment must be the invoiced %s, not %s", p.Mode, invoiced, d)
	}
	return d, nil
}

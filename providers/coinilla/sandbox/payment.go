package sandbox

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers/emulator"
)

// ErrNotPayable is returned by Pay and Cancel for an invoice in a state
// that does not allow it.
var ErrNotPayable = errors.New("invoice cannot take that")

// firstTransID is the trans_id of the sandbox's first payment.
const firstTransID = 1_000_001

// Pay simulates the buyer paying an invoice, found by id or by refnum
// (the newest invoice with it), for POST /_sandbox/pay. Buyers pay in
// BTC; p.Amount is in the invoice's currency.
//
//	full     the invoiced amount: paid-0, then paid after ConfirmAfter
//	over     more (10% by default): as full
//	partial  less (half by default): the payment fails; verify says
//	         notpaid, "invoice underpaid", for good
//	late     the invoiced amount, even after Expiry: as full (the funds
//	         reached the merchant's own wallet, and verify says so)
//
// Each payment gets a trans_id, and the buyer's browser POSTs the return
// form to the URL for its state (see Returns). Only a pending invoice can
// be paid, or an expired one with mode late.
func (e *Emulator) Pay(p emulator.Payment) (emulator.LedgerObject, error) {
	if err := p.CheckMode(); err != nil {
		return emulator.LedgerObject{}, err
	}
	if p.Currency != "" && p.Currency != "BTC" {
		return emulator.LedgerObject{}, fmt.Errorf("currency %q: Coinilla buyers pay in BTC", p.Currency)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock.Now()
	inv, err := e.find(p.ID, p.Key)
	if err != nil {
		return emulator.LedgerObject{}, err
	}
	switch st := e.state(inv, now); {
	case st == StateExpired && p.Mode != emulator.PayLate:
		return emulator.LedgerObject{}, fmt.Errorf("%w: invoice %s expired at %s; pay it with mode late", ErrNotPayable, inv.id, e.expiresAt(inv).Format(time.RFC3339))
	case st != StatePending && st != StateExpired:
		return emulator.LedgerObject{}, fmt.Errorf("%w: invoice %s is %s and cannot be paid", ErrNotPayable, inv.id, st)
	}
	cur, _ := e.currency(inv.currency)
	amount, sat, err := buyerPays(p, inv, cur)
	if err != nil {
		return emulator.LedgerObject{}, fmt.Errorf("invoice %s: %w", inv.id, err)
	}
	rec := record{Op: opPayment, ID: inv.id, TransID: strconv.FormatInt(max(e.lastTrans+1, firstTransID), 10),
		Amount: amount.String(), Satoshi: sat, Late: p.Mode == emulator.PayLate, State: e.returnState(inv, sat), At: now}
	if err := e.commit(rec); err != nil {
		return emulator.LedgerObject{}, err
	}
	paid := inv.pay
	e.send(inv.returnForm(paid.state, paid.transID, paid.amount.String(), paid.satoshi, paid.at))
	return e.ledgerObject(inv, now), nil
}

// Cancel simulates the buyer cancelling a pending invoice, found by id or
// refnum: verify says notpaid, "invoice canceled", for good, and the
// browser returns with CANCELED.
func (e *Emulator) Cancel(id, refnum string) (emulator.LedgerObject, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock.Now()
	inv, err := e.find(id, refnum)
	if err != nil {
		return emulator.LedgerObject{}, err
	}
	if st := e.state(inv, now); st != StatePending {
		return emulator.LedgerObject{}, fmt.Errorf("%w: invoice %s is %s and cannot be cancelled", ErrNotPayable, inv.id, st)
	}
	if err := e.commit(record{Op: opCancel, ID: inv.id, At: now}); err != nil {
		return emulator.LedgerObject{}, err
	}
	e.send(inv.returnForm(ReturnCanceled, "", inv.amount.String(), inv.satoshi, now))
	return e.ledgerObject(inv, now), nil
}

// returnState is the state the buyer's browser returns with after paying
// sat: CANCELED when too little arrived, else OK with ZeroConf, else
// PENDING (the buyer does not wait for a confirmation).
func (e *Emulator) returnState(inv *invoice, sat int64) string {
	switch {
	case sat < inv.satoshi:
		return ReturnCanceled
	case e.zeroConf:
		return ReturnOK
	}
	return ReturnPending
}

// find returns an invoice by id, or the newest with refnum. Called with
// e.mu held.
func (e *Emulator) find(id, refnum string) (*invoice, error) {
	if id != "" {
		if inv, ok := e.invoices[id]; ok {
			return inv, nil
		}
		return nil, fmt.Errorf("%w: coinilla has no invoice %q", emulator.ErrNoInvoice, id)
	}
	if list := e.byRefnum[refnum]; len(list) > 0 {
		return list[len(list)-1], nil
	}
	return nil, fmt.Errorf("%w: coinilla has no invoice with refnum %q", emulator.ErrNoInvoice, refnum)
}

// buyerPays is what the buyer pays: in the invoice's currency and in
// satoshi (in proportion to what is due, at least one satoshi short of
// it or over it when the amount is).
func buyerPays(p emulator.Payment, inv *invoice, cur money.Currency) (decimal.Decimal, int64, error) {
	amount := inv.amount
	switch {
	case p.Amount != "":
		d, err := money.ParsePositive(p.Amount, cur)
		if err != nil {
			return decimal.Zero, 0, fmt.Errorf("amount %q %v", p.Amount, err)
		}
		amount = d
	case p.Mode == emulator.PayPartial:
		amount = inv.amount.Div(decimal.NewFromInt(2)).RoundDown(cur.Precision)
	case p.Mode == emulator.PayOver:
		amount = inv.amount.Mul(decimal.RequireFromString("1.1")).RoundUp(cur.Precision)
	}
	full := p.Mode == emulator.PayFull || p.Mode == emulator.PayLate
	switch {
	case full && !amount.Equal(inv.amount):
		return decimal.Zero, 0, fmt.Errorf("a %s payment is the invoiced %s %s, not %s", p.Mode, inv.amount, cur.Code, amount)
	case p.Mode == emulator.PayPartial && (!amount.IsPositive() || !amount.LessThan(inv.amount) || inv.satoshi < 2):
		return decimal.Zero, 0, fmt.Errorf("a partial payment must be above zero and less than the invoiced %s %s", inv.amount, cur.Code)
	case p.Mode == emulator.PayOver && !amount.GreaterThan(inv.amount):
		return decimal.Zero, 0, fmt.Errorf("an over payment must be more than the invoiced %s %s", inv.amount, cur.Code)
	case full:
		return amount, inv.satoshi, nil
	}
	q, _ := decimal.NewFromInt(inv.satoshi).Mul(amount).QuoRem(inv.amount, 0)
	sat := q.IntPart()
	if p.Mode == emulator.PayPartial {
		return amount, min(max(sat, 1), inv.satoshi-1), nil
	}
	return amount, max(sat, inv.satoshi+1), nil
}

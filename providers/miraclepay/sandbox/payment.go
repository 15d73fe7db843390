package sandbox

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers/emulator"
)

// ErrNotPayable is returned by Pay and SetStatus for a prompt whose
// status does not allow it.
var ErrNotPayable = errors.New("prompt cannot take that")

// usd is the prompts' currency.
var usd, _ = money.Lookup("USD")

// Pay simulates the customer paying a prompt, found by id or by the key
// in its note (the newest prompt with it), for POST /_sandbox/pay.
// p.Amount is in USD, against what the customer owes (prompt.amount,
// commission included when the customer pays it); p.Currency names the
// blockchain paid on, one of the prompt's (default: its first).
//
//	full     the amount owed: successful
//	over     more (10% by default): successful
//	partial  less (half by default): unsuccessful — the payment failed
//	late     refused: the checkout closes when a prompt expires, so a
//	         late payment never reaches it; the prompt stays expired
//
// Only a pending prompt can be paid.
func (e *Emulator) Pay(p emulator.Payment) (emulator.LedgerObject, error) {
	if err := p.CheckMode(); err != nil {
		return emulator.LedgerObject{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock.Now()
	pr, err := e.find(p.ID, p.Key)
	if err != nil {
		return emulator.LedgerObject{}, err
	}
	switch st := pr.status(now); {
	case st == StatusExpired:
		return emulator.LedgerObject{}, fmt.Errorf("%w: prompt %s expired at %s; MiraclePay's checkout takes no payment after that", ErrNotPayable, pr.id, isoTime(pr.expiresAt))
	case st != StatusPending:
		return emulator.LedgerObject{}, fmt.Errorf("%w: prompt %s is %s and cannot be paid", ErrNotPayable, pr.id, st)
	case p.Mode == emulator.PayLate:
		return emulator.LedgerObject{}, fmt.Errorf("%w: prompt %s has not expired (it does at %s); pay it with mode full", ErrNotPayable, pr.id, isoTime(pr.expiresAt))
	}
	chain := p.Currency
	if chain == "" {
		chain = pr.chains[0]
	}
	if !slices.Contains(pr.chains, chain) {
		return emulator.LedgerObject{}, fmt.Errorf("prompt %s takes payments on %v, not %q", pr.id, pr.chains, chain)
	}
	amount, err := owed(p, pr.total)
	if err != nil {
		return emulator.LedgerObject{}, fmt.Errorf("prompt %s: %w", pr.id, err)
	}
	status := StatusSuccessful
	if amount.LessThan(pr.total) {
		status = StatusUnsuccessful
	}
	if err := e.commit(record{Op: opOutcome, ID: pr.id, Status: status, Chain: chain, Amount: amount.String(), At: now}); err != nil {
		return emulator.LedgerObject{}, err
	}
	return e.ledgerObject(pr, now), nil
}

// SetStatus ends a pending prompt with status successful, unsuccessful
// or cancelled, as a payment or the customer would.
func (e *Emulator) SetStatus(id, status string) (emulator.LedgerObject, error) {
	switch status {
	case StatusSuccessful, StatusUnsuccessful, StatusCancelled:
	default:
		return emulator.LedgerObject{}, fmt.Errorf("status %q is not one of successful, unsuccessful, cancelled", status)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock.Now()
	pr, err := e.find(id, "")
	if err != nil {
		return emulator.LedgerObject{}, err
	}
	if st := pr.status(now); st != StatusPending {
		return emulator.LedgerObject{}, fmt.Errorf("%w: prompt %s is %s, and only a pending prompt changes", ErrNotPayable, pr.id, st)
	}
	if err := e.commit(record{Op: opOutcome, ID: pr.id, Status: status, At: now}); err != nil {
		return emulator.LedgerObject{}, err
	}
	return e.ledgerObject(pr, now), nil
}

// find returns a prompt by id, or the newest with key. Called with e.mu
// held.
func (e *Emulator) find(id, key string) (*prompt, error) {
	if id != "" {
		if p, ok := e.prompts[id]; ok {
			return p, nil
		}
		return nil, fmt.Errorf("%w: miraclepay has no prompt %q", emulator.ErrNoInvoice, id)
	}
	if list := e.byKey[key]; len(list) > 0 {
		return list[len(list)-1], nil
	}
	return nil, fmt.Errorf("%w: miraclepay has no prompt with key %q", emulator.ErrNoInvoice, key)
}

// owed is what the customer pays, in USD.
func owed(p emulator.Payment, total decimal.Decimal) (decimal.Decimal, error) {
	amount := total
	switch {
	case p.Amount != "":
		d, err := money.ParsePositive(p.Amount, usd)
		if err != nil {
			return decimal.Zero, fmt.Errorf("amount %q %v", p.Amount, err)
		}
		amount = d
	case p.Mode == emulator.PayPartial:
		amount = total.Div(decimal.NewFromInt(2)).RoundDown(2)
	case p.Mode == emulator.PayOver:
		amount = total.Mul(decimal.RequireFromString("1.1")).RoundUp(2)
	}
	switch {
	case p.Mode == emulator.PayFull && !amount.Equal(total):
		return decimal.Zero, fmt.Errorf("a full payment is the %s USD owed, not %s", total, amount)
	case p.Mode == emulator.PayPartial && (!amount.IsPositive() || !amount.LessThan(total)):
		return decimal.Zero, fmt.Errorf("a partial payment must be above zero and less than the %s USD owed", total)
	case p.Mode == emulator.PayOver && !amount.GreaterThan(total):
		return decimal.Zero, fmt.Errorf("an over payment must be more than the %s USD owed", total)
	}
	return amount, nil
}

// endedAt is when p ended, for views; nil while it is pending or expired.
func (p *prompt) endedAt() *time.Time {
	if p.final == "" {
		return nil
	}
	t := p.finalAt
	return &t
}

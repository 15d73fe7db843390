package sandbox

import (
	"fmt"
	"time"

	"github.com/payform/payform/providers/emulator"
	"github.com/shopspring/decimal"
)

// Record ops. Each mutation is one record in the journal; replaying them
// in order rebuilds the state.
const (
	opCreate   = "create"   // an invoice created
	opRequest  = "request"  // a refused create request, counted for its order_id
	opCheckout = "checkout" // a pay currency chosen
	opPay      = "pay"      // a customer payment
	opStatus   = "status"   // a status set through the admin API
	opNotified = "notified" // a time-driven status change's callback sent
)

// record is one journal line's record. Fields are used per Op.
type record struct {
	Op          string    `json:"op"`
	ID          int64     `json:"id,omitzero"`
	OrderID     string    `json:"order_id,omitzero"`
	Amount      string    `json:"amount,omitzero"`   // create: the price; pay: paid, in the pay currency
	Currency    string    `json:"currency,omitzero"` // create: the price currency; checkout: the pay currency
	Title       string    `json:"title,omitzero"`
	Description string    `json:"description,omitzero"`
	CallbackURL string    `json:"callback_url,omitzero"`
	CancelURL   string    `json:"cancel_url,omitzero"`
	SuccessURL  string    `json:"success_url,omitzero"`
	PayAmount   string    `json:"pay_amount,omitzero"`
	Address     string    `json:"address,omitzero"`
	Name        string    `json:"name,omitzero"`
	Email       string    `json:"email,omitzero"`
	Status      string    `json:"status,omitzero"`
	Late        bool      `json:"late,omitzero"`
	At          time.Time `json:"at,omitzero"`
	ExpireAt    time.Time `json:"expire_at,omitzero"`
}

// commit journals rec, then applies it. Called with e.mu held, so the
// journal's order is the order of the state's changes; nothing changes if
// the journal refuses the record.
func (e *Emulator) commit(rec record) error {
	return emulator.Commit(e.journal, rec, e.apply)
}

// replay rebuilds the state from the journal, and the queue of invoices
// whose expiry callback is still due.
func (e *Emulator) replay() error {
	err := emulator.Replay(e.journal, e.apply)
	if err != nil {
		return err
	}
	for _, inv := range e.order {
		if awaitsExpiry(inv) {
			e.expiring.push(inv)
		}
	}
	return nil
}

// apply makes one record's change to the state.
func (e *Emulator) apply(rec record) error {
	if rec.Op == opRequest {
		e.requests[rec.OrderID]++
		return nil
	}
	if rec.Op == opCreate {
		return e.applyCreate(rec)
	}
	inv, ok := e.invoices[rec.ID]
	if !ok {
		return fmt.Errorf("%s for unknown invoice %d", rec.Op, rec.ID)
	}
	switch rec.Op {
	case opCheckout:
		d, err := decimal.NewFromString(rec.PayAmount)
		if err != nil {
			return fmt.Errorf("invoice %d: pay amount %q: %w", rec.ID, rec.PayAmount, err)
		}
		inv.payCurrency, inv.payAmount, inv.address = rec.Currency, d, rec.Address
		inv.purchaserName, inv.purchaserEmail = rec.Name, rec.Email
	case opPay:
		d, err := decimal.NewFromString(rec.Amount)
		if err != nil {
			return fmt.Errorf("invoice %d: paid amount %q: %w", rec.ID, rec.Amount, err)
		}
		inv.paidAt, inv.paidPay = rec.At, d
		if rec.Late && rec.At.Before(inv.expiresAt) {
			inv.expiresAt = rec.At
		}
	case opStatus:
		inv.forced = rec.Status
	case opNotified:
		inv.notified = rec.Status
	default:
		return fmt.Errorf("unknown record op %q", rec.Op)
	}
	return nil
}

func (e *Emulator) applyCreate(rec record) error {
	price, err := decimal.NewFromString(rec.Amount)
	if err != nil {
		return fmt.Errorf("invoice %d: price %q: %w", rec.ID, rec.Amount, err)
	}
	if _, dup := e.invoices[rec.ID]; dup {
		return fmt.Errorf("invoice %d created twice", rec.ID)
	}
	inv := &invoice{
		id: rec.ID, orderID: rec.OrderID, price: price, priceCurrency: rec.Currency,
		title: rec.Title, description: rec.Description,
		callbackURL: rec.CallbackURL, cancelURL: rec.CancelURL, successURL: rec.SuccessURL,
		createdAt: rec.At, expiresAt: rec.ExpireAt,
	}
	e.invoices[inv.id] = inv
	e.insertOrdered(inv)
	if cur, ok := e.newest[inv.orderID]; !ok || !inv.createdAt.Before(cur.createdAt) {
		e.newest[inv.orderID] = inv
	}
	e.requests[inv.orderID]++
	e.lastID = max(e.lastID, inv.id)
	return nil
}

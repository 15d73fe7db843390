package sandbox

import (
	"fmt"
	"strconv"
	"time"

	"github.com/payform/payform/providers/emulator"
	"github.com/shopspring/decimal"
)

// Record ops. Each mutation is one record in the journal; replaying them
// in order rebuilds the state.
const (
	opInvoice = "invoice" // an invoice made (func=1 accepted)
	opRequest = "request" // a refused func=1 request, counted for its refnum
	opPayment = "payment" // the buyer paid (ID, TransID, Amount, Satoshi)
	opCancel  = "cancel"  // the buyer cancelled
)

// record is one journal line's record. Fields are used per Op.
type record struct {
	Op       string     `json:"op"`
	ID       string     `json:"id,omitzero"`
	Refnum   string     `json:"refnum,omitzero"`
	Currency string     `json:"currency,omitzero"`
	Amount   string     `json:"amount,omitzero"`
	Satoshi  int64      `json:"satoshi,omitzero"`
	Address  string     `json:"address,omitzero"`
	Desc     string     `json:"desc,omitzero"`
	URLs     returnURLs `json:"urls,omitzero"`
	Extra    [3]string  `json:"extra,omitzero"`
	TransID  string     `json:"trans_id,omitzero"`
	Late     bool       `json:"late,omitzero"`
	State    string     `json:"state,omitzero"` // the return state of a payment
	At       time.Time  `json:"at,omitzero"`
}

// commit journals rec, then applies it. Called with e.mu held, so the
// journal's order is the order of the state's changes; nothing changes if
// the journal refuses the record.
func (e *Emulator) commit(rec record) error {
	return emulator.Commit(e.journal, rec, e.apply)
}

// replay rebuilds the state from the journal.
func (e *Emulator) replay() error {
	return emulator.Replay(e.journal, e.apply)
}

// apply makes one record's change to the state.
func (e *Emulator) apply(rec record) error {
	switch rec.Op {
	case opInvoice:
		amount, err := decimal.NewFromString(rec.Amount)
		if err != nil {
			return fmt.Errorf("invoice %s: amount %q: %w", rec.ID, rec.Amount, err)
		}
		if _, dup := e.invoices[rec.ID]; dup {
			return fmt.Errorf("invoice %s made twice", rec.ID)
		}
		inv := &invoice{id: rec.ID, refnum: rec.Refnum, currency: rec.Currency, amount: amount, satoshi: rec.Satoshi,
			address: rec.Address, desc: rec.Desc, urls: rec.URLs, extra: rec.Extra, createdAt: rec.At}
		e.invoices[inv.id] = inv
		e.order = append(e.order, inv)
		e.byRefnum[inv.refnum] = append(e.byRefnum[inv.refnum], inv)
		e.requests[inv.refnum]++
	case opRequest:
		e.requests[rec.Refnum]++
	case opPayment:
		inv, ok := e.invoices[rec.ID]
		if !ok {
			return fmt.Errorf("payment for unknown invoice %s", rec.ID)
		}
		amount, err := decimal.NewFromString(rec.Amount)
		if err != nil {
			return fmt.Errorf("payment %s: amount %q: %w", rec.TransID, rec.Amount, err)
		}
		inv.pay = &payment{transID: rec.TransID, amount: amount, satoshi: rec.Satoshi, late: rec.Late, state: rec.State, at: rec.At}
		e.byTrans[rec.TransID] = inv
		if n, err := strconv.ParseInt(rec.TransID, 10, 64); err == nil {
			e.lastTrans = max(e.lastTrans, n)
		}
	case opCancel:
		inv, ok := e.invoices[rec.ID]
		if !ok {
			return fmt.Errorf("cancel of unknown invoice %s", rec.ID)
		}
		inv.canceledAt = rec.At
	default:
		return fmt.Errorf("unknown record op %q", rec.Op)
	}
	return nil
}

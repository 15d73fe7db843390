package sandbox

import (
	"time"

	"github.com/shopspring/decimal"
)

// Verify statuses.
const (
	StatusPaid        = "paid"
	StatusUnconfirmed = "paid-0"
	StatusNotPaid     = "notpaid"
)

// The notes verify sends beside notpaid once an invoice can no longer be
// paid, and for an unknown invoice or transaction.
const (
	noteExpired      = "invoice expired"
	noteCanceled     = "invoice canceled"
	noteUnderpaid    = "invoice underpaid"
	noteNotFound     = "invoice not found"
	noteNoTransation = "transaction not found"
)

// Return states, as the buyer's browser posts them.
const (
	ReturnOK       = "OK"
	ReturnPending  = "PENDING"
	ReturnCanceled = "CANCELED"
)

// States, as the admin API shows them: the verify status, refined.
const (
	StatePending   = "pending"   // notpaid, payable
	StateExpired   = "expired"   // notpaid, Expiry passed unpaid
	StateCanceled  = "canceled"  // notpaid, the buyer cancelled
	StateUnderpaid = "underpaid" // notpaid, too little arrived
	StateUnconf    = "paid-0"
	StatePaid      = "paid"
)

type invoice struct {
	id        string // 64 hex
	refnum    string
	currency  string
	amount    decimal.Decimal // as invoiced, in currency
	satoshi   int64           // what is due, in BTC
	address   string
	desc      string
	urls      returnURLs
	extra     [3]string
	createdAt time.Time

	pay        *payment  // the buyer's payment, if any
	canceledAt time.Time // when the buyer cancelled, if they did
}

type returnURLs struct {
	Return    string `json:"return_url,omitzero"`
	Fail      string `json:"fail_url,omitzero"`
	Unconfirm string `json:"unconfirm_url,omitzero"`
}

type payment struct {
	transID string
	amount  decimal.Decimal // in the invoice's currency
	satoshi int64
	late    bool
	state   string // the browser's return state: OK, PENDING or CANCELED
	at      time.Time
}

// paidInFull reports whether the payment covers the invoice.
func (p *payment) paidInFull(inv *invoice) bool { return p.satoshi >= inv.satoshi }

// expiresAt is when an unpaid invoice stops being payable.
func (e *Emulator) expiresAt(inv *invoice) time.Time { return inv.createdAt.Add(e.expiry) }

// state is inv's state at now. Called with e.mu held.
func (e *Emulator) state(inv *invoice, now time.Time) string {
	switch p := inv.pay; {
	case p != nil && !p.paidInFull(inv):
		return StateUnderpaid
	case p != nil && now.Before(p.at.Add(e.confirmAfter)):
		return StateUnconf
	case p != nil:
		return StatePaid
	case !inv.canceledAt.IsZero():
		return StateCanceled
	case !now.Before(e.expiresAt(inv)):
		return StateExpired
	}
	return StatePending
}

// verdict is what verify says about inv at now: its status and the note
// beside it. Called with e.mu held.
func (e *Emulator) verdict(inv *invoice, now time.Time) (status, note string) {
	switch e.state(inv, now) {
	case StatePaid:
		return StatusPaid, ""
	case StateUnconf:
		return StatusUnconfirmed, ""
	case StateExpired:
		return StatusNotPaid, noteExpired
	case StateCanceled:
		return StatusNotPaid, noteCanceled
	case StateUnderpaid:
		return StatusNotPaid, noteUnderpaid
	}
	return StatusNotPaid, ""
}

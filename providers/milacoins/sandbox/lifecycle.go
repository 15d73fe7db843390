package sandbox

import (
	"time"

	"github.com/shopspring/decimal"
)

// Invoice statuses.
const (
	StatusInit      = "init" // a payment link the customer has not paid
	StatusNew       = "new"  // a plain invoice not paid
	StatusWaiting   = "waitingForConfirmation"
	StatusCompleted = "completed"
	StatusUnderPaid = "underPaid"
	StatusOverPaid  = "overPaid"
	StatusPaidLate  = "paidLate"
	StatusInvalid   = "invalid" // expired unpaid, or cancelled
)

// Statuses is the vendor's status enum, in its order.
var Statuses = []string{StatusInit, StatusCompleted, StatusInvalid, StatusNew, StatusWaiting, StatusUnderPaid, StatusOverPaid, StatusPaidLate}

// Invoice types, the list's `type` filter and each document's `type`.
const (
	TypeInvoice     = "invoice"
	TypePaymentLink = "paymentLink"
)

// Types is the enum of the list's `type` filter.
var Types = []string{TypeInvoice, TypePaymentLink}

type invoice struct {
	id         string
	seq        int64
	typ        string
	wallet     string
	currency   string
	amount     decimal.Decimal
	externalID string
	createdAt  time.Time
	expiredAt  time.Time
	// Payment links only.
	cancelURL, completedURL, callbackURL string
	firstName, lastName, email           string

	pay      *payment // nil until the customer pays
	forced   string   // a status set through the admin API, or ""
	notified []string // the time-driven statuses whose callback event was sent
}

// payment is what a customer paid: Amount in the invoice currency, the
// rest as the gateway credits and records it.
type payment struct {
	at             time.Time
	amount         decimal.Decimal
	network        string
	networkAmount  decimal.Decimal
	walletCredited decimal.Decimal
	rate           decimal.Decimal // network price in the invoice currency
	late           bool
	address        string
	txID           string
}

// status is inv's status at now, computed from timestamps:
//
//	forced through the admin API          that status
//	paid, within ConfirmAfter of payment  waitingForConfirmation
//	paid after expiredAt                  paidLate
//	paid less / exactly / more            underPaid / completed / overPaid
//	unpaid, at or past expiredAt          invalid
//	unpaid payment link / invoice         init / new
func (e *Emulator) status(inv *invoice, now time.Time) string {
	switch {
	case inv.forced != "":
		return inv.forced
	case inv.pay != nil:
		p := inv.pay
		switch {
		case now.Before(p.at.Add(e.confirmAfter)):
			return StatusWaiting
		case p.late:
			return StatusPaidLate
		case p.amount.LessThan(inv.amount):
			return StatusUnderPaid
		case p.amount.GreaterThan(inv.amount):
			return StatusOverPaid
		}
		return StatusCompleted
	case !now.Before(inv.expiredAt):
		return StatusInvalid
	case inv.typ == TypePaymentLink:
		return StatusInit
	}
	return StatusNew
}

// newest returns the newest invoice with externalID key, or nil. Called
// with e.mu held.
func (e *Emulator) newest(key string) *invoice {
	var best *invoice
	for _, inv := range e.invoices {
		if inv.externalID == key && (best == nil || newer(inv, best)) {
			best = inv
		}
	}
	return best
}

// newer orders invoices by creation time, then by sequence.
func newer(a, b *invoice) bool {
	if !a.createdAt.Equal(b.createdAt) {
		return a.createdAt.After(b.createdAt)
	}
	return a.seq > b.seq
}

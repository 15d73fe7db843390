package coinilla

import (
	"strings"

	"github.com/payform/payform/providers"
)

// Coinilla's status words (verify's `status`).
const (
	StatusPaid        = "paid"    // confirmed
	StatusUnconfirmed = "paid-0"  // seen with fewer confirmations than the API setup's minimum
	StatusNotPaid     = "notpaid" // not paid, failed or cancelled
)

// MapStatus maps a verification to payform's invoice status:
//
//	paid                          paid
//	paid-0                        pending (unconfirmed; may still fail)
//	notpaid + "... expired"       expired
//	notpaid + "... cancel(l)ed"   cancelled
//	notpaid + "... underpaid"     underpaid
//	notpaid, nopaid, other        pending
func MapStatus(v Verification) providers.Status {
	switch strings.ToLower(v.Status) {
	case StatusPaid:
		return providers.StatusPaid
	case StatusUnconfirmed:
		return providers.StatusPending
	}
	switch {
	case isExpired(v.Error):
		return providers.StatusExpired
	case isCancelled(v.Error):
		return providers.StatusCancelled
	case isUnderpaid(v.Error):
		return providers.StatusUnderpaid
	}
	return providers.StatusPending
}

// The gateway's error texts are undocumented, so they are matched by
// meaning, not byte for byte (gateways/NOTES.md, Coinilla).

// isDuplicate: "duplicate refnum", "refnum already exists", "refnum is
// taken" ... but not a complaint about the duplicate_refnum field itself.
func isDuplicate(msg string) bool {
	m := strings.ToLower(msg)
	if strings.Contains(m, "duplicate_refnum") || strings.Contains(m, "duplicate refnum flag") {
		return false
	}
	if strings.Contains(m, "duplicate") {
		return true
	}
	return strings.Contains(m, "refnum") &&
		(strings.Contains(m, "exist") || strings.Contains(m, "already") || strings.Contains(m, "taken") || strings.Contains(m, "used"))
}

// isAuth: "invalid apikey", "wrong api key", "api_key is required" ...
// any text about the key.
func isAuth(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "apikey") || strings.Contains(m, "api key") || strings.Contains(m, "api_key")
}

// isNotFound: "invoice not found", "transaction not found", "no such
// invoice", "invalid invoice" ...
func isNotFound(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "not found") || strings.Contains(m, "no such") ||
		strings.Contains(m, "not exist") || strings.Contains(m, "invalid invoice") || strings.Contains(m, "unknown invoice")
}

func isExpired(msg string) bool { return strings.Contains(strings.ToLower(msg), "expire") }

func isCancelled(msg string) bool { return strings.Contains(strings.ToLower(msg), "cancel") }

func isUnderpaid(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "underpaid") || strings.Contains(m, "insufficient")
}

// isStatusNote reports whether a verify error text is a status (the
// invoice can no longer be paid) rather than a failure.
func isStatusNote(msg string) bool { return isExpired(msg) || isCancelled(msg) || isUnderpaid(msg) }

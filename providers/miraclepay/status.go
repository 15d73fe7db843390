package miraclepay

import (
	"strings"

	"github.com/payform/payform/providers"
)

// MiraclePay's payment statuses.
const (
	StatusPending      = "pending"
	StatusSuccessful   = "successful"
	StatusUnsuccessful = "unsuccessful"
	StatusExpired      = "expired"
	StatusCancelled    = "cancelled"
)

// MapStatus maps a prompt status to payform's invoice status:
//
//	pending       pending
//	successful    paid
//	unsuccessful  invalid (the payment failed, e.g. insufficient funds)
//	expired       expired
//	cancelled     cancelled (also "canceled")
//
// An unknown word is pending, so that the prompt is read again.
func MapStatus(raw string) providers.Status {
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case StatusSuccessful:
		return providers.StatusPaid
	case StatusUnsuccessful:
		return providers.StatusInvalid
	case StatusExpired:
		return providers.StatusExpired
	case StatusCancelled, "canceled":
		return providers.StatusCancelled
	}
	return providers.StatusPending
}

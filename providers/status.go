package providers

// Status is payform's gateway-independent status of an object. The
// gateway's own word is kept beside it as Object.RawStatus.
type Status string

// Payout statuses.
const (
	StatusSubmitted Status = "submitted" // accepted by the gateway, not final
	StatusConfirmed Status = "confirmed" // final: money arrived
	StatusFailed    Status = "failed"    // final: the gateway gave up
	StatusCancelled Status = "cancelled" // final
	StatusUnknown   Status = "unknown"   // payform cannot tell whether it exists
)

// Invoice statuses.
const (
	StatusPending   Status = "pending"
	StatusPaid      Status = "paid"
	StatusUnderpaid Status = "underpaid"
	StatusOverpaid  Status = "overpaid"
	StatusExpired   Status = "expired"
	StatusInvalid   Status = "invalid"
)

// StatusActive is the status of a deposit address that can receive funds.
const StatusActive Status = "active"

// Final reports whether no further change is expected. An expired invoice
// is not final: a customer may still pay it late.
func (s Status) Final() bool {
	switch s {
	case StatusConfirmed, StatusFailed, StatusCancelled, StatusPaid,
		StatusUnderpaid, StatusOverpaid, StatusInvalid:
		return true
	}
	return false
}

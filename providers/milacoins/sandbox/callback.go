package sandbox

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/payform/payform/providers/emulator"
)

// Callback events, the values of {EVENT}.
const (
	EventComplete = "complete"
	EventCancel   = "cancel"
)

// CallbackSchedule is the wait before each retry of a callback that was
// not answered 2xx: after 1, 5 and 15 minutes, 1 hour and 6 hours, then
// the emulator gives up. Options.CallbackScale divides it.
var CallbackSchedule = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 6 * time.Hour}

// expandCallback fills a callbackUrl's placeholders, each value
// query-escaped.
func expandCallback(tmpl, event string, inv *invoice) string {
	return strings.NewReplacer(
		"{EVENT}", url.QueryEscape(event),
		"{INVOICE_ID}", url.QueryEscape(inv.id),
		"{EXTERNAL_ID}", url.QueryEscape(inv.externalID),
	).Replace(tmpl)
}

// notify sends inv's callback for event, if it has a callbackUrl: a GET
// of the expanded URL with no body and no signature (the vendor documents
// neither), delivered in the background and retried on CallbackSchedule.
func (e *Emulator) notify(inv *invoice, event string) {
	if inv.callbackURL == "" {
		return
	}
	e.notifier.Send(emulator.Callback{
		Method: http.MethodGet,
		URL:    expandCallback(inv.callbackURL, event, inv),
		Header: http.Header{"User-Agent": {"MilaCoins-Sandbox/1"}},
	})
}

// eventFor is the callback event a status sends, "" for none (see
// due.go): complete for a payment complete in full (completed, overPaid,
// paidLate), cancel for a link that ended unpaid (invalid) or a payment
// that fell short (underPaid); nothing while a payment waits for its
// confirmations.
func eventFor(status string) string {
	switch status {
	case StatusCompleted, StatusOverPaid, StatusPaidLate:
		return EventComplete
	case StatusInvalid, StatusUnderPaid:
		return EventCancel
	}
	return ""
}

// Deliveries returns every callback delivery attempt so far, oldest
// first.
func (e *Emulator) Deliveries() []emulator.Delivery { return e.notifier.Deliveries() }

// WaitCallbacks blocks until every queued callback is delivered or given
// up.
func (e *Emulator) WaitCallbacks() { e.notifier.Wait() }

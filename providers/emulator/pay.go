package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Payer is implemented by emulators of invoice gateways: it simulates a
// customer paying an invoice, for POST /_sandbox/pay.
type Payer interface {
	Pay(p Payment) (LedgerObject, error)
}

// Payment modes.
const (
	PayFull    = "full"    // exactly the invoiced amount (the default)
	PayPartial = "partial" // less than invoiced: underpaid
	PayOver    = "over"    // more than invoiced: overpaid
	PayLate    = "late"    // the full amount, after the invoice expired
)

// Payment is a simulated customer payment.
type Payment struct {
	Gateway string `json:"gateway"`
	// ID is the gateway's invoice id; or Key, the merchant key (the newest
	// invoice with it).
	ID  string `json:"id,omitempty"`
	Key string `json:"key,omitempty"`
	// Mode is PayFull (default), PayPartial, PayOver or PayLate.
	Mode string `json:"mode,omitempty"`
	// Amount paid, in the invoice's currency; by default the invoiced
	// amount, half of it (partial) or 10% more (over).
	Amount string `json:"amount,omitempty"`
	// Currency the customer paid in, where the gateway records it.
	Currency string `json:"currency,omitempty"`
}

// ErrNoInvoice is returned by Pay for an unknown invoice.
var ErrNoInvoice = errors.New("no such invoice")

// CheckMode validates p.Mode and fills the default.
func (p *Payment) CheckMode() error {
	switch p.Mode {
	case "":
		p.Mode = PayFull
	case PayFull, PayPartial, PayOver, PayLate:
	default:
		return fmt.Errorf("mode %q: want full, partial, over or late", p.Mode)
	}
	if p.ID == "" && p.Key == "" {
		return errors.New("give the invoice's id or key")
	}
	return nil
}

// pay serves POST /_sandbox/pay.
func (s *Server) pay(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodPost) {
		return
	}
	var p Payment
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&p); err != nil {
		WriteJSONError(w, http.StatusBadRequest, "body must be a JSON payment: "+err.Error())
		return
	}
	em, ok := s.emulators[p.Gateway]
	if !ok {
		WriteJSONError(w, http.StatusNotFound, fmt.Sprintf("no gateway %q", p.Gateway))
		return
	}
	payer, ok := em.(Payer)
	if !ok {
		WriteJSONError(w, http.StatusBadRequest, fmt.Sprintf("%s has no invoices to pay", p.Gateway))
		return
	}
	if err := p.CheckMode(); err != nil {
		WriteJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	obj, err := payer.Pay(p)
	switch {
	case errors.Is(err, ErrNoInvoice):
		WriteJSONError(w, http.StatusNotFound, err.Error())
	case err != nil:
		WriteJSONError(w, http.StatusBadRequest, err.Error())
	default:
		WriteJSON(w, http.StatusOK, obj)
	}
}

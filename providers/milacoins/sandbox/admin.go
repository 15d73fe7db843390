package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/payform/payform/providers/emulator"
)

// ErrUnknownInvoice is returned by ForceStatus for an invoice the
// emulator does not hold.
var ErrUnknownInvoice = errors.New("no such invoice")

// ForceStatus sets an invoice's status for good, whatever its timestamps
// say, and sends the callback event the status implies (complete for
// completed, overPaid and paidLate; cancel for invalid and underPaid).
func (e *Emulator) ForceStatus(id, status string) error {
	if !slices.Contains(Statuses, status) {
		return fmt.Errorf("status %q is not one of %v", status, Statuses)
	}
	e.tick(e.clock.Now())
	e.mu.Lock()
	defer e.mu.Unlock()
	inv, ok := e.byID[id]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownInvoice, id)
	}
	if err := e.commit(record{Op: opStatus, ID: id, Status: status}); err != nil {
		return err
	}
	if ev := eventFor(status); ev != "" {
		e.notify(inv, ev)
	}
	return nil
}

// Wallets returns the merchant's wallets.
func (e *Emulator) Wallets() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.wallets)
}

// SetWallets replaces the merchant's wallets.
func (e *Emulator) SetWallets(codes []string) error {
	if err := checkCodes("wallet", codes); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.commit(record{Op: opWallets, Codes: slices.Clone(codes)})
}

// Currencies returns the invoice currencies.
func (e *Emulator) Currencies() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.currencies)
}

// SetCurrencies replaces the invoice currencies.
func (e *Emulator) SetCurrencies(codes []string) error {
	if err := checkCodes("currency", codes); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.commit(record{Op: opCurrencies, Codes: slices.Clone(codes)})
}

// statusRequest is POST /status's body: the invoice by id, or by
// externalID (the newest with it).
type statusRequest struct {
	ID         string `json:"id"`
	ExternalID string `json:"externalID,omitempty"`
	Status     string `json:"status"`
}

// serveAdmin serves, under /_sandbox/milacoins:
//
//	GET  /deliveries                  {"deliveries":[Delivery...]}
//	GET  /wallets                     {"wallets":["BTC",...]}
//	PUT  /wallets {"wallets":[...]}   replaces them; answers as GET
//	GET  /currencies                  {"currencies":["AED",...]}
//	PUT  /currencies {"currencies":[...]}
//	POST /status {"id":"...","status":"invalid"}   (or "externalID")
//	                                  forces a status; answers the request
//	                                  with the id filled in
func (e *Emulator) serveAdmin(w http.ResponseWriter, r *http.Request) {
	var (
		err  error
		view func() any
	)
	lists := map[string]struct {
		get func() []string
		set func([]string) error
	}{"/wallets": {e.Wallets, e.SetWallets}, "/currencies": {e.Currencies, e.SetCurrencies}}
	switch route := r.Method + " " + r.URL.Path; route {
	case "GET /deliveries":
		view = func() any { return map[string][]emulator.Delivery{"deliveries": e.Deliveries()} }
	case "GET /wallets", "GET /currencies", "PUT /wallets", "PUT /currencies":
		l, name := lists[r.URL.Path], r.URL.Path[1:]
		if r.Method == http.MethodPut {
			var body map[string]*[]string
			err = decode(r, &body)
			switch {
			case err == nil && (len(body) != 1 || body[name] == nil):
				err = fmt.Errorf(`want a JSON body {"%s":["USD",...]}`, name)
			case err == nil:
				err = l.set(*body[name])
			}
		}
		view = func() any { return map[string][]string{name: l.get()} }
	case "POST /status":
		var body statusRequest
		if err = decode(r, &body); err == nil {
			if body.ID == "" {
				body.ID = e.idFor(body.ExternalID)
			}
			err = e.ForceStatus(body.ID, body.Status)
		}
		view = func() any { return body }
	default:
		emulator.WriteJSONError(w, http.StatusNotFound,
			fmt.Sprintf("no admin route %q; try GET /deliveries, GET|PUT /wallets, GET|PUT /currencies, POST /status", route))
		return
	}
	emulator.WriteResult(w, err, view, ErrUnknownInvoice)
}

// idFor returns the id of the newest invoice with externalID key, "" if
// there is none.
func (e *Emulator) idFor(key string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if inv := e.newest(key); inv != nil {
		return inv.id
	}
	return ""
}

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("bad JSON body: %v", err)
	}
	return nil
}

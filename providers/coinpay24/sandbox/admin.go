package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/payform/payform/providers/emulator"
)

// SetStatus sets an invoice's status for good, as CoinPay24 staff or the
// network would: invalid, canceled (also spelt cancelled) or refunded.
// Setting the status it already has changes nothing; any other change
// sends its callback. The invoice is found by id, or when id is empty by
// orderID (the newest invoice with it).
func (e *Emulator) SetStatus(id, orderID, status string) (emulator.LedgerObject, error) {
	if status == "cancelled" {
		status = StatusCanceled
	}
	switch status {
	case StatusInvalid, StatusCanceled, StatusRefunded:
	default:
		return emulator.LedgerObject{}, fmt.Errorf("status %q is not one of invalid, canceled, refunded", status)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return emulator.LedgerObject{}, errClosed
	}
	now := e.clock.Now()
	e.sweep(now)
	defer e.arm()
	inv, err := e.find(id, orderID)
	if err != nil {
		return emulator.LedgerObject{}, err
	}
	if inv.status(now) != status {
		if err := e.commit(record{Op: opStatus, ID: inv.id, Status: status}); err != nil {
			return emulator.LedgerObject{}, err
		}
		e.notify(inv, now)
	}
	return e.ledgerObject(inv, now), nil
}

// Callbacks returns the callbacks sent so far, oldest first.
func (e *Emulator) Callbacks() []Callback {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Callback(nil), e.sent...)
}

// Deliveries returns every attempt to deliver a callback, oldest first.
func (e *Emulator) Deliveries() []emulator.Delivery { return e.notifier.Deliveries() }

// WaitCallbacks blocks until every callback sent so far is delivered or
// given up.
func (e *Emulator) WaitCallbacks() { e.notifier.Wait() }

// serveAdmin serves, under /_sandbox/coinpay24:
//
//	POST /status {"id":"7","status":"canceled"}   sets a status (or by
//	                                              "order_id"); answers the
//	                                              invoice's ledger object
//	GET  /callbacks   {"callbacks":[Callback...],"deliveries":[Delivery...]}
//	GET  /rates       the exchange-rate table, USD per unit
func (e *Emulator) serveAdmin(w http.ResponseWriter, r *http.Request) {
	switch route := r.Method + " " + r.URL.Path; route {
	case "POST /status":
		var body struct {
			ID      string `json:"id"`
			OrderID string `json:"order_id"`
			Status  string `json:"status"`
		}
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil || (body.ID == "") == (body.OrderID == "") {
			emulator.WriteJSONError(w, http.StatusBadRequest, `want a JSON body {"id":"7","status":"canceled"} or {"order_id":"...","status":"..."}`)
			return
		}
		obj, err := e.SetStatus(body.ID, body.OrderID, body.Status)
		emulator.WriteResult(w, err, func() any { return obj }, emulator.ErrNoInvoice, errClosed)
	case "GET /limits":
		emulator.WriteJSON(w, http.StatusOK, map[string]int{"refused": e.Refused()})
	case "GET /callbacks":
		callbacks, deliveries := e.Callbacks(), e.Deliveries()
		if callbacks == nil {
			callbacks = []Callback{}
		}
		if deliveries == nil {
			deliveries = []emulator.Delivery{}
		}
		emulator.WriteJSON(w, http.StatusOK, map[string]any{"callbacks": callbacks, "deliveries": deliveries})
	case "GET /rates":
		out := map[string]string{}
		for code, d := range usdRates {
			out[code] = d.String()
		}
		emulator.WriteJSON(w, http.StatusOK, out)
	default:
		emulator.WriteJSONError(w, http.StatusNotFound,
			fmt.Sprintf("no admin route %q; try POST /status, GET /callbacks, GET /rates", route))
	}
}

// Refused counts the requests the rate limits answered with 429.
func (e *Emulator) Refused() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.refused
}

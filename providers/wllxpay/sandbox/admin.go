package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers/emulator"
)

// ErrUnknownWithdrawal is returned by ForceStatus for a foreign_id the
// emulator never accepted.
var ErrUnknownWithdrawal = errors.New("no withdrawal with that foreign_id")

// Balances returns the merchant's balances.
func (e *Emulator) Balances() map[string]decimal.Decimal {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]decimal.Decimal, len(e.balances))
	for code, d := range e.balances {
		out[code] = d
	}
	return out
}

// SetBalances sets the given currencies' balances, leaving the others.
func (e *Emulator) SetBalances(set map[string]decimal.Decimal) error {
	if err := checkBalances(set); err != nil {
		return err
	}
	rec := record{Op: opBalances, Balances: map[string]string{}}
	for code, d := range set {
		rec.Balances[code] = d.String()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.commit(rec)
}

// Enabled returns the currencies enabled for the merchant, sorted.
func (e *Emulator) Enabled() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]string, 0, len(e.enabled))
	for code := range e.enabled {
		out = append(out, code)
	}
	sort.Strings(out)
	return out
}

// SetEnabled replaces the currencies enabled for the merchant.
func (e *Emulator) SetEnabled(codes []string) error {
	if err := checkCurrencies(codes); err != nil {
		return err
	}
	codes = slices.Compact(slices.Sorted(slices.Values(codes)))
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.commit(record{Op: opEnabled, Enabled: append([]string{}, codes...)})
}

// ForceStatus sets a withdrawal's status for good: processing, confirmed,
// error or cancelled. A change of status sends the withdrawal callback.
func (e *Emulator) ForceStatus(foreignID, status string) error {
	switch status {
	case StatusProcessing, StatusConfirmed, StatusError, StatusCancelled:
	default:
		return fmt.Errorf("status %q is not one of processing, confirmed, error, cancelled", status)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock.Now()
	e.sweep(now) // a confirmation that came due first is told first
	w, ok := e.withdrawals[foreignID]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownWithdrawal, foreignID)
	}
	before := e.status(w, now)
	if err := e.commit(record{Op: opStatus, ForeignID: foreignID, Status: status}); err != nil {
		return err
	}
	if status != before {
		e.sendCallback(withdrawalFields(w, status), now)
	}
	return nil
}

func checkCurrencies(codes []string) error {
	for _, code := range codes {
		if cur, ok := money.Lookup(code); !ok || cur.Fiat {
			return fmt.Errorf("%q is not a crypto currency payform knows", code)
		}
	}
	return nil
}

func checkBalances(set map[string]decimal.Decimal) error {
	for code, d := range set {
		cur, ok := money.Lookup(code)
		switch {
		case !ok || cur.Fiat:
			return fmt.Errorf("%q is not a crypto currency payform knows", code)
		case d.IsNegative():
			return fmt.Errorf("balance %s %s is negative", d, code)
		case money.CheckPrecision(d, cur) != nil:
			return fmt.Errorf("balance %s %s has more than %d decimal places", d, code, cur.Precision)
		}
	}
	return nil
}

// serveAdmin serves, under /_sandbox/wllxpay:
//
//	GET  /balances                  {"BTC":"1000",...}
//	PUT  /balances {"BTC":"12.5"}   sets those; answers all balances
//	GET  /currencies                {"enabled":["BTC",...]}
//	PUT  /currencies {"enabled":[]} replaces them; answers as GET
//	GET  /callback                  {"url":...,"callbacks":[...],"deliveries":[...]}
//	PUT  /callback {"url":"http://..."}
//	                                sets where callbacks go ("" stops them)
//	GET  /deposits                  {"deposits":[{callback fields},...]}
//	POST /status {"foreign_id":"x","status":"error"}
//	                                forces a withdrawal's status (and sends
//	                                its callback); answers
//	                                {"foreign_id":"x","status":"error"}
func (e *Emulator) serveAdmin(w http.ResponseWriter, r *http.Request) {
	e.tick()
	var (
		err  error
		view func() any // the answer, once the change is made
	)
	balances := func() any {
		out := map[string]string{}
		for code, d := range e.Balances() {
			out[code] = d.String()
		}
		return out
	}
	currencies := func() any { return map[string][]string{"enabled": e.Enabled()} }
	switch route := r.Method + " " + r.URL.Path; route {
	case "GET /balances":
		view = balances
	case "PUT /balances":
		var body map[string]string
		if err = decode(r, &body); err == nil {
			err = e.putBalances(body)
		}
		view = balances
	case "GET /currencies":
		view = currencies
	case "PUT /currencies":
		var body struct {
			Enabled *[]string `json:"enabled"`
		}
		err = decode(r, &body)
		switch {
		case err == nil && body.Enabled == nil:
			err = errors.New(`want a JSON body {"enabled":["BTC",...]}`)
		case err == nil:
			err = e.SetEnabled(*body.Enabled)
		}
		view = currencies
	case "GET /callback":
		view = e.callbackView
	case "PUT /callback":
		var body struct {
			URL *string `json:"url"`
		}
		err = decode(r, &body)
		switch {
		case err == nil && body.URL == nil:
			err = errors.New(`want a JSON body {"url":"http://..."} ("" stops callbacks)`)
		case err == nil:
			err = e.SetCallbackURL(*body.URL)
		}
		view = e.callbackView
	case "GET /deposits":
		view = func() any { return map[string]any{"deposits": e.Deposits()} }
	case "POST /status":
		var body struct {
			ForeignID string `json:"foreign_id"`
			Status    string `json:"status"`
		}
		if err = decode(r, &body); err == nil {
			err = e.ForceStatus(body.ForeignID, body.Status)
		}
		view = func() any { return body }
	default:
		emulator.WriteJSONError(w, http.StatusNotFound,
			fmt.Sprintf("no admin route %q; try GET|PUT /balances, GET|PUT /currencies, GET|PUT /callback, GET /deposits, POST /status", route))
		return
	}
	emulator.WriteResult(w, err, view, ErrUnknownWithdrawal)
}

func (e *Emulator) putBalances(body map[string]string) error {
	set := make(map[string]decimal.Decimal, len(body))
	for code, s := range body {
		d, err := money.ParseAmount(s)
		if err != nil {
			return fmt.Errorf("balance %s %q %v", code, s, err)
		}
		set[code] = d
	}
	return e.SetBalances(set)
}

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("bad JSON body: %v", err)
	}
	return nil
}

// callbackView shows where callbacks go and every delivery attempt.
func (e *Emulator) callbackView() any {
	e.mu.Lock()
	url := e.callbackURL
	e.mu.Unlock()
	return map[string]any{"url": url, "callbacks": e.Callbacks(), "deliveries": e.CallbackDeliveries()}
}

package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
)

// Field bounds. The title's is documented; the others are the emulator's
// (a database column's width).
const (
	maxTitle   = 150
	maxOrderID = 255
	maxText    = 1000
)

// createRequest is a validated create call.
type createRequest struct {
	orderID                            string
	price                              decimal.Decimal
	currency                           string
	title, description                 string
	callbackURL, cancelURL, successURL string
}

// parseCreate validates a create call, collecting every field's error.
// The amount may be sent as price_amount (the vendor's curl example and
// plugins) or amount (its parameter table).
func parseCreate(p params) (createRequest, map[string]string) {
	errs := map[string]string{}
	var req createRequest
	req.orderID, _ = p.get("order_id")
	switch {
	case req.orderID == "":
		errs["order_id"] = "is required"
	case utf8.RuneCountInString(req.orderID) > maxOrderID:
		errs["order_id"] = fmt.Sprintf("may not be longer than %d characters", maxOrderID)
	}

	req.currency, _ = p.get("price_currency")
	cur, curOK := priceCurrency(req.currency)
	switch {
	case req.currency == "":
		errs["price_currency"] = "is required"
	case !curOK:
		errs["price_currency"] = "is not supported: " + req.currency
	}

	amountField := "price_amount"
	text, ok := p.get("price_amount")
	if alt, altOK := p.get("amount"); altOK {
		switch {
		case !ok:
			amountField, text = "amount", alt
		case !sameAmount(alt, text):
			errs["amount"] = "differs from price_amount; send one of them"
		}
	}
	if text == "" {
		errs[amountField] = "is required"
	} else {
		req.price = checkAmount(text, cur, curOK, amountField, errs)
	}

	req.title, _ = p.get("title")
	if utf8.RuneCountInString(req.title) > maxTitle {
		errs["title"] = fmt.Sprintf("may not be longer than %d characters", maxTitle)
	}
	req.description, _ = p.get("description")
	if utf8.RuneCountInString(req.description) > maxText {
		errs["description"] = fmt.Sprintf("may not be longer than %d characters", maxText)
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"callback_url", &req.callbackURL}, {"cancel_url", &req.cancelURL}, {"success_url", &req.successURL}} {
		*f.dst, _ = p.get(f.name)
		if *f.dst != "" && !validURL(*f.dst) {
			errs[f.name] = "must be a valid http or https URL"
		}
	}
	return req, errs
}

// checkAmount parses a positive amount within the currency's precision.
func checkAmount(s string, cur money.Currency, curOK bool, field string, errs map[string]string) decimal.Decimal {
	d, err := money.ParseAmount(s)
	switch {
	case errors.Is(err, money.ErrAmountTooLong):
		errs[field] = fmt.Sprintf("may not have more than %d digits", money.MaxAmountDigits)
	case err != nil:
		errs[field] = "must be a decimal number such as 12.50"
	case !d.IsPositive():
		errs[field] = "must be greater than 0"
	case curOK && money.CheckPrecision(d, cur) != nil:
		errs[field] = fmt.Sprintf("may not have more than %d decimal places for %s", cur.Precision, cur.Code)
	}
	return d
}

func sameAmount(a, b string) bool {
	da, errA := money.ParseAmount(a)
	db, errB := money.ParseAmount(b)
	return a == b || errA == nil && errB == nil && da.Equal(db)
}

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && len(s) <= 2048
}

// create serves POST /v1/invoices/create. With StrictOrderID a used
// order_id is refused before anything else, so a resend learns that the
// first request was committed; then every field is validated (422, all at
// once); then the invoices-per-hour limit (429).
func (e *Emulator) create(p params, _ string) reply {
	req, errs := parseCreate(p)
	refuse := func(r reply) reply { return e.refuse(req.orderID, r) }
	if _, used := e.newest[req.orderID]; used && e.strict {
		return refuse(fail(http.StatusUnprocessableEntity, "order_id has already been taken",
			map[string]string{"order_id": "has already been taken"}))
	}
	if len(errs) > 0 {
		return refuse(invalid("Invoice", errs))
	}
	now := e.clock.Now()
	if wait := e.created.wait(now); wait > 0 {
		return refuse(e.tooMany(wait))
	}
	rec := record{
		Op: opCreate, ID: e.lastID + 1, OrderID: req.orderID, Amount: req.price.String(), Currency: req.currency,
		Title: req.title, Description: req.description,
		CallbackURL: req.callbackURL, CancelURL: req.cancelURL, SuccessURL: req.successURL,
		At: now, ExpireAt: now.Add(e.expiry),
	}
	if err := e.commit(rec); err != nil {
		return internalError
	}
	e.created.add(now)
	inv := e.invoices[rec.ID]
	if inv.callbackURL != "" {
		e.expiring.push(inv)
	}
	return reply{status: http.StatusOK, body: inv.view(now)}
}

// refuse counts a refused create request for orderID (if there is one)
// and returns r. Called with e.mu held.
func (e *Emulator) refuse(orderID string, r reply) reply {
	if orderID == "" {
		return r
	}
	if err := e.commit(record{Op: opRequest, OrderID: orderID}); err != nil {
		return internalError
	}
	return r
}

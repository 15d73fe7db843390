package sandbox

import (
	"fmt"
	"net/http"
	"net/mail"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/payform/payform/money"
)

// lookup finds an invoice by the id in a path. Called with e.mu held.
func (e *Emulator) lookup(id string) (*invoice, bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != id {
		return nil, false
	}
	inv, ok := e.invoices[n]
	return inv, ok
}

// checkout serves POST /v1/invoices/{id}/checkout: the shopper's pay
// currency is fixed, with the pay amount from the rate table and a
// deterministic address. Only a new invoice can be checked out.
func (e *Emulator) checkout(p params, id string) reply {
	inv, ok := e.lookup(id)
	if !ok {
		return invoiceNotFound(id)
	}
	now := e.clock.Now()
	errs := map[string]string{}
	code, _ := p.get("pay_currency")
	switch _, ok := payCurrency(code); {
	case code == "":
		errs["pay_currency"] = "is required"
	case !ok:
		errs["pay_currency"] = "is not supported: " + code
	}
	name, _ := p.get("purchaser_fullname")
	if utf8.RuneCountInString(name) > maxOrderID {
		errs["purchaser_fullname"] = fmt.Sprintf("may not be longer than %d characters", maxOrderID)
	}
	email, _ := p.get("purchaser_email")
	if a, err := mail.ParseAddress(email); email != "" && (err != nil || a.Address != email) {
		errs["purchaser_email"] = "must be an email address"
	}
	if s := inv.status(now); s != StatusNew {
		errs["status"] = "is " + s + "; only a new invoice can be checked out"
	}
	if len(errs) > 0 {
		return invalid("Checkout", errs)
	}
	if err := e.checkoutInvoice(inv, code, name, email, now); err != nil {
		return internalError
	}
	return reply{status: http.StatusOK, body: inv.view(now)}
}

// checkoutInvoice journals and applies a checkout in a supported pay
// currency, and sends the "pending" callback when the invoice is pending
// (a payment may check out an expired invoice). Called with e.mu held.
func (e *Emulator) checkoutInvoice(inv *invoice, code, name, email string, now time.Time) error {
	price, _ := priceCurrency(inv.priceCurrency)
	pay, _ := payCurrency(code)
	address, err := money.GenerateAddress(code, []byte(fmt.Sprintf("coinpay24/%d/%s", inv.id, code)))
	if err != nil {
		return err
	}
	rec := record{
		Op: opCheckout, ID: inv.id, Currency: code, PayAmount: convert(inv.price, price, pay).String(),
		Address: address, Name: name, Email: email, At: now,
	}
	if err := e.commit(rec); err != nil {
		return err
	}
	if inv.status(now) == StatusPending {
		e.notify(inv, now)
	}
	return nil
}

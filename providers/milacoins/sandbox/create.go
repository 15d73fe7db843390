package sandbox

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/payform/payform/money"
)

// The fields each create endpoint takes, in the documented order.
var (
	invoiceFields = []fieldSpec{
		{"wallet", "string", true}, {"amount", "number", true}, {"currency", "string", true},
		{"externalID", "string", false}, {"expiredAt", "string", false},
	}
	paymentLinkFields = []fieldSpec{
		{"wallet", "string", true}, {"amount", "number", true}, {"currency", "string", true},
		{"externalID", "string", false}, {"expiredAt", "string", false},
		{"cancelUrl", "string", true}, {"completedUrl", "string", true}, {"callbackUrl", "string", false},
		{"customerEmail", "string", false}, {"customerLastName", "string", false}, {"customerFirstName", "string", false},
	}
)

// createResponse is the documented create answer; expiredAt and
// createdAt are epoch milliseconds.
type createResponse struct {
	ID         string      `json:"id"`
	Wallet     string      `json:"wallet"`
	Amount     json.Number `json:"amount"`
	Currency   string      `json:"currency"`
	ExternalID string      `json:"externalID"`
	URL        string      `json:"url"`
	ExpiredAt  int64       `json:"expiredAt"`
	CreatedAt  int64       `json:"createdAt"`
}

// PaymentURL is where the emulator says a customer pays an invoice; the
// host is reserved (RFC 2606) and never resolves.
const PaymentURL = "https://milacoins.sandbox.invalid/pay/"

// createInvoice serves POST /api/v1/invoices.
func (e *Emulator) createInvoice(c *call) reply { return e.create(c, TypeInvoice, invoiceFields) }

// createPaymentLink serves POST /api/v1/invoices/payment-link.
func (e *Emulator) createPaymentLink(c *call) reply {
	return e.create(c, TypePaymentLink, paymentLinkFields)
}

// create validates in the order the doc comment of check gives, then the
// wallet (1006), the currency (1007), the amount, expiredAt and URLs
// (1602), and in strict mode a repeated externalID (1601). A refused
// request that names an externalID is counted for it.
func (e *Emulator) create(c *call, typ string, specs []fieldSpec) reply {
	f, aerr := parseBody(c.r.Header.Get("Content-Type"), c.body)
	var key string
	if aerr == nil && jsonType(f["externalID"]) == "string" {
		key = f.str("externalID")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if aerr == nil {
		aerr = f.check(specs)
	}
	inv := &invoice{typ: typ, externalID: key, createdAt: c.now}
	if aerr == nil {
		aerr = e.validate(f, inv, c)
	}
	if aerr == nil && e.strict && key != "" && e.newest(key) != nil {
		d := errDuplicate()
		aerr = &d
	}
	if aerr != nil {
		if key != "" {
			if err := e.commit(record{Op: opRequest, Key: key}); err != nil {
				return errInternal().reply(c.requestID)
			}
		}
		return aerr.reply(c.requestID)
	}
	inv.seq = e.lastSeq + 1
	inv.id = newInvoiceID(c.now.Unix(), inv.seq)
	if err := e.commit(invoiceRecord(inv)); err != nil {
		return errInternal().reply(c.requestID)
	}
	e.arm() // its expiry may send a cancel (due.go)
	return reply{status: http.StatusOK, body: createResponse{
		ID: inv.id, Wallet: inv.wallet, Amount: json.Number(inv.amount.String()), Currency: inv.currency,
		ExternalID: inv.externalID, URL: PaymentURL + inv.id,
		ExpiredAt: inv.expiredAt.UnixMilli(), CreatedAt: inv.createdAt.UnixMilli(),
	}}
}

// validate checks the values of a well-typed request and fills inv.
// Called with e.mu held.
func (e *Emulator) validate(f form, inv *invoice, c *call) *apiError {
	inv.wallet, inv.currency = f.str("wallet"), f.str("currency")
	if !slices.Contains(e.wallets, inv.wallet) {
		a := errWallet(inv.wallet, e.wallets)
		return &a
	}
	if !slices.Contains(e.currencies, inv.currency) {
		a := errCurrency(inv.currency, e.currencies)
		return &a
	}
	amount, aerr := checkAmount(f["amount"], inv.currency)
	if aerr != nil {
		return aerr
	}
	inv.amount = amount
	if len(inv.externalID) > 1000 {
		a := errInvalid(`"externalID" may have at most 1000 characters.`)
		return &a
	}
	inv.expiredAt = c.now.Add(e.expiry)
	if s := f.str("expiredAt"); s != "" {
		if inv.expiredAt, aerr = checkExpiry(s, c.now); aerr != nil {
			return aerr
		}
	}
	if inv.typ != TypePaymentLink {
		return nil
	}
	inv.cancelURL, inv.completedURL, inv.callbackURL = f.str("cancelUrl"), f.str("completedUrl"), f.str("callbackUrl")
	for _, u := range []struct{ field, value string }{{"cancelUrl", inv.cancelURL}, {"completedUrl", inv.completedURL}, {"callbackUrl", inv.callbackURL}} {
		if u.value == "" && u.field == "callbackUrl" {
			continue
		}
		if aerr := checkURL(u.field, u.value); aerr != nil {
			return aerr
		}
	}
	inv.email, inv.firstName, inv.lastName = f.str("customerEmail"), f.str("customerFirstName"), f.str("customerLastName")
	return nil
}

// precision is a currency's decimal places, 8 for one payform does not
// know.
func precision(code string) int32 {
	if cur, ok := money.Lookup(code); ok {
		return cur.Precision
	}
	return 8
}

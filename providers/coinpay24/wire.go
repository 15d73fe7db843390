package coinpay24

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers"
)

// invoiceWire is an invoice as create, checkout, get and list answer it.
// Every field is tolerant: ids and amounts may be strings or numbers.
type invoiceWire struct {
	ID              providers.FlexString `json:"id"`
	OrderID         providers.FlexString `json:"order_id"`
	Status          providers.FlexString `json:"status"`
	PriceAmount     providers.FlexString `json:"price_amount"`
	PriceCurrency   providers.FlexString `json:"price_currency"`
	PayAmount       providers.FlexString `json:"pay_amount"`
	PayCurrency     providers.FlexString `json:"pay_currency"`
	PaymentAddress  providers.FlexString `json:"payment_address"`
	PaymentURL      providers.FlexString `json:"payment_url"`
	CreatedAt       providers.FlexString `json:"created_at"`
	ExpireAt        providers.FlexString `json:"expire_at"`
	UnderpaidAmount providers.FlexString `json:"underpaid_amount"`
	OverpaidAmount  providers.FlexString `json:"overpaid_amount"`
}

// listWire is the list answer.
type listWire struct {
	CurrentPage   flexInt       `json:"current_page"`
	PerPage       flexInt       `json:"per_page"`
	TotalInvoices flexInt       `json:"total_invoices"`
	TotalPages    flexInt       `json:"total_pages"`
	Invoices      []invoiceWire `json:"invoices"`
}

// Keys of Object.Fields beyond providers.Result*: the under- and overpaid
// amounts, in pay_currency, when not zero.
const (
	FieldUnderpaidAmount = "underpaid_amount"
	FieldOverpaidAmount  = "overpaid_amount"
)

// object maps an invoice to payform's view. key is used when the answer
// carries no order_id.
func (w invoiceWire) object(key string) providers.Object {
	if w.OrderID != "" {
		key = string(w.OrderID)
	}
	raw := string(w.Status)
	under, over := parseAmount(w.UnderpaidAmount), parseAmount(w.OverpaidAmount)
	o := providers.Object{
		Kind: providers.Invoice, Key: key, ID: string(w.ID),
		Status: mapStatus(raw, under, over), RawStatus: raw,
		Amount: parseAmount(w.PriceAmount), Currency: string(w.PriceCurrency),
		Fields: map[string]string{},
	}
	set := func(k, v string) {
		if v != "" {
			o.Fields[k] = v
		}
	}
	set(providers.ResultPaymentURL, string(w.PaymentURL))
	set(providers.ResultPayAmount, amountText(w.PayAmount))
	set(providers.FieldPayCurrency, string(w.PayCurrency))
	set(providers.ResultPayAddress, string(w.PaymentAddress))
	set(providers.ResultExpiresAt, timeText(w.ExpireAt))
	if under.IsPositive() {
		set(FieldUnderpaidAmount, under.String())
	}
	if over.IsPositive() {
		set(FieldOverpaidAmount, over.String())
	}
	if paid, ok := paidAmount(o, under, over, string(w.PayCurrency)); ok {
		set(providers.ResultPaidAmount, paid.String())
	}
	return o
}

// paidAmount is what was paid, in the price currency, where that is exact:
// the price for a paid invoice; the price less the underpaid or plus the
// overpaid amount when the shopper paid in the price currency itself, for
// a paid invoice or one that received a short payment (pending or
// invalid with underpaid_amount). (CoinPay24 reports under- and
// overpayments in pay_currency.)
func paidAmount(o providers.Object, under, over decimal.Decimal, payCurrency string) (decimal.Decimal, bool) {
	raw := strings.ToLower(o.RawStatus)
	switch {
	case o.Amount.IsZero() || raw != "paid" && !under.IsPositive():
		return decimal.Zero, false
	case raw == "paid" && under.IsZero() && over.IsZero():
		return o.Amount, true
	case payCurrency != o.Currency:
		return decimal.Zero, false
	}
	return o.Amount.Sub(under).Add(over), true
}

// mapStatus maps CoinPay24's invoice statuses to payform's. A paid
// invoice with an underpaid or overpaid amount is underpaid or overpaid;
// an invalid one with an underpaid amount is underpaid (the shopper paid
// short and the invoice's time ran out: nothing was credited); a pending
// one stays pending whatever it says it received ("paid" alone means
// "goods/services can be safely delivered"); refunded counts as
// cancelled (RawStatus keeps the word); "completed", which the vendor's
// plugins test for, is paid. A word CoinPay24 does not document is
// pending, so that payform keeps reading it.
func mapStatus(raw string, under, over decimal.Decimal) providers.Status {
	switch strings.ToLower(raw) {
	case "paid", "completed":
		switch {
		case under.IsPositive():
			return providers.StatusUnderpaid
		case over.IsPositive():
			return providers.StatusOverpaid
		}
		return providers.StatusPaid
	case "expired":
		return providers.StatusExpired
	case "invalid":
		if under.IsPositive() {
			return providers.StatusUnderpaid
		}
		return providers.StatusInvalid
	case "canceled", "cancelled", "refunded":
		return providers.StatusCancelled
	}
	return providers.StatusPending // new, pending, confirming, and anything unknown
}

func parseAmount(s providers.FlexString) decimal.Decimal {
	d, err := money.ParseAmount(string(s))
	if err != nil {
		return decimal.Decimal{}
	}
	return d
}

// amountText normalises an amount, keeping text that is not one.
func amountText(s providers.FlexString) string {
	if d, err := money.ParseAmount(string(s)); err == nil {
		return d.String()
	}
	return string(s)
}

// timeText normalises an ISO 8601 time to RFC 3339 in UTC, keeping text
// that is not one.
func timeText(s providers.FlexString) string {
	if t, err := time.Parse(time.RFC3339, string(s)); err == nil {
		return t.UTC().Format(time.RFC3339)
	}
	return string(s)
}

// flexInt decodes a JSON integer, an integer in a string, or null (0).
type flexInt int

func (f *flexInt) UnmarshalJSON(b []byte) error {
	var s providers.FlexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	if s == "" {
		*f = 0
		return nil
	}
	n, err := strconv.Atoi(string(s))
	if err != nil {
		return fmt.Errorf("want a whole number, got %s", b)
	}
	*f = flexInt(n)
	return nil
}

// fieldErrs decodes `errors` as a field → message map, tolerating values
// that are arrays of messages, and a list of messages (CoinGate's shape,
// kept under "errors").
type fieldErrs map[string]string

func (f *fieldErrs) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		var list []string
		if json.Unmarshal(b, &list) == nil && len(list) > 0 {
			*f = fieldErrs{"errors": strings.Join(list, " ")}
		}
		return nil // other shapes are ignored rather than failing the decode
	}
	out := make(fieldErrs, len(raw))
	for k, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[k] = s
			continue
		}
		var list []string
		if json.Unmarshal(v, &list) == nil {
			out[k] = strings.Join(list, " ")
			continue
		}
		out[k] = string(v)
	}
	*f = out
	return nil
}

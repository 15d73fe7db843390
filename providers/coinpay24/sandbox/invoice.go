package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Invoice statuses, as CoinPay24 names them. New, pending, paid and
// expired follow from the invoice's timestamps; invalid, canceled and
// refunded are set through the admin API.
const (
	StatusNew      = "new"
	StatusPending  = "pending"
	StatusPaid     = "paid"
	StatusExpired  = "expired"
	StatusInvalid  = "invalid"
	StatusCanceled = "canceled"
	StatusRefunded = "refunded"
)

type invoice struct {
	id            int64
	orderID       string
	price         decimal.Decimal
	priceCurrency string
	title         string
	description   string
	callbackURL   string
	cancelURL     string
	successURL    string
	createdAt     time.Time
	expiresAt     time.Time // moved to the payment's time by a late payment

	// Set by checkout: the crypto the shopper pays in.
	payCurrency    string
	payAmount      decimal.Decimal
	address        string
	purchaserName  string
	purchaserEmail string

	// Set by a payment: when, and how much in payCurrency.
	paidAt  time.Time
	paidPay decimal.Decimal

	forced   string // invalid, canceled or refunded, or ""
	notified string // the status a time-driven callback was last sent for
}

// status is the invoice's status at now: a status set through the admin
// API; paid once the payment that arrived covers pay_amount; pending while
// a short payment waits for the rest, invalid once the invoice's time is
// up; expired from expiresAt; pending once checked out; new before. The
// page's paid is "Purchased goods/services can be safely delivered to the
// shopper", which a short payment never is.
func (inv *invoice) status(now time.Time) string {
	switch {
	case inv.forced != "":
		return inv.forced
	case inv.short() && !now.Before(inv.expiresAt):
		return StatusInvalid
	case inv.short():
		return StatusPending
	case !inv.paidAt.IsZero():
		return StatusPaid
	case !now.Before(inv.expiresAt):
		return StatusExpired
	case inv.payCurrency != "":
		return StatusPending
	}
	return StatusNew
}

func (inv *invoice) checkedOut() bool { return inv.payCurrency != "" }

// short reports a payment that arrived for less than pay_amount.
func (inv *invoice) short() bool { return !inv.paidAt.IsZero() && inv.paidPay.LessThan(inv.payAmount) }

// underpaid and overpaid are in payCurrency, zero until paid.
func (inv *invoice) underpaid() decimal.Decimal {
	if inv.paidAt.IsZero() || !inv.paidPay.LessThan(inv.payAmount) {
		return decimal.Zero
	}
	return inv.payAmount.Sub(inv.paidPay)
}

func (inv *invoice) overpaid() decimal.Decimal {
	if inv.paidAt.IsZero() || !inv.paidPay.GreaterThan(inv.payAmount) {
		return decimal.Zero
	}
	return inv.paidPay.Sub(inv.payAmount)
}

// invoiceView is an invoice on the wire. The pay_* fields, expire_at,
// payment_address and the under/overpaid amounts appear only once the
// shopper chose a currency, as the vendor's examples show.
type invoiceView struct {
	ID              int64  `json:"id"`
	OrderID         string `json:"order_id"`
	Status          string `json:"status"`
	PriceAmount     string `json:"price_amount"`
	PriceCurrency   string `json:"price_currency"`
	PayAmount       string `json:"pay_amount,omitempty"`
	PayCurrency     string `json:"pay_currency,omitempty"`
	PaymentAddress  string `json:"payment_address,omitempty"`
	CreatedAt       string `json:"created_at"`
	ExpireAt        string `json:"expire_at,omitempty"`
	UnderpaidAmount string `json:"underpaid_amount,omitempty"`
	OverpaidAmount  string `json:"overpaid_amount,omitempty"`
	PaymentURL      string `json:"payment_url"`
}

func (inv *invoice) view(now time.Time) invoiceView {
	v := invoiceView{
		ID: inv.id, OrderID: inv.orderID, Status: inv.status(now),
		PriceAmount: formatAmount(inv.price), PriceCurrency: inv.priceCurrency,
		CreatedAt: formatTime(inv.createdAt), PaymentURL: paymentURL(inv.id),
	}
	if inv.checkedOut() {
		v.PayAmount, v.PayCurrency, v.PaymentAddress = formatAmount(inv.payAmount), inv.payCurrency, inv.address
		v.ExpireAt = formatTime(inv.expiresAt)
		v.UnderpaidAmount, v.OverpaidAmount = formatAmount(inv.underpaid()), formatAmount(inv.overpaid())
	}
	return v
}

// formatAmount writes an amount as the vendor's examples do: a decimal
// string with at least one decimal place ("10.0", "0.001281"), and zero
// as "0".
func formatAmount(d decimal.Decimal) string {
	s := d.String()
	if !d.IsZero() && !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// formatTime writes ISO 8601 with an explicit "+00:00", as the vendor
// does.
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

// paymentURL is where the shopper would pay. The sandbox has no payment
// page (customers pay through POST /_sandbox/pay); the URL has the
// vendor's shape, with a token derived from the id.
func paymentURL(id int64) string {
	sum := sha256.Sum256([]byte("coinpay24/invoice/" + strconv.FormatInt(id, 10)))
	return "https://coinpay24.com/invoice/" + hex.EncodeToString(sum[:16])
}

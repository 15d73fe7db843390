package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/payform/payform/providers/emulator"
)

// Callback is one status-change callback the emulator sent (its
// deliveries are in Deliveries).
type Callback struct {
	InvoiceID string            `json:"txn_id"`
	OrderID   string            `json:"order_id"`
	Status    string            `json:"status"`
	URL       string            `json:"url"`
	At        time.Time         `json:"at"`
	Fields    map[string]string `json:"fields"`
}

// maxCallbacks bounds the log of sent callbacks.
const maxCallbacks = 10_000

// callbackSchedule is the documented wait before each retry: every minute
// for retries 1-5, 5 minutes for 6-10, 10 for 11-15, 20 for 16-20, 30
// for 21-25, an hour for 26-30, 5 hours for 31-35, a day for 36-40; then
// the callback is given up.
func callbackSchedule() []time.Duration {
	var s []time.Duration
	for _, d := range []time.Duration{time.Minute, 5 * time.Minute, 10 * time.Minute, 20 * time.Minute,
		30 * time.Minute, time.Hour, 5 * time.Hour, 24 * time.Hour} {
		for range 5 {
			s = append(s, d)
		}
	}
	return s
}

// giveUp: CoinPay24 stops on a redirect or 401.
func giveUp(status int) bool {
	return status == http.StatusMovedPermanently || status == http.StatusFound || status == http.StatusUnauthorized
}

// callbackClient never follows redirects (a 301 or 302 ends the
// callback) and waits 20 s for an answer unless told otherwise.
func callbackClient(c *http.Client) *http.Client {
	out := &http.Client{}
	if c != nil {
		*out = *c
	}
	if out.Timeout == 0 {
		out.Timeout = 20 * time.Second
	}
	if out.CheckRedirect == nil {
		out.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return out
}

// callbackFields are the rows of the page's callback table: the
// example's names (txn_id, order_id, status, price_amount, price_currency,
// pay_amount, pay_currency, created_at, verify_hash) and, for the rows
// whose names the page lost, CoinGate's: receive_currency ("the currency
// in which the merchant's settlements will be paid") and receive_amount
// ("the amount which will be credited to the merchant when the invoice
// is paid"), and underpaid_amount and overpaid_amount. The pay_* ones,
// expire_at, payment_address and the under/overpaid amounts only once the
// shopper chose a currency ("Fields pay_currency, pay_amount, expire_at,
// payment_address are only sent when the customer chooses the currency").
// verify_hash signs the rest.
func (e *Emulator) callbackFields(inv *invoice, status string) url.Values {
	v := url.Values{}
	v.Set("txn_id", strconv.FormatInt(inv.id, 10))
	v.Set("order_id", inv.orderID)
	v.Set("status", status)
	v.Set("price_amount", formatAmount(inv.price))
	v.Set("price_currency", inv.priceCurrency)
	receive := e.settlement(inv.priceCurrency)
	v.Set("receive_currency", receive)
	v.Set("receive_amount", formatAmount(settle(inv.price, inv.priceCurrency, receive)))
	v.Set("created_at", formatTime(inv.createdAt))
	if inv.checkedOut() {
		v.Set("pay_amount", formatAmount(inv.payAmount))
		v.Set("pay_currency", inv.payCurrency)
		v.Set("payment_address", inv.address)
		v.Set("expire_at", formatTime(inv.expiresAt))
		v.Set("underpaid_amount", formatAmount(inv.underpaid()))
		v.Set("overpaid_amount", formatAmount(inv.overpaid()))
	}
	v.Set("verify_hash", Sign(e.apiKey, v))
	return v
}

// Sign returns the verify_hash of callback fields: lowercase hex
// HMAC-SHA256 keyed with the API key over the fields other than
// verify_hash, sorted by name and form-encoded as PHP's http_build_query
// does (spaces as "+", "~" escaped).
func Sign(apiKey string, fields url.Values) string {
	m := hmac.New(sha256.New, []byte(apiKey))
	m.Write([]byte(phpEncode(fields, "verify_hash")))
	return hex.EncodeToString(m.Sum(nil))
}

// phpEncode form-encodes fields sorted by name, leaving out skip.
func phpEncode(fields url.Values, skip string) string {
	names := make([]string, 0, len(fields))
	for k := range fields {
		if k != skip {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		for _, v := range fields[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(phpEscape(k) + "=" + phpEscape(v))
		}
	}
	return b.String()
}

func phpEscape(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "~", "%7E") }

// notify sends inv's callback for its status at now, if it has a
// callback_url. Called with e.mu held.
func (e *Emulator) notify(inv *invoice, now time.Time) {
	if inv.callbackURL == "" {
		return
	}
	status := inv.status(now)
	fields := e.callbackFields(inv, status)
	flat := make(map[string]string, len(fields))
	for k := range fields {
		flat[k] = fields.Get(k)
	}
	if len(e.sent) == maxCallbacks {
		e.sent = e.sent[1:]
	}
	e.sent = append(e.sent, Callback{InvoiceID: strconv.FormatInt(inv.id, 10), OrderID: inv.orderID,
		Status: status, URL: inv.callbackURL, At: now, Fields: flat})
	e.notifier.Send(emulator.Callback{
		Method: http.MethodPost, URL: inv.callbackURL,
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		Body:   []byte(phpEncode(fields, "")),
	})
}

package coinpay24

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/payform/payform/providers"
)

// ErrBadCallback is wrapped by every VerifyCallback failure.
var ErrBadCallback = errors.New("coinpay24 callback not verified")

// VerifyCallback checks a payment callback's verify_hash: HMAC-SHA256
// keyed with the API key over the other fields, sorted by name and
// form-encoded as PHP's http_build_query does, in hex. The hex is
// compared case-insensitively, and a 128-digit hash (the vendor's own
// example is that long) is checked as HMAC-SHA512 over the same text.
// A field sent twice is refused, since PHP would read only one of them.
func VerifyCallback(apiKey string, form url.Values) error {
	if apiKey == "" {
		return fmt.Errorf("%w: no API key to check it with", ErrBadCallback)
	}
	for k, v := range form {
		if len(v) != 1 {
			return fmt.Errorf("%w: field %q is sent %d times", ErrBadCallback, k, len(v))
		}
	}
	got := strings.ToLower(form.Get("verify_hash"))
	var h func() hash.Hash
	switch len(got) {
	case 0:
		return fmt.Errorf("%w: no verify_hash", ErrBadCallback)
	case sha256.Size * 2:
		h = sha256.New
	case sha512.Size * 2:
		h = sha512.New
	default:
		return fmt.Errorf("%w: verify_hash has %d characters, want 64 (or 128)", ErrBadCallback, len(got))
	}
	m := hmac.New(h, []byte(apiKey))
	m.Write([]byte(CallbackMessage(form)))
	if !hmac.Equal([]byte(got), []byte(hex.EncodeToString(m.Sum(nil)))) {
		return fmt.Errorf("%w: verify_hash does not match", ErrBadCallback)
	}
	return nil
}

// CallbackMessage is the text verify_hash signs: every field but
// verify_hash, sorted by name, form-encoded as PHP's http_build_query
// (RFC 1738: spaces as "+", everything but letters, digits and "-_."
// escaped in upper-case hex).
func CallbackMessage(form url.Values) string {
	names := make([]string, 0, len(form))
	for k := range form {
		if k != "verify_hash" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		for _, v := range form[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(phpEscape(k))
			b.WriteByte('=')
			b.WriteString(phpEscape(v))
		}
	}
	return b.String()
}

// phpEscape is PHP's urlencode: Go's QueryEscape leaves "~" alone, PHP
// does not.
func phpEscape(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "~", "%7E") }

var _ providers.CallbackVerifier = (*provider)(nil)

// VerifyCallback checks a payment callback exactly as received, for
// `payform callback verify`: the body is the form CoinPay24 POSTs
// ("Content-Type: application/x-www-form-urlencoded"), and its
// verify_hash must be the HMAC-SHA256 the page documents
// (hash_hmac('sha256', POST DATA, 'API_KEY')) with this provider's API
// key (see VerifyCallback). The page's example names the invoice txn_id;
// id is read where txn_id is missing. Every field received is kept in
// Fields.
func (p *provider) VerifyCallback(header http.Header, body []byte) (*providers.Callback, error) {
	if mt, _, _ := mime.ParseMediaType(header.Get("Content-Type")); mt != "" && mt != "application/x-www-form-urlencoded" {
		return nil, fmt.Errorf("Content-Type %q: CoinPay24 callbacks are application/x-www-form-urlencoded", mt)
	}
	form, err := url.ParseQuery(strings.TrimSpace(string(body)))
	if err != nil {
		return nil, fmt.Errorf("the body is not a form: %v", err)
	}
	if err := VerifyCallback(p.c.key, form); err != nil {
		return nil, err
	}
	fields := make(map[string]string, len(form))
	for k := range form {
		fields[k] = form.Get(k)
	}
	id := fields["txn_id"]
	if id == "" {
		id = fields["id"]
	}
	cb := &providers.Callback{
		Type: "invoice", ID: id, Key: fields["order_id"], Status: fields["status"],
		Currency: fields["price_currency"], Amount: fields["price_amount"], Fields: fields, Via: "signature",
	}
	if id != "" {
		obj := callbackInvoice(id, fields).object("")
		cb.Object = &obj
	}
	return cb, nil
}

// callbackInvoice reads a verified callback's fields as the invoice they
// describe (the page's names; under/overpaid amounts and payment_address
// where the callback carries them), so that its status, paid amount and
// pay fields map exactly as a read of the invoice would.
func callbackInvoice(id string, f map[string]string) invoiceWire {
	s := func(k string) providers.FlexString { return providers.FlexString(f[k]) }
	return invoiceWire{
		ID: providers.FlexString(id), OrderID: s("order_id"), Status: s("status"),
		PriceAmount: s("price_amount"), PriceCurrency: s("price_currency"),
		PayAmount: s("pay_amount"), PayCurrency: s("pay_currency"), PaymentAddress: s("payment_address"),
		CreatedAt: s("created_at"), ExpireAt: s("expire_at"),
		UnderpaidAmount: s("underpaid_amount"), OverpaidAmount: s("overpaid_amount"),
	}
}

package coinpay24

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers"
)

const (
	gatewayName     = "coinpay24"
	defaultEndpoint = "https://api.coinpay24.com/v1"
)

// Gateway describes CoinPay24 to payform.
var Gateway = providers.Gateway{
	Name:            gatewayName,
	Title:           "CoinPay24",
	DefaultEndpoint: defaultEndpoint,
	SandboxPath:     "/coinpay24/v1",
	Credentials: []providers.Credential{
		{Attr: "api_key", Env: "COINPAY24_API_KEY", Sandbox: "coinpay24-test-key"},
	},
	Kinds: []providers.KindSupport{
		// order_id is not unique at CoinPay24, so a resend proves nothing;
		// the invoice list, scanned for the order_id, does.
		{Kind: providers.Invoice, InDoubt: providers.LookupByKey, Settle: providers.DefaultSettle},
	},
	InvoiceFields: []string{
		providers.FieldTitle, providers.FieldDescription, providers.FieldCallbackURL,
		providers.FieldSuccessURL, providers.FieldCancelURL, providers.FieldPayCurrency,
	},
	CheckInvoice: checkInvoice,
	Currencies:   currencies,
	Limits: []providers.Limit{
		{N: 200, Per: time.Minute},                   // private endpoints
		{N: 1000, Per: time.Hour},                    // private endpoints
		{N: 1000, Per: time.Hour, CreatesOnly: true}, // invoices
	},
	New: newProvider,
}

// currencies are the price currencies; the crypto ones are also the pay
// currencies.
var currencies = []string{
	"USD", "EUR", "GBP",
	"BTC", "BCH", "LTC", "DOGE", "ETH", "TRX",
	"USDT", "USDTE", "USDTT", "USDTB", "USDC", "DAI",
}

// FieldCheckoutError is the Object.Fields key that explains why the
// checkout after a successful create failed; the invoice exists but has
// no pay currency.
const FieldCheckoutError = "checkout_error"

// provider implements providers.Provider for CoinPay24.
type provider struct {
	c *Client
}

var _ providers.Provider = (*provider)(nil)

func newProvider(s providers.Settings) (providers.Provider, error) {
	key := s.Credentials["api_key"]
	if key == "" {
		return nil, errors.New("coinpay24: api_key is required")
	}
	endpoint := s.Endpoint
	if endpoint == "" {
		endpoint = defaultEndpoint
	}
	return &provider{c: NewClient(endpoint, key, s.HTTPClient)}, nil
}

func (p *provider) Gateway() string { return gatewayName }

func (p *provider) Supports(kind providers.Kind) (providers.KindSupport, bool) {
	return Gateway.Supports(kind)
}

// Create creates an invoice (POST /invoices/create) and, when the request
// names a pay_currency, checks it out in that currency (POST
// /invoices/{id}/checkout). Once the create succeeded the invoice exists,
// so a failed checkout is reported in Fields[FieldCheckoutError], never
// as an error that could make payform create the invoice again.
func (p *provider) Create(ctx context.Context, req providers.Request) (providers.Object, error) {
	if req.Kind != providers.Invoice {
		return providers.Object{}, unsupportedKind(req.Kind)
	}
	if err := Gateway.Refusal("invoices/create", req); err != nil {
		return providers.Object{}, err
	}
	payCurrency := req.Fields[providers.FieldPayCurrency]
	form := url.Values{
		"order_id":       {req.Key},
		"price_amount":   {req.Amount.String()},
		"price_currency": {req.Currency},
	}
	for _, f := range []string{providers.FieldTitle, providers.FieldDescription, providers.FieldCallbackURL,
		providers.FieldCancelURL, providers.FieldSuccessURL} {
		if v := req.Fields[f]; v != "" {
			form.Set(f, v)
		}
	}
	var out invoiceWire
	if err := p.c.post(ctx, "/invoices/create", "invoices/create", form, &out); err != nil {
		return providers.Object{}, err
	}
	if out.ID == "" && out.PaymentURL == "" {
		// A 2xx that names no invoice: whether one was made is for the
		// lookup to settle.
		return providers.Object{}, &providers.Error{Class: providers.Ambiguous, Gateway: gatewayName, Op: "invoices/create",
			Message: "the answer names no invoice (no id, no payment_url)"}
	}
	obj := withRequest(out.object(req.Key), req)
	if payCurrency == "" {
		return obj, nil
	}
	if obj.ID == "" {
		obj.Fields[FieldCheckoutError] = "the create answer has no invoice id to check out"
		return obj, nil
	}
	var co invoiceWire
	err := p.c.post(ctx, "/invoices/"+url.PathEscape(obj.ID)+"/checkout", "invoices/checkout",
		url.Values{"pay_currency": {payCurrency}}, &co)
	if err != nil {
		obj.Fields[FieldCheckoutError] = err.Error()
		return obj, nil
	}
	checked := withRequest(co.object(req.Key), req)
	if checked.ID == "" {
		checked.ID = obj.ID
	}
	for k, v := range obj.Fields {
		if _, ok := checked.Fields[k]; !ok {
			checked.Fields[k] = v
		}
	}
	return checked, nil
}

// withRequest fills what an answer left out from the request.
func withRequest(o providers.Object, req providers.Request) providers.Object {
	if o.Amount.IsZero() {
		o.Amount = req.Amount
	}
	if o.Currency == "" {
		o.Currency = req.Currency
	}
	if o.RawStatus == "" {
		o.RawStatus, o.Status = "new", providers.StatusPending
	}
	return o
}

// checkInvoice: a shopper pays in a crypto currency CoinPay24 takes.
func checkInvoice(req providers.Request) map[string]string {
	if c := req.Fields[providers.FieldPayCurrency]; c != "" && !isPayCurrency(c) {
		return map[string]string{providers.FieldPayCurrency: fmt.Sprintf("pay_currency %q is not a crypto currency CoinPay24 takes", c)}
	}
	return nil
}

// isPayCurrency reports whether a shopper can pay in code: a crypto
// currency among the gateway's.
func isPayCurrency(code string) bool {
	cur, ok := money.Lookup(code)
	return ok && !cur.Fiat && slices.Contains(currencies, code)
}

func unsupportedKind(k providers.Kind) error {
	return &providers.Error{Class: providers.Rejected, Gateway: gatewayName, Message: fmt.Sprintf("%s is not supported by coinpay24", k)}
}

package milacoins

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/payform/payform/providers"
)

const gatewayName = "milacoins"

// DefaultEndpoint is the production base URL: the host, every path
// starting with /api/v1.
const DefaultEndpoint = "https://api.milacoins.com"

// Currencies are the fiat invoice currencies MilaCoins lists in its error
// 1007, in its order.
var Currencies = []string{"AED", "MYR", "BRL", "EUR", "USD", "GBP", "ILS", "JPY", "RUB", "TRY", "UAH", "NZD"}

// Gateway describes MilaCoins to payform. No rate limit is documented
// (only the 429/4302 answer), so Limits is empty: a 429 is Retryable and
// payform's retries honour its Retry-After.
var Gateway = providers.Gateway{
	Name:            gatewayName,
	Title:           "MilaCoins",
	DefaultEndpoint: DefaultEndpoint,
	SandboxPath:     "/milacoins",
	Credentials: []providers.Credential{
		{Attr: "api_key", Env: "MILACOINS_API_KEY", Sandbox: "milacoins-test-key"},
		{Attr: "secret_key", Env: "MILACOINS_SECRET_KEY", Sandbox: "milacoins-test-secret"},
	},
	// wallet: the provider block's default wallet (the invoice currency
	// when unset).
	Options: []string{"wallet"},
	Kinds: []providers.KindSupport{
		// externalID is not unique at MilaCoins: an in-doubt create is
		// settled by listing invoices with its externalID.
		{Kind: providers.Invoice, InDoubt: providers.LookupByKey, Settle: providers.DefaultSettle},
	},
	InvoiceFields: []string{
		providers.FieldWallet, providers.FieldCallbackURL, providers.FieldSuccessURL,
		providers.FieldCancelURL, providers.FieldCustomerEmail, providers.FieldExpiresAt,
	},
	CheckInvoice: checkInvoice,
	Currencies:   Currencies,
	New:          newProvider,
}

func newProvider(s providers.Settings) (providers.Provider, error) {
	return NewClient(Options{
		Endpoint: s.Endpoint, APIKey: s.Credentials["api_key"], Secret: s.Credentials["secret_key"],
		HTTPClient: s.HTTPClient, Wallet: s.Options["wallet"],
	})
}

// Gateway returns "milacoins".
func (c *Client) Gateway() string { return gatewayName }

// Supports reports how the client handles kind: invoices only.
func (c *Client) Supports(kind providers.Kind) (providers.KindSupport, bool) {
	return Gateway.Supports(kind)
}

// Create makes one invoice keyed by externalID = req.Key: a payment link
// (POST /api/v1/invoices/payment-link) when the invoice declares
// success_url and cancel_url, else a plain invoice (POST
// /api/v1/invoices). The answer carries no status; a new invoice is
// reported pending, "init" for a payment link and "new" for a plain one,
// as the sandbox starts them.
func (c *Client) Create(ctx context.Context, req providers.Request) (providers.Object, error) {
	if req.Kind != providers.Invoice {
		return providers.Object{}, &providers.Error{Class: providers.Rejected, Gateway: gatewayName, Op: "create",
			Message: fmt.Sprintf("%s is not supported by milacoins", req.Kind)}
	}
	in, link, err := c.createRequest(req)
	if err != nil {
		return providers.Object{}, err
	}
	path, op, raw := "/api/v1/invoices", "invoices", "new"
	if link {
		path, op, raw = "/api/v1/invoices/payment-link", "invoices/payment-link", "init"
	}
	var out createResponse
	if err := c.do(ctx, http.MethodPost, path, nil, in, op, &out); err != nil {
		return providers.Object{}, err
	}
	inv := Invoice{ID: out.ID, Status: out.Status, InvoiceCurrency: out.Currency, InvoiceAmount: out.Amount,
		Wallet: out.Wallet, URL: out.URL, ExpiredAt: out.ExpiredAt}
	if inv.ID == "" {
		inv.ID = out.MongoID
	}
	if inv.ID == "" {
		return providers.Object{}, &providers.Error{Class: providers.Ambiguous, Gateway: gatewayName, Op: op, Message: "answer without an invoice id"}
	}
	if inv.Status == "" {
		inv.Status = raw
	}
	if inv.InvoiceCurrency == "" {
		inv.InvoiceCurrency = req.Currency
	}
	if inv.InvoiceAmount.IsZero() {
		inv.InvoiceAmount = req.Amount
	}
	return inv.object(req.Key), nil
}

// checkInvoice: a payment link needs both of its URLs, callback_url and
// customer_email exist only on payment links, and expires_at is an RFC
// 3339 time.
func checkInvoice(req providers.Request) map[string]string {
	f := req.Fields
	out := map[string]string{}
	success, cancel := f[providers.FieldSuccessURL], f[providers.FieldCancelURL]
	switch {
	case success != "" && cancel == "":
		out[providers.FieldSuccessURL] = "a MilaCoins payment link needs both success_url and cancel_url; declare cancel_url too, or neither for a plain invoice"
	case cancel != "" && success == "":
		out[providers.FieldCancelURL] = "a MilaCoins payment link needs both success_url and cancel_url; declare success_url too, or neither for a plain invoice"
	case success == "":
		for _, name := range []string{providers.FieldCallbackURL, providers.FieldCustomerEmail} {
			if f[name] != "" {
				out[name] = name + " is taken only by MilaCoins payment links; declare success_url and cancel_url too"
			}
		}
	}
	if s := f[providers.FieldExpiresAt]; s != "" {
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			out[providers.FieldExpiresAt] = fmt.Sprintf("expires_at %q is not an RFC 3339 time such as 2026-12-31T23:59:00Z", s)
		}
	}
	return out
}

// createRequest maps an invoice onto the wire. The wallet is the
// invoice's wallet field, else the provider's, else the invoice currency.
// callback_url and customer_email exist only on payment links, and a
// payment link needs both of its URLs: other combinations are refused
// here, before anything is sent.
func (c *Client) createRequest(req providers.Request) (createRequest, bool, error) {
	f := req.Fields
	if err := Gateway.Refusal("create", req); err != nil {
		return createRequest{}, false, err
	}
	success, cancel := f[providers.FieldSuccessURL], f[providers.FieldCancelURL]
	link := success != "" && cancel != ""
	wallet := f[providers.FieldWallet]
	if wallet == "" {
		wallet = c.wallet
	}
	if wallet == "" {
		wallet = req.Currency
	}
	in := createRequest{
		Wallet: wallet, Amount: jsonNumber(req.Amount), Currency: req.Currency,
		ExternalID: req.Key, ExpiredAt: f[providers.FieldExpiresAt],
	}
	if link {
		in.CancelURL, in.CompletedURL = cancel, success
		in.CallbackURL, in.CustomerEmail = f[providers.FieldCallbackURL], f[providers.FieldCustomerEmail]
	}
	return in, link, nil
}

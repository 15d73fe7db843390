package coinilla

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/payform/payform/providers"
)

const gatewayName = "coinilla"

// fieldPendingURL is where a buyer whose payment is still unconfirmed
// returns (unconfirm_url).
const fieldPendingURL = providers.FieldPendingURL

// Gateway describes Coinilla to payform.
var Gateway = providers.Gateway{
	Name:            gatewayName,
	Title:           "Coinilla",
	DefaultEndpoint: "https://www.coinilla.com",
	SandboxPath:     "/coinilla",
	Credentials: []providers.Credential{
		{Attr: "api_key", Env: "COINILLA_API_KEY", Sandbox: "coinilla-test-key"},
	},
	Kinds: []providers.KindSupport{
		// Sent with duplicate_refnum=0, a repeated refnum is refused: an
		// accepted resend proves the first never landed. The refusal does
		// not say which invoice holds the refnum, and verify needs that
		// id, so a duplicate leaves the item unknown. verify (func=3)
		// proves an invoice id and refnum belong together, and says no
		// amount.
		{Kind: providers.Invoice, InDoubt: providers.Resend, DuplicateAdopts: false, Unread: providers.UnreadAmount, RefreshEach: true},
	},
	InvoiceFields: []string{providers.FieldDescription, providers.FieldSuccessURL, providers.FieldCancelURL, providers.FieldPendingURL},
	// The documented currencies, all of which money knows.
	Currencies: []string{"BTC", "USD", "EUR", "GBP", "CNY", "CHF", "JPY", "INR", "RUB"},
	New:        newProvider,
}

// provider implements providers.Provider for Coinilla.
type provider struct{ c *Client }

var _ providers.Provider = (*provider)(nil)

func newProvider(s providers.Settings) (providers.Provider, error) {
	key := s.Credentials["api_key"]
	if key == "" {
		return nil, errors.New("coinilla: api_key is required")
	}
	return &provider{c: NewClient(s.Endpoint, key, s.HTTPClient)}, nil
}

func (p *provider) Gateway() string { return gatewayName }

func (p *provider) Supports(kind providers.Kind) (providers.KindSupport, bool) {
	return Gateway.Supports(kind)
}

// Create requests a payment with refnum = the merchant key and
// duplicate_refnum=0.
func (p *provider) Create(ctx context.Context, req providers.Request) (providers.Object, error) {
	if req.Kind != providers.Invoice {
		return providers.Object{}, &providers.Error{Class: providers.Rejected, Gateway: gatewayName, Op: "pay",
			Message: fmt.Sprintf("%s is not supported by coinilla", req.Kind)}
	}
	id, err := p.c.Pay(ctx, PayRequest{
		Currency: req.Currency, Amount: req.Amount, Refnum: req.Key,
		Desc:      req.Fields[providers.FieldDescription],
		ReturnURL: req.Fields[providers.FieldSuccessURL], FailURL: req.Fields[providers.FieldCancelURL],
		UnconfirmURL: req.Fields[fieldPendingURL],
	})
	if err != nil {
		return providers.Object{}, err
	}
	return providers.Object{
		Kind: providers.Invoice, Key: req.Key, ID: id,
		Status: providers.StatusPending, RawStatus: StatusNotPaid,
		Amount: req.Amount, Currency: req.Currency,
		Fields: map[string]string{providers.ResultPaymentURL: p.c.PaymentURL(id)},
	}, nil
}

// Lookup is unsupported: verify needs the invoice id beside the refnum.
func (p *provider) Lookup(context.Context, providers.Query) (providers.Object, error) {
	return providers.Object{}, providers.ErrUnsupported
}

// Refresh verifies each invoice by id and refnum, one request each (there
// is no list). An invoice Coinilla does not know is left out; a ref
// without an id cannot be verified and is left out too.
func (p *provider) Refresh(ctx context.Context, refs []providers.Ref) ([]providers.Object, error) {
	var out []providers.Object
	for _, r := range refs {
		if r.Kind != providers.Invoice || r.ID == "" {
			continue
		}
		v, err := p.c.Verify(ctx, r.ID, r.Key)
		if errors.Is(err, ErrInvoiceNotFound) {
			continue // not read: never reported as gone
		}
		if err != nil {
			return out, err
		}
		out = append(out, providers.Object{
			Kind: providers.Invoice, Key: r.Key, ID: r.ID,
			Status: MapStatus(v), RawStatus: v.Status,
			Fields: map[string]string{providers.ResultPaymentURL: p.c.PaymentURL(r.ID)},
		})
	}
	return out, nil
}

// List is not supported: the gateway documents no list of its objects.
func (p *provider) List(context.Context, providers.Kind, time.Time) ([]providers.Object, error) {
	return nil, providers.ErrUnsupported
}

package miraclepay

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/payform/payform/providers"
)

const gatewayName = "miraclepay"

// Result fields beyond providers' Result* names.
const (
	ResultCommission  = "commission_amount" // USD, the vendor's commissionAmount
	ResultTotalAmount = "total_amount"      // USD the customer pays: prompt.amount
	ResultBlockchain  = "blockchain"        // the network the status names
)

// NotePrefix starts the note of every prompt payform creates; the merchant
// key follows it, so that a person can find the prompt in the dashboard.
const NotePrefix = "payform:"

// DefaultPayer is the payer sent when the request names none: the
// merchant absorbs the commission, so the customer is asked for exactly
// the declared amount.
const DefaultPayer = "merchant"

// Gateway describes MiraclePay to payform.
var Gateway = providers.Gateway{
	Name:            gatewayName,
	Title:           "MiraclePay",
	DefaultEndpoint: "https://api.miraclecash.info",
	SandboxPath:     "/miraclepay",
	Credentials: []providers.Credential{
		{Attr: "client_id", Env: "MIRACLEPAY_CLIENT_ID", Sandbox: "miraclepay-test-client"},
		{Attr: "api_key", Env: "MIRACLEPAY_API_KEY", Sandbox: "mpay_test_key"},
	},
	Kinds: []providers.KindSupport{
		// No merchant key and no search: a create in doubt stays unknown
		// until an operator settles it.
		// A read by id answers only id, blockchainId, status and
		// createdAt: neither the key (the note) nor the amount.
		{Kind: providers.Invoice, InDoubt: providers.Manual, Unread: providers.UnreadKey | providers.UnreadAmount, RefreshEach: true},
	},
	InvoiceFields: []string{providers.FieldPayer, providers.FieldBlockchains, providers.FieldSuccessURL, providers.FieldDescription},
	CheckInvoice:  checkInvoice,
	Currencies:    []string{"USD"},
	New:           newProvider,
}

// provider implements providers.Provider for MiraclePay.
type provider struct{ c *Client }

var _ providers.Provider = (*provider)(nil)

func newProvider(s providers.Settings) (providers.Provider, error) {
	id, key := s.Credentials["client_id"], s.Credentials["api_key"]
	if id == "" || key == "" {
		return nil, errors.New("miraclepay: client_id and api_key are required")
	}
	return &provider{c: NewClient(s.Endpoint, id, key, s.HTTPClient)}, nil
}

// checkInvoice: a prompt names the blockchains it may be paid on, and
// its payer (who bears the commission) is the merchant or the customer.
func checkInvoice(req providers.Request) map[string]string {
	out := map[string]string{}
	if len(SplitBlockchains(req.Fields[providers.FieldBlockchains])) == 0 {
		out[providers.FieldBlockchains] = `blockchains is required: the blockchain ids the customer may pay on, e.g. "eth,btc"`
	}
	if p := req.Fields[providers.FieldPayer]; p != "" && p != "merchant" && p != "customer" {
		out[providers.FieldPayer] = fmt.Sprintf(`payer %q must be "merchant" or "customer" (who pays MiraclePay's commission)`, p)
	}
	return out
}

func (p *provider) Gateway() string { return gatewayName }

func (p *provider) Supports(kind providers.Kind) (providers.KindSupport, bool) {
	return Gateway.Supports(kind)
}

// Create makes a payment prompt whose note carries the merchant key.
// Requests MiraclePay would refuse for want of a currency or blockchains
// are refused here, without a call.
func (p *provider) Create(ctx context.Context, req providers.Request) (providers.Object, error) {
	refuse := func(msg string) error {
		return &providers.Error{Class: providers.Rejected, Gateway: gatewayName, Op: "create prompt", Message: msg}
	}
	switch {
	case req.Kind != providers.Invoice:
		return providers.Object{}, refuse(fmt.Sprintf("%s is not supported by miraclepay", req.Kind))
	case req.Currency != "USD":
		return providers.Object{}, refuse(fmt.Sprintf("MiraclePay prompts are in USD, not %s", req.Currency))
	}
	if err := Gateway.Refusal("create prompt", req); err != nil {
		return providers.Object{}, err
	}
	chains := SplitBlockchains(req.Fields[providers.FieldBlockchains])
	payer := req.Fields[providers.FieldPayer]
	if payer == "" {
		payer = DefaultPayer
	}
	pr, err := p.c.CreatePrompt(ctx, PromptRequest{
		Amount: req.Amount, BlockchainIDs: chains, Payer: payer,
		Note: Note(req.Key, req.Fields[providers.FieldDescription]), RedirectURL: req.Fields[providers.FieldSuccessURL],
	})
	if err != nil {
		return providers.Object{}, err
	}
	fields := map[string]string{
		providers.ResultPaymentURL: pr.CheckoutURL,
		ResultCommission:           pr.CommissionAmount.StringFixed(2),
		ResultTotalAmount:          pr.Amount.String(),
	}
	if !pr.ExpiresAt.IsZero() {
		fields[providers.ResultExpiresAt] = pr.ExpiresAt.Format(time.RFC3339)
	}
	return providers.Object{
		Kind: providers.Invoice, Key: req.Key, ID: pr.ID,
		Status: MapStatus(pr.Status), RawStatus: pr.Status,
		Amount: req.Amount, Currency: "USD", Fields: fields,
	}, nil
}

// Note is the note payform writes: "payform:KEY", then the description
// after a space.
func Note(key, description string) string {
	if description = strings.TrimSpace(description); description != "" {
		return NotePrefix + key + " " + description
	}
	return NotePrefix + key
}

// SplitBlockchains reads a comma-separated list of blockchain ids.
func SplitBlockchains(s string) []string {
	var out []string
	for _, id := range strings.Split(s, ",") {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// Lookup is unsupported: MiraclePay finds prompts by id only.
func (p *provider) Lookup(context.Context, providers.Query) (providers.Object, error) {
	return providers.Object{}, providers.ErrUnsupported
}

// Refresh reads each prompt by id, one request each (there is no list).
// A prompt MiraclePay does not know, and a ref without an id, are left
// out.
func (p *provider) Refresh(ctx context.Context, refs []providers.Ref) ([]providers.Object, error) {
	var out []providers.Object
	for _, r := range refs {
		if r.Kind != providers.Invoice || r.ID == "" {
			continue
		}
		st, err := p.c.GetPrompt(ctx, r.ID)
		if errors.Is(err, ErrPromptNotFound) {
			continue // not read: never reported as gone
		}
		if err != nil {
			return out, err
		}
		// The answer names neither the key nor the amount (Gateway.Kinds
		// says so: Unread): the object carries the ref's key and no
		// amount.
		obj := providers.Object{Kind: providers.Invoice, Key: r.Key, ID: r.ID, Status: MapStatus(st.Status), RawStatus: st.Status, Currency: "USD",
			Fields: map[string]string{}}
		if st.BlockchainID != "" {
			obj.Fields[ResultBlockchain] = st.BlockchainID
		}
		if !st.CreatedAt.IsZero() {
			obj.Fields[providers.ResultCreatedAt] = st.CreatedAt.Format(time.RFC3339Nano)
		}
		out = append(out, obj)
	}
	return out, nil
}

// List is not supported: the gateway documents no list of its objects.
func (p *provider) List(context.Context, providers.Kind, time.Time) ([]providers.Object, error) {
	return nil, providers.ErrUnsupported
}

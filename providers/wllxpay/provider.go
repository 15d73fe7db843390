package wllxpay

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers"
)

const gatewayName = "wllxpay"

// Gateway describes WllxPay to payform.
var Gateway = providers.Gateway{
	Name:            gatewayName,
	Title:           "WllxPay",
	DefaultEndpoint: "https://app.wllxpay.io/api/v1",
	SandboxPath:     "/wllxpay/api/v1",
	Credentials: []providers.Credential{
		{Attr: "api_key", Env: "WLLXPAY_API_KEY", Sandbox: "wllxpay-test-key"},
		{Attr: "secret_key", Env: "WLLXPAY_SECRET_KEY", Sandbox: "wllxpay-test-secret"},
	},
	Options:     []string{"v2_lookup"},
	CheckOption: checkOption,
	Kinds: []providers.KindSupport{
		// A resend with the same foreign_id is refused as "already taken",
		// which proves the first landed; that is enough to manage a payout.
		// With v2_lookup, a payout's status is read by one lookup each.
		{Kind: providers.Payout, InDoubt: providers.Resend, DuplicateAdopts: true, EchoesTag: true, RefreshEach: true},
		// addresses/take may be repeated; each call makes a new address.
		{Kind: providers.DepositAddress, InDoubt: providers.Retake},
	},
	Currencies: money.CryptoCodes(), // v1 has no fiat operations
	Unreadable: unreadable,
	New:        newProvider,
}

// unreadable: v1 has no endpoint that reads a withdrawal back; only the
// v2 lookup (v2_lookup = true) can.
func unreadable(kind providers.Kind, options map[string]string) string {
	if kind == providers.Payout && options["v2_lookup"] != "true" {
		return "WllxPay's v1 API cannot read a withdrawal back (v2_lookup = true enables CoinsPaid's v2 lookup, which WllxPay does not document)"
	}
	return ""
}

// provider implements providers.Provider for WllxPay.
type provider struct {
	c        *Client
	v2Lookup bool
}

var _ providers.Provider = (*provider)(nil)

func newProvider(s providers.Settings) (providers.Provider, error) {
	key, secret := s.Credentials["api_key"], s.Credentials["secret_key"]
	if key == "" || secret == "" {
		return nil, errors.New("wllxpay: api_key and secret_key are required")
	}
	if msg := checkOption("v2_lookup", s.Options["v2_lookup"]); msg != "" {
		return nil, errors.New("wllxpay: " + msg)
	}
	return &provider{c: NewClient(s.Endpoint, key, secret, s.HTTPClient), v2Lookup: s.Options["v2_lookup"] == "true"}, nil
}

// checkOption: v2_lookup is true or false.
func checkOption(name, value string) string {
	if name == "v2_lookup" && value != "" && value != "true" && value != "false" {
		return fmt.Sprintf("v2_lookup must be true or false, not %q", value)
	}
	return ""
}

func (p *provider) Gateway() string { return gatewayName }

func (p *provider) Supports(kind providers.Kind) (providers.KindSupport, bool) {
	return Gateway.Supports(kind)
}

func (p *provider) Create(ctx context.Context, req providers.Request) (providers.Object, error) {
	switch req.Kind {
	case providers.Payout:
		return p.withdraw(ctx, req)
	case providers.DepositAddress:
		return p.take(ctx, req)
	}
	return providers.Object{}, unsupportedKind(req.Kind)
}

func (p *provider) withdraw(ctx context.Context, req providers.Request) (providers.Object, error) {
	in := withdrawalRequest{Currency: req.Currency, ForeignID: req.Key, Amount: req.Amount.String(), Address: req.Address, Tag: req.Tag}
	var out envelope[transaction]
	if err := p.c.do(ctx, "POST", p.c.base+"/withdrawal/make", "withdrawal/make", in, &out); err != nil {
		return providers.Object{}, err
	}
	// obj.Tag is the answer's tag exactly as echoed ("" when null or
	// missing), never req.Tag: the executor compares the two.
	obj := out.Data.object(providers.Payout, req.Key)
	if obj.Currency == "" {
		obj.Currency = req.Currency
	}
	if obj.Address == "" {
		obj.Address = req.Address
	}
	if obj.Amount.IsZero() {
		obj.Amount = req.Amount
	}
	if obj.RawStatus == "" {
		obj.RawStatus, obj.Status = "processing", providers.StatusSubmitted
	}
	return obj, nil
}

func (p *provider) take(ctx context.Context, req providers.Request) (providers.Object, error) {
	in := takeRequest{Currency: req.Currency, ForeignID: req.Key}
	var out envelope[depositAddress]
	if err := p.c.do(ctx, "POST", p.c.base+"/addresses/take", "addresses/take", in, &out); err != nil {
		return providers.Object{}, err
	}
	d := out.Data
	if d.Address == "" {
		return providers.Object{}, &providers.Error{Class: providers.Ambiguous, Gateway: gatewayName, Op: "addresses/take", Message: "answer without an address"}
	}
	cur := string(d.Currency)
	if cur == "" {
		cur = req.Currency
	}
	return providers.Object{
		Kind: providers.DepositAddress, Key: req.Key, ID: string(d.ID),
		Status: providers.StatusActive, RawStatus: "active",
		Currency: cur, Address: string(d.Address), Tag: string(d.Tag),
	}, nil
}

// Lookup finds a withdrawal by foreign_id through the v2
// transactions/info endpoint, when the provider block enables it. WllxPay
// does not document that endpoint, so it is off by default.
func (p *provider) Lookup(ctx context.Context, q providers.Query) (providers.Object, error) {
	kind, key := q.Kind, q.Key
	if kind != providers.Payout || !p.v2Lookup {
		return providers.Object{}, providers.ErrUnsupported
	}
	var out envelope[v2Transaction]
	err := p.c.do(ctx, "GET", p.c.v2Base()+"/transactions/info", "transactions/info", map[string]string{"foreign_id": key}, &out)
	var perr *providers.Error
	if errors.As(err, &perr) && perr.Status == 404 && perr.Fields["foreign_id"] != "" {
		return providers.Object{}, providers.ErrNotFound
	}
	if err != nil {
		return providers.Object{}, err
	}
	if t := out.Data; t.ID == "" || (t.ForeignID != "" && string(t.ForeignID) != key) {
		// A 2xx that names no transaction, or another one: neither found
		// nor proven absent.
		return providers.Object{}, &providers.Error{Class: providers.Ambiguous, Gateway: gatewayName, Op: "transactions/info",
			Message: fmt.Sprintf("the answer names no transaction with foreign_id %q", key)}
	}
	return out.Data.object(key), nil
}

// Refresh reads payout statuses one by one through v2 (v1 has no read
// endpoint at all). Deposit addresses have no status to refresh.
func (p *provider) Refresh(ctx context.Context, refs []providers.Ref) ([]providers.Object, error) {
	if !p.v2Lookup {
		return nil, providers.ErrUnsupported
	}
	var out []providers.Object
	for _, r := range refs {
		if r.Kind != providers.Payout {
			continue
		}
		obj, err := p.Lookup(ctx, providers.Query{Kind: r.Kind, Key: r.Key})
		if errors.Is(err, providers.ErrNotFound) {
			continue // not read: never reported as gone
		}
		if err != nil {
			return out, err
		}
		out = append(out, obj)
	}
	return out, nil
}

func unsupportedKind(k providers.Kind) error {
	return &providers.Error{Class: providers.Rejected, Gateway: gatewayName, Message: fmt.Sprintf("%s is not supported by wllxpay", k)}
}

// mapStatus maps WllxPay's transaction statuses (v1 callbacks and create
// answers, v2 lookups) to payform's.
func mapStatus(raw string) providers.Status {
	switch strings.ToLower(raw) {
	case "confirmed":
		return providers.StatusConfirmed
	case "error", "rejected":
		return providers.StatusFailed
	case "cancelled", "canceled":
		return providers.StatusCancelled
	default: // processing, not_confirmed, not_enough_fee, pending, verifying ...
		return providers.StatusSubmitted
	}
}

func parseAmount(s providers.FlexString) decimal.Decimal {
	d, err := money.ParseAmount(string(s))
	if err != nil {
		return decimal.Decimal{}
	}
	return d
}

// List is not supported: the gateway documents no list of its objects.
func (p *provider) List(context.Context, providers.Kind, time.Time) ([]providers.Object, error) {
	return nil, providers.ErrUnsupported
}

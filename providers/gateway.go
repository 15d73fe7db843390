package providers

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Gateway describes one gateway to the rest of payform: how its provider
// block is configured, what it supports, and how to build a client.
type Gateway struct {
	Name            string // "wllxpay"
	Title           string // "WllxPay"
	DefaultEndpoint string // the vendor's base URL
	// SandboxPath is the base path of the gateway's API under `payform
	// sandbox serve`, e.g. "/wllxpay/api/v1".
	SandboxPath string
	Credentials []Credential
	// Options are gateway-specific provider-block attributes (strings or
	// bools), passed to New as Settings.Options.
	Options []string
	// CheckOption, when set, checks one option's value and says what is
	// wrong with it ("" when nothing), so that the configuration is
	// refused at the attribute, before any provider is opened.
	CheckOption func(name, value string) string
	Kinds       []KindSupport
	// InvoiceFields lists the invoice fields (Field*) the gateway takes.
	InvoiceFields []string
	// Currencies lists the currency codes the gateway handles.
	Currencies []string
	// CheckInvoice, when set, checks an invoice against rules the gateway
	// enforces (a field it requires, a value it refuses) and returns a
	// message per field name. payform runs it when it reads the
	// configuration, so a declaration the gateway would refuse is an error
	// at its line, not a create the gateway refuses; the client runs it
	// again (Refusal) before sending.
	CheckInvoice func(Request) map[string]string
	// Limits are the gateway's documented rate limits, all enforced at
	// once per account (Limiter).
	Limits []Limit
	// Unreadable, when set, says why the statuses of a kind cannot be
	// read back from the gateway with a block's options ("" when they
	// can): payform then learns them only from the gateway's callbacks
	// (`payform callback serve`), and says so.
	Unreadable func(kind Kind, options map[string]string) string
	// New builds a client for one configured provider block.
	New func(Settings) (Provider, error)
}

// Credential is one secret a provider block needs.
type Credential struct {
	Attr    string // attribute in the provider block, e.g. "api_key"
	Env     string // environment variable, e.g. "WLLXPAY_API_KEY"
	Sandbox string // the sandboxes' fixed test value
}

// Limit is "at most N requests per Per".
type Limit struct {
	N   int
	Per time.Duration
	// CreatesOnly limits only create calls (e.g. invoices per hour).
	CreatesOnly bool
}

// Settings configures one provider instance.
type Settings struct {
	// Name is the provider's name in configuration: "wllxpay" or
	// "wllxpay.eu".
	Name     string
	Endpoint string
	// Credentials by Credential.Attr. Never logged, stored or printed.
	Credentials map[string]string
	// HTTPClient is used for every request. Under gateways.Open its
	// transport waits for the account's rate limiter and then bounds the
	// request by the block's timeout; its own Timeout is then zero.
	HTTPClient *http.Client
	// Options carries gateway-specific provider-block settings, e.g.
	// wllxpay's "v2_lookup".
	Options map[string]string
}

// StatusUnreadable says why statuses of kind cannot be read back with
// options, "" when they can.
func (g Gateway) StatusUnreadable(kind Kind, options map[string]string) string {
	if g.Unreadable == nil {
		return ""
	}
	return g.Unreadable(kind, options)
}

// Supports reports whether the gateway handles kind.
func (g Gateway) Supports(kind Kind) (KindSupport, bool) {
	for _, k := range g.Kinds {
		if k.Kind == kind {
			return k, true
		}
	}
	return KindSupport{}, false
}

// Refusal returns what CheckInvoice finds in an invoice request as one
// Rejected error, nil when it finds nothing: clients call it before they
// send anything.
func (g Gateway) Refusal(op string, req Request) error {
	if g.CheckInvoice == nil || req.Kind != Invoice {
		return nil
	}
	problems := g.CheckInvoice(req)
	if len(problems) == 0 {
		return nil
	}
	msgs := make([]string, 0, len(problems))
	for _, f := range slices.Sorted(maps.Keys(problems)) {
		msgs = append(msgs, problems[f])
	}
	return &Error{Class: Rejected, Gateway: g.Name, Op: op, Message: strings.Join(msgs, "; "), Fields: problems}
}

// HasCurrency reports whether the gateway handles the currency code.
func (g Gateway) HasCurrency(code string) bool {
	for _, c := range g.Currencies {
		if c == code {
			return true
		}
	}
	return false
}

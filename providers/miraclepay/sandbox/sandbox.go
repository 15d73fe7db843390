package sandbox

import (
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers/emulator"
)

// Defaults.
const (
	DefaultClientID    = "miraclepay-test-client"
	DefaultAPIKey      = "mpay_test_key"
	DefaultExpiry      = 24 * time.Hour
	DefaultCheckoutURL = "https://checkout.miraclepay.com/"
	// MaxDomains is the vendor's limit of allowed redirect domains.
	MaxDomains = 20
)

// DefaultCommissionPercent is the commission when the payer is the
// customer (the vendor's example: 100.50 → 103.52).
var DefaultCommissionPercent = decimal.NewFromInt(3)

// Options configures an Emulator. The zero value is a working, active
// merchant admin with the default credentials, kept in memory.
type Options struct {
	ClientID string // DefaultClientID when empty
	APIKey   string // DefaultAPIKey when empty
	// Store keeps the emulator's data; nil keeps it in memory only.
	Store *emulator.Journal
	Clock emulator.Clock
	// CommissionPercent is the commission on every prompt, added to the
	// amount when the customer pays it; DefaultCommissionPercent when
	// zero.
	CommissionPercent decimal.Decimal
	// Expiry is how long a prompt can be paid; DefaultExpiry when zero.
	Expiry time.Duration
	// AllowedDomains are the redirect domains of the merchant's dashboard
	// (at most MaxDomains); nil means DefaultDomains, an empty non-nil
	// list none at all.
	AllowedDomains []string
	// PaymentAddresses maps blockchain ids to the merchant's addresses;
	// nil means DefaultAddresses, an empty non-nil map none at all.
	PaymentAddresses map[string]string
	// Blockchains are the active blockchains; nil means
	// DefaultBlockchains.
	Blockchains []Blockchain
	// UserInactive, NotMerchantAdmin and NoMainBranch start the account
	// in the state that the documented 401s and "Main branch not found"
	// answer; the admin API changes it later.
	UserInactive, NotMerchantAdmin, NoMainBranch bool
	// CheckoutURL is the checkout page; the prompt id is appended as
	// ?sessionId=. DefaultCheckoutURL when empty.
	CheckoutURL string
	// Entropy makes prompt ids (UUID v4); nil means crypto/rand.
	Entropy io.Reader
}

// Emulator is the MiraclePay emulator: an http.Handler for the External
// Payments API over a mutex-guarded state that every mutation journals
// before it answers.
type Emulator struct {
	clientID, apiKey string
	journal          *emulator.Journal
	clock            emulator.Clock
	percent          decimal.Decimal
	expiry           time.Duration
	domains          map[string]bool
	addresses        map[string]string
	chains           []Blockchain
	active           map[string]bool
	checkout         string
	entropy          io.Reader

	mu       sync.Mutex
	account  Account
	prompts  map[string]*prompt   // by id
	order    []*prompt            // in creation order
	byKey    map[string][]*prompt // by ledger key, oldest first
	requests map[string]int       // create requests per ledger key
}

var (
	_ emulator.Emulator = (*Emulator)(nil)
	_ emulator.Payer    = (*Emulator)(nil)
)

// New builds an emulator and rebuilds its state from opts.Store.
func New(opts Options) (*Emulator, error) {
	e := &Emulator{
		clientID: opts.ClientID, apiKey: opts.APIKey, journal: opts.Store, clock: opts.Clock,
		percent: opts.CommissionPercent, expiry: opts.Expiry, checkout: opts.CheckoutURL, entropy: opts.Entropy,
		account:  Account{Active: !opts.UserInactive, MerchantAdmin: !opts.NotMerchantAdmin, MainBranch: !opts.NoMainBranch},
		prompts:  map[string]*prompt{},
		byKey:    map[string][]*prompt{},
		requests: map[string]int{},
	}
	if e.clientID == "" {
		e.clientID = DefaultClientID
	}
	if e.apiKey == "" {
		e.apiKey = DefaultAPIKey
	}
	if e.checkout == "" {
		e.checkout = DefaultCheckoutURL
	}
	if e.entropy == nil {
		e.entropy = rand.Reader
	}
	switch {
	case e.percent.IsZero():
		e.percent = DefaultCommissionPercent
	case e.percent.IsNegative() || e.percent.GreaterThanOrEqual(decimal.NewFromInt(100)):
		return nil, fmt.Errorf("miraclepay sandbox: CommissionPercent %s is not in [0, 100)", e.percent)
	}
	switch {
	case e.expiry == 0:
		e.expiry = DefaultExpiry
	case e.expiry < 0:
		return nil, fmt.Errorf("miraclepay sandbox: Expiry %v is negative", e.expiry)
	}
	if err := e.configure(opts); err != nil {
		return nil, fmt.Errorf("miraclepay sandbox: %w", err)
	}
	if err := e.replay(); err != nil {
		return nil, fmt.Errorf("miraclepay sandbox: %w", err)
	}
	return e, nil
}

// Gateway returns "miraclepay".
func (e *Emulator) Gateway() string { return "miraclepay" }

// Ledger returns every prompt (kind "invoice", key parsed from its note)
// with its status as of now.
func (e *Emulator) Ledger() []emulator.LedgerObject {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock.Now()
	out := make([]emulator.LedgerObject, 0, len(e.order))
	for _, p := range e.order {
		out = append(out, e.ledgerObject(p, now))
	}
	emulator.SortLedger(out)
	return out
}

// ledgerObject is p as the ledger shows it: amount as requested, in USD.
// Called with e.mu held.
func (e *Emulator) ledgerObject(p *prompt, now time.Time) emulator.LedgerObject {
	return emulator.LedgerObject{
		Gateway: e.Gateway(), Kind: "invoice", Key: p.key, ID: p.id, Currency: "USD", Amount: p.amount.String(),
		Address: e.addresses[p.chain()], Status: p.status(now), CreateRequests: e.requests[p.key], CreatedAt: p.createdAt,
	}
}

// Admin serves the admin API; see admin.go.
func (e *Emulator) Admin() http.Handler { return http.HandlerFunc(e.serveAdmin) }

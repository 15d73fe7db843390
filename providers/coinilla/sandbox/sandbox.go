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
	DefaultAPIKey           = "coinilla-test-key"
	DefaultDuplicateMessage = "duplicate refnum"
	DefaultConfirmAfter     = 10 * time.Minute
	DefaultExpiry           = time.Hour
)

// Options configures an Emulator. The zero value is a working emulator
// with the default API key, kept in memory.
type Options struct {
	APIKey string // DefaultAPIKey when empty
	// Store keeps the emulator's data; nil keeps it in memory only.
	Store *emulator.Journal
	Clock emulator.Clock
	// ConfirmAfter is how long a payment stays "paid-0" before it is
	// "paid"; DefaultConfirmAfter when zero.
	ConfirmAfter time.Duration
	// Expiry is how long an unpaid invoice can be paid; DefaultExpiry
	// when zero.
	Expiry time.Duration
	// Rates are fiat prices of one BTC, overriding the defaults (see
	// DefaultRates) currency by currency.
	Rates map[string]decimal.Decimal
	// DuplicateMessage is the error text for a repeated refnum;
	// DefaultDuplicateMessage when empty.
	DuplicateMessage string
	// ZeroConf is the API setup's "0 confirmations" choice: a buyer whose
	// payment is seen returns with OK rather than PENDING.
	ZeroConf bool
	// Entropy makes invoice ids and addresses; nil means crypto/rand.
	Entropy io.Reader
	// ReturnClient POSTs the return forms, as the buyer's browser would;
	// nil means a client with a 20 s timeout.
	ReturnClient *http.Client
}

// Emulator is the Coinilla emulator: an http.Handler for /pay and
// /verify over a mutex-guarded state that every mutation journals before
// it answers.
type Emulator struct {
	apiKey       string
	journal      *emulator.Journal
	clock        emulator.Clock
	confirmAfter time.Duration
	expiry       time.Duration
	rates        map[string]decimal.Decimal
	dupMessage   string
	zeroConf     bool
	entropy      io.Reader
	returns      *emulator.Notifier // POSTs the return forms

	mu        sync.Mutex
	invoices  map[string]*invoice   // by id
	order     []*invoice            // in creation order
	byRefnum  map[string][]*invoice // oldest first
	byTrans   map[string]*invoice   // by trans_id
	requests  map[string]int        // create requests per refnum
	lastTrans int64
}

var (
	_ emulator.Emulator    = (*Emulator)(nil)
	_ emulator.Payer       = (*Emulator)(nil)
	_ emulator.RateLimiter = (*Emulator)(nil)
)

// New builds an emulator and rebuilds its state from opts.Store.
func New(opts Options) (*Emulator, error) {
	e := &Emulator{
		apiKey: opts.APIKey, journal: opts.Store, clock: opts.Clock,
		confirmAfter: opts.ConfirmAfter, expiry: opts.Expiry,
		dupMessage: opts.DuplicateMessage, zeroConf: opts.ZeroConf, entropy: opts.Entropy,
		invoices: map[string]*invoice{}, byRefnum: map[string][]*invoice{},
		byTrans: map[string]*invoice{}, requests: map[string]int{},
	}
	if e.apiKey == "" {
		e.apiKey = DefaultAPIKey
	}
	if e.dupMessage == "" {
		e.dupMessage = DefaultDuplicateMessage
	}
	if e.entropy == nil {
		e.entropy = rand.Reader
	}
	for _, d := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{{"ConfirmAfter", &e.confirmAfter, DefaultConfirmAfter}, {"Expiry", &e.expiry, DefaultExpiry}} {
		switch {
		case *d.v == 0:
			*d.v = d.def
		case *d.v < 0:
			return nil, fmt.Errorf("coinilla sandbox: %s %v is negative", d.name, *d.v)
		}
	}
	rates, err := mergeRates(opts.Rates)
	if err != nil {
		return nil, fmt.Errorf("coinilla sandbox: %w", err)
	}
	e.rates = rates
	// One attempt each: a browser follows a redirect once.
	e.returns = &emulator.Notifier{Client: opts.ReturnClient, Clock: opts.Clock}
	if err := e.replay(); err != nil {
		return nil, fmt.Errorf("coinilla sandbox: %w", err)
	}
	return e, nil
}

// Gateway returns "coinilla".
func (e *Emulator) Gateway() string { return "coinilla" }

// Close stops the return forms still being sent.
func (e *Emulator) Close() { e.returns.Close() }

// RateLimitBody is the fault injector's 429 body. Coinilla documents no
// rate limit; this is an assumption in its own answer shape.
func (e *Emulator) RateLimitBody() (string, []byte) {
	return "application/json", []byte(`{"invoice":"","error":"too many requests"}`)
}

// Ledger returns every invoice (kind "invoice", key = refnum) with its
// verify status as of now.
func (e *Emulator) Ledger() []emulator.LedgerObject {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock.Now()
	out := make([]emulator.LedgerObject, 0, len(e.order))
	for _, inv := range e.order {
		out = append(out, e.ledgerObject(inv, now))
	}
	emulator.SortLedger(out)
	return out
}

// ledgerObject is inv as the ledger shows it. Called with e.mu held.
func (e *Emulator) ledgerObject(inv *invoice, now time.Time) emulator.LedgerObject {
	status, _ := e.verdict(inv, now)
	return emulator.LedgerObject{
		Gateway: e.Gateway(), Kind: "invoice", Key: inv.refnum, ID: inv.id,
		Currency: inv.currency, Amount: inv.amount.String(), Address: inv.address,
		Status: status, CreateRequests: e.requests[inv.refnum], CreatedAt: inv.createdAt,
	}
}

// Admin serves the admin API; see admin.go.
func (e *Emulator) Admin() http.Handler { return http.HandlerFunc(e.serveAdmin) }

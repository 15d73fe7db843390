package sandbox

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/payform/payform/providers/emulator"
)

// Emulator is the MilaCoins emulator: an http.Handler for the gateway API
// over one mutex-guarded state that every mutation journals before it
// answers.
type Emulator struct {
	key, secret  string
	journal      *emulator.Journal
	clock        emulator.Clock
	skew         time.Duration
	expiry       time.Duration
	confirmAfter time.Duration
	strict       bool // StrictExternalID
	lenient      bool
	narrow       bool // Strict
	notifier     *emulator.Notifier
	ids          *idSource

	mu         sync.Mutex
	invoices   []*invoice          // in creation order
	byID       map[string]*invoice // by id
	requests   map[string]int      // create requests per externalID
	wallets    []string
	currencies []string
	lastSeq    int64
	logs       []logEntry
	limit      limiter
	due        dueQueue // moments callback events may fall due (due.go)
	timer      *time.Timer
	armedFor   time.Time
	closed     bool
}

var (
	_ emulator.Emulator    = (*Emulator)(nil)
	_ emulator.RateLimiter = (*Emulator)(nil)
	_ emulator.Payer       = (*Emulator)(nil)
)

// New builds an emulator and rebuilds its state from opts.Store.
func New(opts Options) (*Emulator, error) {
	e := &Emulator{
		key: opts.APIKey, secret: opts.Secret, journal: opts.Store, clock: opts.Clock,
		skew: opts.Skew, expiry: opts.Expiry, confirmAfter: opts.ConfirmAfter,
		strict: opts.StrictExternalID, lenient: opts.LenientPath && !opts.Strict, narrow: opts.Strict,
		byID: map[string]*invoice{}, requests: map[string]int{},
		limit: limiter{n: opts.RateLimit.N, per: opts.RateLimit.Per},
		ids:   newIDSource(),
	}
	if e.key == "" {
		e.key = DefaultAPIKey
	}
	if e.secret == "" {
		e.secret = DefaultSecret
	}
	for _, d := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{{"Skew", &e.skew, DefaultSkew}, {"Expiry", &e.expiry, DefaultExpiry}, {"ConfirmAfter", &e.confirmAfter, DefaultConfirmAfter}} {
		switch {
		case *d.v == 0:
			*d.v = d.def
		case *d.v < 0:
			return nil, fmt.Errorf("milacoins sandbox: %s %v is negative", d.name, *d.v)
		}
	}
	if opts.Strict {
		e.skew = StrictSkew
	}
	if opts.RateLimit.N < 0 || opts.RateLimit.Per < 0 || (opts.RateLimit.N > 0) != (opts.RateLimit.Per > 0) {
		return nil, fmt.Errorf("milacoins sandbox: RateLimit %d per %v: give both, positive, or neither", opts.RateLimit.N, opts.RateLimit.Per)
	}
	if opts.CallbackScale < 0 {
		return nil, fmt.Errorf("milacoins sandbox: CallbackScale %v is negative", opts.CallbackScale)
	}
	wallets, currencies := opts.Wallets, opts.Currencies
	if wallets == nil {
		wallets = DefaultWallets
	}
	if currencies == nil {
		currencies = DefaultCurrencies
	}
	if err := checkCodes("wallet", wallets); err != nil {
		return nil, fmt.Errorf("milacoins sandbox: %w", err)
	}
	if err := checkCodes("currency", currencies); err != nil {
		return nil, fmt.Errorf("milacoins sandbox: %w", err)
	}
	e.wallets = append([]string(nil), wallets...)
	e.currencies = append([]string(nil), currencies...)
	e.notifier = &emulator.Notifier{Schedule: CallbackSchedule, Scale: opts.CallbackScale, Client: opts.CallbackClient, Clock: opts.Clock}
	if err := e.replay(); err != nil {
		return nil, fmt.Errorf("milacoins sandbox: %w", err)
	}
	e.tick(e.clock.Now())
	return e, nil
}

// Gateway returns "milacoins".
func (e *Emulator) Gateway() string { return "milacoins" }

// Close stops the timer for due callbacks and pending callback retries.
func (e *Emulator) Close() {
	e.mu.Lock()
	e.closed = true
	if e.timer != nil {
		e.timer.Stop()
	}
	e.mu.Unlock()
	e.notifier.Close()
}

// Ledger returns every invoice (kind "invoice", key its externalID), with
// its raw status as of now.
func (e *Emulator) Ledger() []emulator.LedgerObject {
	now := e.clock.Now()
	e.tick(now)
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]emulator.LedgerObject, 0, len(e.invoices))
	for _, inv := range e.invoices {
		out = append(out, e.ledgerObject(inv, now))
	}
	emulator.SortLedger(out)
	return out
}

// ledgerObject is inv as the ledger shows it at now. Called with e.mu
// held.
func (e *Emulator) ledgerObject(inv *invoice, now time.Time) emulator.LedgerObject {
	return emulator.LedgerObject{
		Gateway: e.Gateway(), Kind: "invoice", Key: inv.externalID, ID: inv.id,
		Currency: inv.currency, Amount: inv.amount.String(), Status: e.status(inv, now),
		CreateRequests: e.requests[inv.externalID], CreatedAt: inv.createdAt,
	}
}

// Admin serves the admin API; see admin.go.
func (e *Emulator) Admin() http.Handler { return http.HandlerFunc(e.serveAdmin) }

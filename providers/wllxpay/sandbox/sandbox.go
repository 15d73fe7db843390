package sandbox

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers/emulator"
)

// Default test credentials, the same as in every payform sandbox.
const (
	DefaultKey    = "wllxpay-test-key"
	DefaultSecret = "wllxpay-test-secret"
)

// Options configures an Emulator. The zero value is a working emulator
// with the default credentials, kept in memory.
type Options struct {
	Key    string // X-Processing-Key; DefaultKey when empty
	Secret string // HMAC-SHA512 secret; DefaultSecret when empty
	// Store keeps the emulator's data; nil keeps it in memory only.
	Store *emulator.Journal
	Clock emulator.Clock
	// ConfirmAfter is how long a withdrawal stays "processing" before it
	// is "confirmed"; 10s when zero.
	ConfirmAfter time.Duration
	// V2Lookup serves the CoinsPaid v2 calls payform makes: the
	// undocumented GET /api/v2/transactions/info and POST
	// /api/v2/accounts/list (balances).
	V2Lookup bool
	// Balances are the starting balances; nil means 1,000 of every crypto
	// currency. Balances changed later (admin API, withdrawals) are kept
	// in Store and win over these.
	Balances map[string]decimal.Decimal
	// Enabled are the currencies enabled for the merchant; nil means every
	// crypto currency.
	Enabled []string
	// CallbackURL is where deposit callbacks go (the merchant dashboard's
	// setting); "" sends none. A URL set through the admin API wins.
	CallbackURL string
	// CallbackScale divides the callback retry schedule (60: minutes pass
	// as seconds). 0 means 1.
	CallbackScale float64
	// CallbackClient sends callbacks; nil means a client with a 30 s
	// timeout.
	CallbackClient *http.Client
	// Strict takes the page at its narrowest: withdrawal/make takes only
	// the request table's fields (a tag is ignored: the withdrawal is
	// made without one and the answer's tag is null), and every field
	// must be a JSON string, as the page types them.
	Strict bool
}

// Emulator is the WllxPay emulator: an http.Handler for the gateway API
// over a mutex-guarded state that every mutation journals before it
// answers.
type Emulator struct {
	key, secret  string
	journal      *emulator.Journal
	clock        emulator.Clock
	confirmAfter time.Duration
	v2           bool
	narrow       bool // Strict

	mu            sync.Mutex
	withdrawals   map[string]*withdrawal // by foreign_id
	withdrawalIDs map[int64]*withdrawal
	addresses     []*depositAddress
	requests      map[requestKey]int // create requests per merchant key
	balances      map[string]decimal.Decimal
	enabled       map[string]bool
	lastWithdraw  int64                      // last withdrawal id
	lastAddress   int64                      // last address id
	addressIndex  map[string]*depositAddress // by address|tag
	deposits      []*deposit
	lastDeposit   int64
	callbackURL   string
	notifier      *emulator.Notifier
	sent          []Callback // callbacks sent, oldest first (bounded)
	// confirming queues withdrawals by the time the clock confirms them;
	// timer fires at the first (withdrawal_callback.go).
	confirming confirmQueue
	timer      *time.Timer
	armedFor   time.Time
	closed     bool
}

var (
	_ emulator.Depositor   = (*Emulator)(nil)
	_ emulator.Emulator    = (*Emulator)(nil)
	_ emulator.RateLimiter = (*Emulator)(nil)
)

// New builds an emulator and rebuilds its state from opts.Store.
func New(opts Options) (*Emulator, error) {
	e := &Emulator{
		key: opts.Key, secret: opts.Secret, journal: opts.Store, clock: opts.Clock,
		confirmAfter: opts.ConfirmAfter, v2: opts.V2Lookup, narrow: opts.Strict,
		withdrawals:   map[string]*withdrawal{},
		withdrawalIDs: map[int64]*withdrawal{},
		requests:      map[requestKey]int{},
		balances:      map[string]decimal.Decimal{},
		enabled:       map[string]bool{},
		addressIndex:  map[string]*depositAddress{},
		callbackURL:   opts.CallbackURL,
	}
	cc := opts.CallbackClient
	if cc == nil {
		cc = &http.Client{Timeout: 30 * time.Second}
	}
	e.notifier = &emulator.Notifier{Schedule: callbackSchedule, Scale: opts.CallbackScale, Client: cc, Clock: opts.Clock}
	if e.key == "" {
		e.key = DefaultKey
	}
	if e.secret == "" {
		e.secret = DefaultSecret
	}
	switch {
	case e.confirmAfter == 0:
		e.confirmAfter = 10 * time.Second
	case e.confirmAfter < 0:
		return nil, fmt.Errorf("wllxpay sandbox: ConfirmAfter %v is negative", e.confirmAfter)
	}
	balances := opts.Balances
	if balances == nil {
		balances = map[string]decimal.Decimal{}
		for _, code := range money.CryptoCodes() {
			balances[code] = decimal.NewFromInt(1000)
		}
	}
	if err := checkBalances(balances); err != nil {
		return nil, fmt.Errorf("wllxpay sandbox: %w", err)
	}
	for code, amount := range balances {
		e.balances[code] = amount
	}
	enabled := opts.Enabled
	if enabled == nil {
		enabled = money.CryptoCodes()
	}
	if err := checkCurrencies(enabled); err != nil {
		return nil, fmt.Errorf("wllxpay sandbox: %w", err)
	}
	for _, code := range enabled {
		e.enabled[code] = true
	}
	if err := e.replay(); err != nil {
		return nil, fmt.Errorf("wllxpay sandbox: %w", err)
	}
	e.tick() // confirmations that came due while it was down
	return e, nil
}

// Gateway returns "wllxpay".
func (e *Emulator) Gateway() string { return "wllxpay" }

// RateLimitBody is the fault injector's 429 body. The vendor's sample,
// {"errors":{"error code: 1015"}}, is not JSON; this is the nearest
// well-formed body in the usual error envelope.
func (e *Emulator) RateLimitBody() (string, []byte) {
	return "application/json", []byte(`{"errors":{"rate_limit":"error code: 1015"},"error_code":"rate_limited"}`)
}

// Ledger returns every withdrawal (key foreign_id) and every taken address
// (key "FOREIGN_ID/CURRENCY"), with statuses as of now.
func (e *Emulator) Ledger() []emulator.LedgerObject {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock.Now()
	out := make([]emulator.LedgerObject, 0, len(e.withdrawals)+len(e.addresses))
	for _, w := range e.withdrawals {
		out = append(out, emulator.LedgerObject{
			Gateway: e.Gateway(), Kind: kindWithdrawal, Key: w.foreignID, ID: strconv.FormatInt(w.id, 10),
			Currency: w.currency, Amount: w.amount.String(), Address: w.address, Tag: w.tag,
			Status: e.status(w, now), CreateRequests: e.requests[requestKey{kindWithdrawal, w.foreignID}],
			CreatedAt: w.createdAt,
		})
	}
	for _, a := range e.addresses {
		key := addressKey(a.foreignID, a.currency)
		out = append(out, emulator.LedgerObject{
			Gateway: e.Gateway(), Kind: kindAddress, Key: key, ID: strconv.FormatInt(a.id, 10),
			Currency: a.currency, Address: a.address, Tag: a.tag, Status: "active",
			CreateRequests: e.requests[requestKey{kindAddress, key}], CreatedAt: a.createdAt,
		})
	}
	emulator.SortLedger(out)
	return out
}

// Admin serves the admin API; see admin.go.
func (e *Emulator) Admin() http.Handler { return http.HandlerFunc(e.serveAdmin) }

package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/payform/payform/providers/emulator"
)

// DefaultAPIKey is the sandbox's api_key, the same in every payform
// sandbox.
const DefaultAPIKey = "coinpay24-test-key"

const gatewayName = "coinpay24"

// Limit is "at most N per Per", counted over a sliding window. A zero
// Limit takes the documented default; N < 0 switches the limit off.
type Limit struct {
	N   int
	Per time.Duration
}

// Options configures an Emulator. The zero value is a working emulator
// with the default credentials and the documented limits, kept in memory.
type Options struct {
	APIKey string // DefaultAPIKey when empty
	// Store keeps the emulator's data; nil keeps it in memory only.
	Store *emulator.Journal
	Clock emulator.Clock
	// Expiry is how long an unpaid invoice lives; 20 minutes when zero.
	Expiry time.Duration
	// RequestLimit and HourlyRequestLimit bound the API requests (the
	// private endpoints' 200 per minute and 1,000 per hour); InvoiceLimit
	// bounds the invoices created (1,000 per hour).
	RequestLimit       Limit
	HourlyRequestLimit Limit
	InvoiceLimit       Limit
	// CallbackScale divides the callback retry schedule (60: a minute
	// passes in a second); 0 means 1.
	CallbackScale float64
	// StrictOrderID refuses an order_id already used (422); by default
	// duplicates are accepted, as CoinPay24 documents no uniqueness.
	StrictOrderID bool
	// CallbackClient sends the callbacks; nil means a client with the
	// documented 20 s timeout. Redirects are never followed, since
	// CoinPay24 gives up on a 301 or 302.
	CallbackClient *http.Client
	// SettlementCurrency is the merchant's settlement currency (a
	// dashboard setting the page does not show), sent in callbacks as
	// receive_currency; "" settles each invoice in its price currency.
	SettlementCurrency string
	// Strict turns off what the page does not show: bodies must be
	// form-encoded (application/x-www-form-urlencoded or multipart, as
	// PHP's $_POST reads them), not JSON nor without a Content-Type; a
	// path is served only as the page writes it (no trailing slash); and
	// callbacks to a private network (loopback, RFC 1918, link-local) or
	// TOR are given up without an attempt, as the page says CoinPay24
	// does.
	Strict bool
}

// Emulator is the CoinPay24 emulator: an http.Handler for the gateway API
// over one mutex-guarded state that every mutation journals before it
// answers.
type Emulator struct {
	apiKey   string
	journal  *emulator.Journal
	clock    emulator.Clock
	expiry   time.Duration
	strict   bool // StrictOrderID
	narrow   bool // Strict
	settleIn string
	notifier *emulator.Notifier

	mu        sync.Mutex
	invoices  map[int64]*invoice
	order     []*invoice          // sorted by (createdAt, id), for lists
	newest    map[string]*invoice // the newest invoice per order_id
	requests  map[string]int      // create requests per order_id
	lastID    int64
	perMinute *window
	perHour   *window
	created   *window // invoices created
	expiring  expiryQueue
	timer     *time.Timer
	armedFor  time.Time
	sent      []Callback
	closed    bool
	refused   int // requests answered 429 by the rate limits
}

var (
	_ emulator.Emulator    = (*Emulator)(nil)
	_ emulator.RateLimiter = (*Emulator)(nil)
	_ emulator.Payer       = (*Emulator)(nil)
)

// New builds an emulator and rebuilds its state from opts.Store.
func New(opts Options) (*Emulator, error) {
	e := &Emulator{
		apiKey: opts.APIKey, journal: opts.Store, clock: opts.Clock,
		expiry: opts.Expiry, strict: opts.StrictOrderID, narrow: opts.Strict, settleIn: opts.SettlementCurrency,
		invoices: map[int64]*invoice{},
		newest:   map[string]*invoice{},
		requests: map[string]int{},
	}
	if e.apiKey == "" {
		e.apiKey = DefaultAPIKey
	}
	switch {
	case e.expiry == 0:
		e.expiry = 20 * time.Minute
	case e.expiry < 0:
		return nil, fmt.Errorf("coinpay24 sandbox: Expiry %v is negative", e.expiry)
	}
	var err error
	if e.perMinute, err = newWindow("RequestLimit", opts.RequestLimit, Limit{200, time.Minute}); err != nil {
		return nil, err
	}
	if e.perHour, err = newWindow("HourlyRequestLimit", opts.HourlyRequestLimit, Limit{1000, time.Hour}); err != nil {
		return nil, err
	}
	if e.created, err = newWindow("InvoiceLimit", opts.InvoiceLimit, Limit{1000, time.Hour}); err != nil {
		return nil, err
	}
	if opts.CallbackScale < 0 {
		return nil, fmt.Errorf("coinpay24 sandbox: CallbackScale %v is negative", opts.CallbackScale)
	}
	if c := opts.SettlementCurrency; c != "" {
		if _, ok := priceCurrency(c); !ok {
			return nil, fmt.Errorf("coinpay24 sandbox: SettlementCurrency %q is not one of %v", c, PriceCurrencies())
		}
	}
	e.notifier = &emulator.Notifier{
		Schedule: callbackSchedule(), Scale: opts.CallbackScale,
		GiveUp: giveUp, Client: callbackClient(opts.CallbackClient), Clock: opts.Clock,
	}
	if opts.Strict {
		e.notifier.Refuse = emulator.PrivateTarget
	}
	if err := e.replay(); err != nil {
		return nil, fmt.Errorf("coinpay24 sandbox: %w", err)
	}
	e.mu.Lock()
	e.arm()
	e.mu.Unlock()
	return e, nil
}

// Gateway returns "coinpay24".
func (e *Emulator) Gateway() string { return gatewayName }

// RateLimitBody is the 429 body, in the error envelope of every other
// error.
func (e *Emulator) RateLimitBody() (string, []byte) {
	return "application/json", []byte(`{"error_message":"Too Many Requests: slow down.","errors":{}}`)
}

// Ledger returns every invoice (key order_id), with statuses as of now.
func (e *Emulator) Ledger() []emulator.LedgerObject {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock.Now()
	out := make([]emulator.LedgerObject, 0, len(e.invoices))
	for _, inv := range e.invoices {
		out = append(out, e.ledgerObject(inv, now))
	}
	emulator.SortLedger(out)
	return out
}

func (e *Emulator) ledgerObject(inv *invoice, now time.Time) emulator.LedgerObject {
	return emulator.LedgerObject{
		Gateway: gatewayName, Kind: "invoice", Key: inv.orderID, ID: strconv.FormatInt(inv.id, 10),
		Currency: inv.priceCurrency, Amount: inv.price.String(), Status: inv.status(now),
		CreateRequests: e.requests[inv.orderID], CreatedAt: inv.createdAt,
	}
}

// Admin serves the admin API; see admin.go.
func (e *Emulator) Admin() http.Handler { return http.HandlerFunc(e.serveAdmin) }

// Close stops the expiry timer and the callbacks still being retried.
// The emulator answers no request after it.
func (e *Emulator) Close() {
	e.mu.Lock()
	e.closed = true
	if e.timer != nil {
		e.timer.Stop()
	}
	e.mu.Unlock()
	e.notifier.Close()
}

// errClosed is returned by the Go methods of a closed emulator.
var errClosed = errors.New("coinpay24 sandbox: closed")

package sandbox

import (
	"net/http"
	"time"

	"github.com/payform/payform/providers/emulator"
)

// Default test credentials, the same as in every payform sandbox.
const (
	DefaultAPIKey = "milacoins-test-key"
	DefaultSecret = "milacoins-test-secret"
)

// Defaults for the Options left zero.
const (
	DefaultSkew = 60 * time.Second
	// StrictSkew is X-time's window with Strict: the current second, one
	// second for the truncation to whole seconds and one for transit.
	StrictSkew          = 2 * time.Second
	DefaultExpiry       = 60 * time.Minute
	DefaultConfirmAfter = 10 * time.Second
)

// DefaultWallets are the wallets the official WooCommerce plugin offers
// (gateways/NOTES.md, section 1).
var DefaultWallets = []string{"BTC", "BCH", "ETH", "USDT", "USDC", "EUR", "GBP", "USD"}

// DefaultCurrencies are the invoice currencies error 1007 lists, in its
// order.
var DefaultCurrencies = []string{"AED", "MYR", "BRL", "EUR", "USD", "GBP", "ILS", "JPY", "RUB", "TRY", "UAH", "NZD"}

// RateLimit is "at most N requests per Per"; the zero value is no limit.
type RateLimit struct {
	N   int
	Per time.Duration
}

// Options configures an Emulator. The zero value is a working emulator
// with the default credentials, kept in memory.
type Options struct {
	APIKey string // X-api-key; DefaultAPIKey when empty
	Secret string // the HMAC-SHA256 secret; DefaultSecret when empty
	// Store keeps the emulator's data; nil keeps it in memory only.
	Store *emulator.Journal
	Clock emulator.Clock
	// Skew is how far X-time may be from the clock; DefaultSkew when zero.
	Skew time.Duration
	// Expiry is an invoice's life when the request names no expiredAt;
	// DefaultExpiry when zero.
	Expiry time.Duration
	// ConfirmAfter is how long a payment stays waitingForConfirmation;
	// DefaultConfirmAfter when zero.
	ConfirmAfter time.Duration
	// StrictExternalID refuses a repeated externalID with 401/1601
	// DB_DUPLICATE. Off by default: MilaCoins documents externalID as a
	// customer name or record id, so repeats are accepted.
	StrictExternalID bool
	// LenientPath also accepts signatures over the path without its
	// leading slash, and over the path relative to the emulator's mount
	// point ("/api/v1/..." under /milacoins), as the vendor's JavaScript
	// sample signs it.
	LenientPath bool
	// RateLimit answers 429/4302 past N requests per Per; none when zero.
	RateLimit RateLimit
	// Strict takes the page at its narrowest reading: the signature must
	// cover the request URI exactly as received (LenientPath is ignored),
	// X-time must be within StrictSkew of the clock (Skew is ignored), and
	// each path is served in one form only: the lists with a trailing
	// slash (/api/v1/transactions/invoices/, as the vendor's README calls
	// it; /api/v1/logs/), every other path without.
	Strict bool
	// Wallets and Currencies start the merchant's lists; nil means
	// DefaultWallets and DefaultCurrencies. Lists set later through the
	// admin API are kept in Store and win over these.
	Wallets    []string
	Currencies []string
	// CallbackScale divides the callback retry schedule (60: a minute
	// passes in a second); 0 means 1.
	CallbackScale float64
	// CallbackClient sends callbacks; nil means a client with a 20 s
	// timeout.
	CallbackClient *http.Client
}

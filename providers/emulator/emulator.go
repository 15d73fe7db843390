package emulator

import (
	"net/http"
	"sort"
	"time"
)

// Emulator is one gateway's emulator.
type Emulator interface {
	// Gateway names the gateway, e.g. "wllxpay". The emulator is mounted
	// at "/<gateway>" and its admin API at "/_sandbox/<gateway>".
	Gateway() string
	// ServeHTTP serves the gateway API. Request paths are relative to the
	// mount point ("/api/v1/withdrawal/make"); r.RequestURI is the
	// original one.
	http.Handler
	// Ledger returns every object the emulator holds, sorted with
	// SortLedger.
	Ledger() []LedgerObject
	// Admin serves the gateway-specific admin API, with paths relative to
	// "/_sandbox/<gateway>". It may be nil.
	Admin() http.Handler
}

// RateLimiter is implemented by emulators whose gateway documents its own
// "too many requests" body. The fault injector answers status-429 with it;
// without it, a generic JSON body is sent.
type RateLimiter interface {
	RateLimitBody() (contentType string, body []byte)
}

// LedgerObject is one object an emulator holds, as the admin API shows it.
type LedgerObject struct {
	Gateway string `json:"gateway"`
	Kind    string `json:"kind"` // "withdrawal" | "address" | "invoice"
	Key     string `json:"key"`  // the merchant key
	ID      string `json:"id"`
	// Currency and Amount (a decimal string, "" when none).
	Currency string `json:"currency"`
	Amount   string `json:"amount"`
	Address  string `json:"address,omitempty"`
	Tag      string `json:"tag,omitempty"`
	// Status is the gateway's own status word, computed at read time.
	Status string `json:"status"`
	// CreateRequests counts the create calls that arrived for Key,
	// accepted or refused.
	CreateRequests int       `json:"create_requests"`
	CreatedAt      time.Time `json:"created_at"`
}

// SortLedger sorts objects by (Gateway, Kind, Key, ID). IDs made only of
// digits compare as numbers, so "9" comes before "10".
func SortLedger(objs []LedgerObject) {
	sort.Slice(objs, func(i, j int) bool {
		a, b := objs[i], objs[j]
		switch {
		case a.Gateway != b.Gateway:
			return a.Gateway < b.Gateway
		case a.Kind != b.Kind:
			return a.Kind < b.Kind
		case a.Key != b.Key:
			return a.Key < b.Key
		}
		return idLess(a.ID, b.ID)
	})
}

func idLess(a, b string) bool {
	if digits(a) && digits(b) && len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func digits(s string) bool {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Clock tells an emulator the time. Statuses are computed from timestamps
// against it, so tests move time instead of waiting. A nil Clock is the
// wall clock.
type Clock func() time.Time

// Now returns the clock's time, in UTC.
func (c Clock) Now() time.Time {
	if c == nil {
		return time.Now().UTC()
	}
	return c().UTC()
}

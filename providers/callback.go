package providers

import (
	"context"
	"net/http"
	"net/url"
)

// CallbackVerifier is implemented by providers whose gateway signs the
// callbacks (webhooks) it sends, so that operators can check what they
// receive (`payform callback verify`).
type CallbackVerifier interface {
	// VerifyCallback checks the signature of a callback exactly as
	// received (headers and raw body) with the provider's credentials, and
	// parses it. A bad or missing signature is an error; so is a body that
	// does not parse.
	VerifyCallback(header http.Header, body []byte) (*Callback, error)
}

// Callback is a verified callback.
type Callback struct {
	Type     string // "deposit", "withdrawal", "invoice"
	ID       string // the gateway's transaction or object id
	Key      string // the merchant key, where the callback carries one
	Status   string // the gateway's status word
	Currency string
	Amount   string
	Address  string
	Tag      string
	// Fields holds every field received, as strings.
	Fields map[string]string
	// Object is what the callback proves about an object payform makes
	// (a payout, an invoice), as a refresh would report it: its kind,
	// key, id, status mapped to payform's, and the amount, currency,
	// address and tag the gateway stands behind. A field the callback
	// does not prove (a Coinilla return's amount, which nobody signs) is
	// left zero. Nil when the callback is about nothing payform makes
	// (a deposit to an address).
	Object *Object
	// Via is how the callback was verified: "signature" (a signature
	// checked with the provider's credentials), "verify" (Coinilla's
	// verify call), "refetch" (the object read back from the gateway),
	// "prompt" (MiraclePay's prompt read by id).
	Via string
}

// Received is a callback request exactly as it arrived at the inbox:
// its method, its URL (path below the gateway's mount point, and raw
// query), its headers and its raw body.
type Received struct {
	Method string
	URL    *url.URL
	Header http.Header
	Body   []byte
}

// CallbackConfirmer is implemented by providers whose gateway signs
// nothing (MilaCoins' callbacks, Coinilla's return forms, MiraclePay's
// redirects): what arrives is only a hint, and the provider confirms it
// the vendor's way, by asking the gateway (`payform callback serve`).
type CallbackConfirmer interface {
	// ConfirmCallback reads the object a received request names and
	// returns what the gateway says of it, with Via set. An error that
	// wraps ErrNotFound means the gateway denies it (no such object, or
	// not this account's): the request proves nothing. Any other error
	// means the gateway could not be asked now.
	ConfirmCallback(ctx context.Context, r Received) (*Callback, error)
}

// Unwrap returns the provider inside wrappers (retry, rate limits), for
// optional interfaces such as CallbackVerifier.
func Unwrap(p Provider) Provider {
	for {
		w, ok := p.(interface{ Unwrap() Provider })
		if !ok {
			return p
		}
		p = w.Unwrap()
	}
}

func (r *retrying) Unwrap() Provider { return r.Provider }
func (l *limited) Unwrap() Provider  { return l.Provider }
func (s *settling) Unwrap() Provider { return s.Provider }

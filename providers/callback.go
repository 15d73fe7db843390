package providers

import "net/http"

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

package providers

import (
	"context"
	"net/http"
	"time"

	"golang.org/x/time/rate"
)

// safety keeps a margin under each documented limit, for clock skew
// between payform and the gateway.
const safety = 0.98

// ScaleLimits divides every limit's window by scale, for testing against
// a sandbox whose limits are scaled the same way (60: per minute becomes
// per second). A scale of 0 or 1 returns limits unchanged.
func ScaleLimits(limits []Limit, scale float64) []Limit {
	if scale <= 0 || scale == 1 {
		return limits
	}
	out := make([]Limit, len(limits))
	for i, l := range limits {
		out[i] = l
		out[i].Per = time.Duration(float64(l.Per) / scale)
	}
	return out
}

// limiters builds one token bucket per limit (burst one, spaced just under
// N per Per) for the limits selected by creates.
func limiters(limits []Limit, creates bool) []*rate.Limiter {
	var out []*rate.Limiter
	for _, l := range limits {
		if l.N <= 0 || l.Per <= 0 || l.CreatesOnly != creates {
			continue
		}
		every := time.Duration(float64(l.Per) / float64(l.N) / safety)
		out = append(out, rate.NewLimiter(rate.Every(every), 1))
	}
	return out
}

func waitAll(ctx context.Context, ls []*rate.Limiter) error {
	for _, l := range ls {
		if err := l.Wait(ctx); err != nil {
			return err
		}
	}
	return nil
}

// pacedTransport spaces every HTTP request a client makes so that no
// request limit is exceeded, however many requests one call makes (a list
// scanned page by page, a create followed by a checkout).
type pacedTransport struct {
	base http.RoundTripper
	all  []*rate.Limiter
}

// RateLimitTransport wraps base so that each request waits for every
// per-request limit (the limits that are not CreatesOnly). Without such
// limits it returns base.
func RateLimitTransport(base http.RoundTripper, limits []Limit) http.RoundTripper {
	ls := limiters(limits, false)
	if len(ls) == 0 {
		return base
	}
	if base == nil {
		base = http.DefaultTransport
	}
	return &pacedTransport{base: base, all: ls}
}

func (t *pacedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := waitAll(req.Context(), t.all); err != nil {
		return nil, err // nothing was sent: the client classifies it as retryable
	}
	return t.base.RoundTrip(req)
}

// limited spaces create calls so that no creates-only limit (e.g. invoices
// per hour) is exceeded.
type limited struct {
	Provider
	creates []*rate.Limiter
}

var _ Provider = (*limited)(nil)

// WithRateLimit wraps p so that Create waits for every CreatesOnly limit.
// Per-request limits belong to the HTTP client (RateLimitTransport).
// Without creates-only limits it returns p.
func WithRateLimit(p Provider, limits []Limit) Provider {
	ls := limiters(limits, true)
	if len(ls) == 0 {
		return p
	}
	return &limited{Provider: p, creates: ls}
}

func (l *limited) Create(ctx context.Context, req Request) (Object, error) {
	if err := waitAll(ctx, l.creates); err != nil {
		return Object{}, &Error{Class: Retryable, Gateway: l.Gateway(), Op: "create", Message: "interrupted while waiting for the rate limit", Err: err}
	}
	return l.Provider.Create(ctx, req)
}

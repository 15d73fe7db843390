package providers

import (
	"context"
	"time"

	"golang.org/x/time/rate"
)

// limited spaces calls so that no documented limit is exceeded.
type limited struct {
	Provider
	all     []*rate.Limiter // every request
	creates []*rate.Limiter // create requests only
}

var _ Provider = (*limited)(nil)

// safety keeps a margin under each documented limit, for clock skew
// between payform and the gateway.
const safety = 0.98

// WithRateLimit wraps p so that calls wait for every limit that applies.
// Each limit is a token bucket with a burst of one: requests are spaced
// evenly at just under N per Per. Without limits it returns p.
func WithRateLimit(p Provider, limits []Limit) Provider {
	if len(limits) == 0 {
		return p
	}
	l := &limited{Provider: p}
	for _, lim := range limits {
		if lim.N <= 0 || lim.Per <= 0 {
			continue
		}
		every := time.Duration(float64(lim.Per) / float64(lim.N) / safety)
		rl := rate.NewLimiter(rate.Every(every), 1)
		if lim.CreatesOnly {
			l.creates = append(l.creates, rl)
		} else {
			l.all = append(l.all, rl)
		}
	}
	return l
}

func (l *limited) wait(ctx context.Context, create bool) error {
	for _, rl := range l.all {
		if err := rl.Wait(ctx); err != nil {
			return err
		}
	}
	if create {
		for _, rl := range l.creates {
			if err := rl.Wait(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

func (l *limited) Create(ctx context.Context, req Request) (Object, error) {
	if err := l.wait(ctx, true); err != nil {
		return Object{}, &Error{Class: Retryable, Gateway: l.Gateway(), Op: "create", Message: "interrupted while waiting for the rate limit", Err: err}
	}
	return l.Provider.Create(ctx, req)
}

func (l *limited) Lookup(ctx context.Context, q Query) (Object, error) {
	if err := l.wait(ctx, false); err != nil {
		return Object{}, &Error{Class: Retryable, Gateway: l.Gateway(), Op: "lookup", Message: "interrupted while waiting for the rate limit", Err: err}
	}
	return l.Provider.Lookup(ctx, q)
}

func (l *limited) Refresh(ctx context.Context, refs []Ref) ([]Object, error) {
	if err := l.wait(ctx, false); err != nil {
		return nil, &Error{Class: Retryable, Gateway: l.Gateway(), Op: "refresh", Message: "interrupted while waiting for the rate limit", Err: err}
	}
	return l.Provider.Refresh(ctx, refs)
}

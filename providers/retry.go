package providers

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Backoff computes waits between attempts: exponential from Base, capped
// at Max, with jitter (half fixed, half random), so that many workers do
// not retry in step.
type Backoff struct {
	Base time.Duration // first wait; 200ms when zero
	Max  time.Duration // cap; 10s when zero
	// Sleep waits for d or until ctx is done; time-based when nil. Tests
	// inject an instant one.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a random wait from 0 to max (inclusive); math/rand
	// when nil. Tests inject a fixed one to know each wait exactly.
	Jitter func(max time.Duration) time.Duration
}

// Wait sleeps before attempt n (1 = the first retry), at least min.
func (b Backoff) Wait(ctx context.Context, n int, min time.Duration) error {
	return b.Pause(ctx, clamp(b.Delay(n), min, b.max()))
}

// Delay is the jittered wait before attempt n.
func (b Backoff) Delay(n int) time.Duration {
	base, max := b.Base, b.max()
	if base == 0 {
		base = 200 * time.Millisecond
	}
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	jitter := b.Jitter
	if jitter == nil {
		jitter = func(max time.Duration) time.Duration { return rand.N(max + 1) }
	}
	d = d/2 + jitter(d/2)
	return min(d, max)
}

func (b Backoff) max() time.Duration {
	if b.Max == 0 {
		return 10 * time.Second
	}
	return b.Max
}

// Pause waits for d or until ctx is done, through Sleep when set.
func (b Backoff) Pause(ctx context.Context, d time.Duration) error {
	if b.Sleep != nil {
		return b.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func clamp(d, lo, hi time.Duration) time.Duration {
	if d > hi {
		d = hi
	}
	if d < lo {
		d = lo
	}
	return d
}

// retrying retries calls that failed Retryable: the gateway provably did
// not process them, so trying again cannot duplicate anything.
type retrying struct {
	Provider
	attempts int
	backoff  Backoff
}

var _ Provider = (*retrying)(nil)

// WithRetry wraps p so that Retryable failures are retried up to attempts
// times in all, honouring the gateway's Retry-After. Other classes pass
// through at once: an Ambiguous failure is the planner's to resolve.
func WithRetry(p Provider, attempts int, b Backoff) Provider {
	if attempts < 1 {
		attempts = 1
	}
	return &retrying{Provider: p, attempts: attempts, backoff: b}
}

func (r *retrying) Create(ctx context.Context, req Request) (Object, error) {
	var obj Object
	err := r.retry(ctx, func() (err error) { obj, err = r.Provider.Create(ctx, req); return err })
	return obj, err
}

func (r *retrying) Lookup(ctx context.Context, q Query) (Object, error) {
	var obj Object
	err := r.retry(ctx, func() (err error) { obj, err = r.Provider.Lookup(ctx, q); return err })
	return obj, err
}

func (r *retrying) Refresh(ctx context.Context, refs []Ref) ([]Object, error) {
	var objs []Object
	err := r.retry(ctx, func() (err error) { objs, err = r.Provider.Refresh(ctx, refs); return err })
	return objs, err
}

func (r *retrying) List(ctx context.Context, kind Kind, since time.Time) ([]Object, error) {
	var objs []Object
	err := r.retry(ctx, func() (err error) { objs, err = r.Provider.List(ctx, kind, since); return err })
	return objs, err
}

func (r *retrying) retry(ctx context.Context, call func() error) error {
	var err error
	for n := 1; ; n++ {
		err = call()
		if err == nil || ClassOf(err) != Retryable || n >= r.attempts || errors.Is(err, ErrStopped) {
			return err
		}
		var after time.Duration
		var e *Error
		if errors.As(err, &e) {
			after = e.RetryAfter
		}
		if werr := r.backoff.Wait(ctx, n, after); werr != nil {
			return err // interrupted: report the gateway's error, still Retryable
		}
	}
}

package providers

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// Transport returns base (http.DefaultTransport when nil) wrapped so
// that every request waits for the limiter, is counted as it leaves, and
// from then on is bounded by timeout (none when zero). The http.Client
// that uses it must have no Timeout of its own, which would also count
// the time spent waiting here: an hour for CoinPay24's invoices.
//
// Requests made inside a Create of a provider wrapped by WithRateLimit
// count against the creates-only limits too: the first of them, which
// every client makes the create itself.
func (l *Limiter) Transport(base http.RoundTripper, timeout time.Duration) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &limitTransport{base: base, l: l, timeout: timeout}
}

type limitTransport struct {
	base    http.RoundTripper
	l       *Limiter
	timeout time.Duration
}

func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	tk, err := t.l.acquire(ctx, takeCreate(ctx))
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err // nothing was sent: the client classifies it as retryable
	}
	if f, ok := ctx.Value(sentKey{}).(func(time.Time)); ok {
		f(tk.at)
	}
	if t.timeout <= 0 {
		resp, err := t.base.RoundTrip(req)
		t.answered(tk, resp, err)
		return resp, err
	}
	tctx, cancel := context.WithTimeout(ctx, t.timeout)
	resp, err := t.base.RoundTrip(req.WithContext(tctx))
	t.answered(tk, resp, err)
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

func (t *limitTransport) answered(tk *ticket, resp *http.Response, err error) {
	if err != nil {
		t.l.done(tk, 0, "")
		return
	}
	t.l.done(tk, resp.StatusCode, resp.Header.Get("Retry-After"))
}

// cancelOnClose ends a request's timeout when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// ErrStopped is the failure of a request that stopped waiting for a rate
// limit (StopWaiting): it was never sent.
var ErrStopped = errors.New("stopped while waiting for the rate limit; not sent")

type stopKey struct{}

// StopWaiting returns ctx whose requests give up waiting for a rate limit
// once stop is closed, failing with ErrStopped before they are sent;
// requests already sent finish under ctx. It is for callers whose calls
// must never be cut once under way but must not start one after Ctrl-C.
func StopWaiting(ctx context.Context, stop <-chan struct{}) context.Context {
	return context.WithValue(ctx, stopKey{}, stop)
}

func stopped(ctx context.Context) <-chan struct{} {
	c, _ := ctx.Value(stopKey{}).(<-chan struct{})
	return c // nil (never ready) when there is none
}

type sentKey struct{}

// OnSend returns ctx carrying f, which the rate-limited transport calls
// with the moment each request made under ctx leaves payform, after every
// wait: the time an attempt was really sent. A create followed by a
// checkout calls it twice; a retry calls it again.
func OnSend(ctx context.Context, f func(at time.Time)) context.Context {
	return context.WithValue(ctx, sentKey{}, f)
}

// Sent tells the OnSend hook of ctx, if any, that a request left payform
// at at: what the rate-limited transport does, for providers that do not
// go through it (fakes in tests, in-process gateways).
func Sent(ctx context.Context, at time.Time) {
	if f, ok := ctx.Value(sentKey{}).(func(time.Time)); ok {
		f(at)
	}
}

// createMark is put in the context of a Create; the first request made
// under it takes it.
type createMark struct{ taken atomic.Bool }

type createKey struct{}

func takeCreate(ctx context.Context) bool {
	m, ok := ctx.Value(createKey{}).(*createMark)
	return ok && m.taken.CompareAndSwap(false, true)
}

// limited marks Create calls so that the transport counts their create
// request against the creates-only limits.
type limited struct {
	Provider
	l *Limiter
}

var _ Provider = (*limited)(nil)

// WithRateLimit wraps p, whose HTTP client goes through l.Transport, so
// that the request a Create makes first (the create itself; a checkout
// after it is a plain request) counts against l's creates-only limits.
func WithRateLimit(p Provider, l *Limiter) Provider {
	return &limited{Provider: p, l: l}
}

func (w *limited) Create(ctx context.Context, req Request) (Object, error) {
	return w.Provider.Create(context.WithValue(ctx, createKey{}, &createMark{}), req)
}

// LimiterOf returns the limiter of a provider wrapped by WithRateLimit
// (under any other wrappers), nil when there is none.
func LimiterOf(p Provider) *Limiter {
	for {
		if w, ok := p.(*limited); ok {
			return w.l
		}
		u, ok := p.(interface{ Unwrap() Provider })
		if !ok {
			return nil
		}
		p = u.Unwrap()
	}
}

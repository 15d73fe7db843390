package providers_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
)

type checking struct {
	fakeProvider
	calls int
	check func() (providers.CheckResult, error)
}

func (c *checking) Gateway() string { return "fake" }

func (c *checking) Check(context.Context) (providers.CheckResult, error) {
	c.calls++
	return c.check()
}

// wrapped is p inside every wrapper gateways.Open puts around a provider.
func wrapped(p providers.Provider, secrets map[string]string) providers.Provider {
	instant := providers.Backoff{Sleep: func(context.Context, time.Duration) error { return nil }}
	lim := providers.NewLimiter(providers.LimiterOptions{Limits: []providers.Limit{{N: 1000, Per: time.Hour}}})
	return providers.WithScrub(providers.WithSettle(providers.WithRetry(providers.WithRateLimit(p, lim), 3, instant), time.Minute), secrets)
}

// TestCheck: the check is found through every wrapper, made once even
// when it failed Retryable (init reports what it sees), and its error
// keeps its class and Auth with every credential scrubbed from it.
func TestCheck(t *testing.T) {
	ctx := context.Background()
	c := &checking{check: func() (providers.CheckResult, error) {
		return providers.CheckResult{Call: "GET /x", Answer: "fine"}, nil
	}}
	p := wrapped(c, map[string]string{"api_key": "sekrit-key"})
	res, err := providers.Check(ctx, p)
	if err != nil || res.Answer != "fine" || c.calls != 1 {
		t.Errorf("Check = %+v, %v after %d calls; want fine after 1", res, err, c.calls)
	}

	c.calls = 0
	c.check = func() (providers.CheckResult, error) {
		return providers.CheckResult{Call: "GET /x"}, &providers.Error{Class: providers.Rejected, Gateway: "fake", Status: 401, Auth: true,
			Message: "key sekrit-key is wrong"}
	}
	_, err = providers.Check(ctx, p)
	want := &providers.Error{Class: providers.Rejected, Gateway: "fake", Status: 401, Auth: true, Message: "key [redacted] is wrong"}
	if diff := cmp.Diff(want, err); diff != "" || !providers.IsAuth(err) || c.calls != 1 {
		t.Errorf("a refused key after %d calls (-want +got):\n%s", c.calls, diff)
	}

	c.calls = 0
	c.check = func() (providers.CheckResult, error) {
		return providers.CheckResult{}, &providers.Error{Class: providers.Retryable, Gateway: "fake", Message: "connection refused"}
	}
	if _, err := providers.Check(ctx, p); providers.ClassOf(err) != providers.Retryable || providers.IsAuth(err) || c.calls != 1 {
		t.Errorf("unreachable: %v after %d calls; want Retryable, not Auth, after 1 call", err, c.calls)
	}

	if _, err := providers.Check(ctx, wrapped(fakeProvider{}, nil)); !errors.Is(err, providers.ErrUnsupported) {
		t.Errorf("a provider without a check: %v, want ErrUnsupported", err)
	}
	if providers.IsAuth(errors.New("HTTP 401")) {
		t.Error("IsAuth of an unclassified error")
	}
}

type looking struct {
	fakeProvider
	can   bool
	sends int
}

func (l *looking) Lookup(ctx context.Context, q providers.Query) (providers.Object, error) {
	if !l.can {
		return providers.Object{}, providers.ErrUnsupported
	}
	if ctx.Err() == nil {
		l.sends++
	}
	return providers.Object{}, ctx.Err()
}

// Balances answers as Lookup does: unsupported, or the context's error.
func (l *looking) Balances(ctx context.Context) (map[string]decimal.Decimal, error) {
	_, err := l.Lookup(ctx, providers.Query{})
	return nil, err
}

// TestCan: CanLookup and CanReadBalances tell what a provider can do
// through every wrapper, and nothing is ever sent.
func TestCan(t *testing.T) {
	for _, can := range []bool{false, true} {
		l := &looking{can: can}
		p := wrapped(l, nil)
		if got := providers.CanLookup(p, providers.Invoice); got != can {
			t.Errorf("CanLookup = %v, want %v", got, can)
		}
		if got := providers.CanReadBalances(p); got != can {
			t.Errorf("CanReadBalances = %v, want %v", got, can)
		}
		if l.sends != 0 {
			t.Errorf("%d calls were made with a live context", l.sends)
		}
	}
	if providers.CanReadBalances(wrapped(fakeProvider{}, nil)) {
		t.Error("CanReadBalances of a provider with no Balances method")
	}
}

type namedBalancing struct{ *balancing }

func (namedBalancing) Gateway() string { return "fake" }

// TestReadBalancesScrubbed: a balance error is scrubbed of the
// credentials like every other answer (it was not: ReadBalances went
// around the scrubbing wrapper).
func TestReadBalancesScrubbed(t *testing.T) {
	b := &balancing{balances: func(int) (map[string]decimal.Decimal, error) {
		return nil, &providers.Error{Class: providers.Rejected, Gateway: "fake", Status: 403, Auth: true, Message: "bad key sekrit-key"}
	}}
	_, err := providers.ReadBalances(context.Background(), wrapped(namedBalancing{b}, map[string]string{"api_key": "sekrit-key"}))
	want := &providers.Error{Class: providers.Rejected, Gateway: "fake", Status: 403, Auth: true, Message: "bad key [redacted]"}
	if diff := cmp.Diff(want, err); diff != "" {
		t.Errorf("ReadBalances (-want +got):\n%s", diff)
	}
}

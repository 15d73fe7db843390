package providers_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
)

// fakeProvider is a provider with function fields; balances nil means it
// has no Balances method.
type fakeProvider struct {
	providers.Provider // nil: calls other than Balances panic
}

type balancing struct {
	fakeProvider
	calls    int
	balances func(n int) (map[string]decimal.Decimal, error)
}

func (b *balancing) Balances(context.Context) (map[string]decimal.Decimal, error) {
	b.calls++
	return b.balances(b.calls)
}

// TestReadBalances: the capability is found through every wrapper, and a
// read that provably did not reach the gateway is retried.
func TestReadBalances(t *testing.T) {
	want := map[string]decimal.Decimal{"BTC": decimal.RequireFromString("1.5")}
	b := &balancing{balances: func(n int) (map[string]decimal.Decimal, error) {
		if n == 1 {
			return nil, &providers.Error{Class: providers.Retryable, Gateway: "fake", Message: "429"}
		}
		return want, nil
	}}
	instant := providers.Backoff{Sleep: func(context.Context, time.Duration) error { return nil }}
	limits := []providers.Limit{{N: 1000, Per: time.Hour, CreatesOnly: true}}
	p := providers.WithSettle(providers.WithRetry(providers.WithRateLimit(b, providers.NewLimiter(providers.LimiterOptions{Limits: limits})), 3, instant), time.Minute)
	got, err := providers.ReadBalances(context.Background(), p)
	if err != nil || !got["BTC"].Equal(want["BTC"]) || b.calls != 2 {
		t.Errorf("ReadBalances = %v, %v after %d calls; want %v after 2", got, err, b.calls, want)
	}

	b.calls = 0
	b.balances = func(int) (map[string]decimal.Decimal, error) {
		return nil, &providers.Error{Class: providers.Ambiguous, Gateway: "fake", Message: "timeout"}
	}
	if _, err := providers.ReadBalances(context.Background(), p); providers.ClassOf(err) != providers.Ambiguous || b.calls != 1 {
		t.Errorf("an ambiguous failure: %v after %d calls; want it at once", err, b.calls)
	}

	if _, err := providers.ReadBalances(context.Background(), providers.WithRetry(fakeProvider{}, 3, instant)); !errors.Is(err, providers.ErrUnsupported) {
		t.Errorf("a provider without balances: %v, want ErrUnsupported", err)
	}
}

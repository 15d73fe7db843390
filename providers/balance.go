package providers

import (
	"context"

	"github.com/shopspring/decimal"
)

// Balancer is the optional capability of a provider that can report its
// account's balances, so that a plan that cannot be funded is refused
// before anything is sent.
//
// Balances returns the balance available for sending per currency code.
// A currency it does not list is unknown, never zero. It returns
// ErrUnsupported when the gateway, or the provider block's settings, give
// no balance call, deciding so before anything is sent (CanReadBalances
// relies on it). It is idempotent and has no side effects.
type Balancer interface {
	Balances(ctx context.Context) (map[string]decimal.Decimal, error)
}

// ReadBalances asks p for its balances, through the wrappers payform puts
// around providers (retries, rate limits, settle time, the scrubbing of
// credentials from errors); ErrUnsupported when p cannot report them.
func ReadBalances(ctx context.Context, p Provider) (map[string]decimal.Decimal, error) {
	switch w := p.(type) {
	case *retrying:
		var out map[string]decimal.Decimal
		err := w.retry(ctx, func() (err error) { out, err = ReadBalances(ctx, w.Provider); return err })
		return out, err
	case *limited:
		return ReadBalances(ctx, w.Provider)
	case *settling:
		return ReadBalances(ctx, w.Provider)
	case *scrubbed:
		out, err := ReadBalances(ctx, w.Provider)
		return out, w.s.Error(w.Gateway(), err)
	case Balancer:
		return w.Balances(ctx)
	case interface{ Unwrap() Provider }:
		return ReadBalances(ctx, w.Unwrap())
	}
	return nil, ErrUnsupported
}

package providers

import (
	"context"
	"errors"
)

// Checker is the optional capability of a provider that can prove, with
// one read-only call, that its endpoint answers and takes its credentials
// (`payform init`). The call is the cheapest one the gateway documents
// that needs the credentials and changes nothing: a list, a balance, the
// lookup of an object that does not exist. Never a create.
//
// Check returns an error when the endpoint cannot be reached, when the
// gateway refuses the credentials (IsAuth) or when its answer is not the
// gateway's. A gateway with no such call (WllxPay's v1 API) is still
// reached, and CheckResult.Unproven says what could not be proven.
type Checker interface {
	Check(ctx context.Context) (CheckResult, error)
}

// CheckResult is what a successful check proved.
type CheckResult struct {
	// Call is the request the check made, as "METHOD /path", e.g.
	// "GET /api/v1/wallets".
	Call string
	// Answer says what the gateway answered, e.g. "2 wallets: BTC, USDT".
	Answer string
	// Unproven, when set, says why the credentials could not be proven
	// without a create: the endpoint answered, but nothing checked them.
	Unproven string
}

// IsAuth reports whether err is the gateway refusing the credentials
// (Error.Auth): a wrong key or secret, a bad signature, a key not allowed
// from here.
func IsAuth(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Auth
}

// Check runs p's check once, under p's rate limits but without retries
// (init reports what it sees), with every credential value scrubbed from
// its error. It returns ErrUnsupported when p cannot check itself.
func Check(ctx context.Context, p Provider) (CheckResult, error) {
	var s *Scrubber
	for {
		if w, ok := p.(*scrubbed); ok && s == nil {
			s = w.s
		}
		if c, ok := p.(Checker); ok {
			res, err := c.Check(ctx)
			return res, s.Error(p.Gateway(), err)
		}
		w, ok := p.(interface{ Unwrap() Provider })
		if !ok {
			return CheckResult{}, ErrUnsupported
		}
		p = w.Unwrap()
	}
}

// CanLookup reports whether p can look objects of kind up by merchant
// key, without asking the gateway: Lookup decides ErrUnsupported from
// the provider's settings before it sends anything, so a Lookup made with
// a context already cancelled tells, and sends nothing.
func CanLookup(p Provider, kind Kind) bool {
	_, err := Unwrap(p).Lookup(cancelled(), Query{Kind: kind, Key: "payform-probe"})
	return !errors.Is(err, ErrUnsupported)
}

// CanReadBalances reports whether p can report its balances, without
// asking the gateway (see CanLookup).
func CanReadBalances(p Provider) bool {
	_, err := ReadBalances(cancelled(), Unwrap(p))
	return !errors.Is(err, ErrUnsupported)
}

func cancelled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

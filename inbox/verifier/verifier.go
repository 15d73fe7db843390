// Package verifier makes the callback inbox's verifiers from payform's
// providers: each gateway's callbacks checked the vendor's way, through
// the provider block's client (a signature, or the object read back from
// the gateway). It keeps package inbox, which the state backends use,
// free of gateways.
package verifier

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/inbox"
	"github.com/payform/payform/providers"
)

// For makes the verifier of a provider block: its CallbackConfirmer (the
// object read back; a providers.ErrNotFound is a denial, any other
// failure means the gateway could not be asked) when it has one, else
// its CallbackVerifier (a signature: every failure is a denial), else
// nil: the gateway sends nothing payform can check.
func For(name, account string, p providers.Provider) *inbox.Verifier {
	switch v := providers.Unwrap(p).(type) {
	case providers.CallbackConfirmer:
		return &inbox.Verifier{Provider: name, Account: account, Check: func(ctx context.Context, r inbox.Received) (*inbox.Callback, string, error) {
			cb, err := v.ConfirmCallback(ctx, received(r))
			switch {
			case errors.Is(err, providers.ErrNotFound):
				return nil, "", fmt.Errorf("%w: %v", inbox.ErrDenied, err)
			case err != nil:
				return nil, "", err
			}
			return Callback(cb), cb.Via, nil
		}}
	case providers.CallbackVerifier:
		return &inbox.Verifier{Provider: name, Account: account, Check: func(_ context.Context, r inbox.Received) (*inbox.Callback, string, error) {
			cb, err := v.VerifyCallback(r.Header, r.Body)
			if err != nil {
				return nil, "", fmt.Errorf("%w: %v", inbox.ErrDenied, err)
			}
			return Callback(cb), cb.Via, nil
		}}
	}
	return nil
}

func received(r inbox.Received) providers.Received {
	return providers.Received{Method: r.Method, URL: r.URL, Header: r.Header, Body: r.Body}
}

// Callback keeps what a provider verified, as the inbox stores it.
func Callback(cb *providers.Callback) *inbox.Callback {
	c := &inbox.Callback{Type: cb.Type, ID: cb.ID, Key: cb.Key, Status: cb.Status, Fields: maps.Clone(cb.Fields)}
	if o := cb.Object; o != nil {
		c.Object = &inbox.Object{
			Kind: string(o.Kind), Key: o.Key, ID: o.ID, Status: string(o.Status), RawStatus: o.RawStatus,
			Currency: o.Currency, Address: o.Address, Tag: o.Tag, Fields: maps.Clone(o.Fields),
		}
		if !o.Amount.IsZero() {
			c.Object.Amount = o.Amount.String()
		}
	}
	return c
}

// Object is the inbox's object as providers.Object. An amount that does
// not parse (never written by Callback) reads as zero: not proven.
func Object(o *inbox.Object) providers.Object {
	p := providers.Object{
		Kind: providers.Kind(o.Kind), Key: o.Key, ID: o.ID, Status: providers.Status(o.Status), RawStatus: o.RawStatus,
		Currency: o.Currency, Address: o.Address, Tag: o.Tag, Fields: maps.Clone(o.Fields),
	}
	if d, err := decimal.NewFromString(o.Amount); err == nil {
		p.Amount = d
	}
	return p
}

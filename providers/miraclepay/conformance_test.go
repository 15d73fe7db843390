package miraclepay_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/miraclepay"
	"github.com/payform/payform/providers/miraclepay/sandbox"
	"github.com/payform/payform/providers/providertest"
)

func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		Gateway: miraclepay.Gateway,
		NewEmulator: func(t *testing.T) emulator.Emulator {
			emu, err := sandbox.New(sandbox.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return emu
		},
		Request: func(kind providers.Kind, key string) providers.Request {
			return providers.Request{Kind: kind, Key: key, Amount: decimal.RequireFromString("100.50"), Currency: "USD",
				Fields: map[string]string{providers.FieldBlockchains: "eth,btc", providers.FieldPayer: "customer",
					providers.FieldSuccessURL: "https://shop.example.com/done"}}
		},
		Invalid: func(kind providers.Kind) providers.Request {
			return providers.Request{Kind: kind, Key: "conf-invalid", Amount: decimal.RequireFromString("10"), Currency: "USD",
				Fields: map[string]string{providers.FieldBlockchains: "doge"}}
		},
	})
}

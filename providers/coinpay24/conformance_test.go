package coinpay24_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/coinpay24"
	"github.com/payform/payform/providers/coinpay24/sandbox"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/providertest"
)

func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		Gateway: coinpay24.Gateway,
		NewEmulator: func(t *testing.T) emulator.Emulator {
			emu, err := sandbox.New(sandbox.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(emu.Close)
			return emu
		},
		Request: func(kind providers.Kind, key string) providers.Request {
			return providers.Request{Kind: kind, Key: key, Amount: decimal.RequireFromString("49.99"), Currency: "EUR",
				Fields: map[string]string{providers.FieldTitle: "Order " + key, providers.FieldPayCurrency: "BTC"}}
		},
		Invalid: func(kind providers.Kind) providers.Request {
			return providers.Request{Kind: kind, Key: "conf-invalid", Amount: decimal.RequireFromString("0.001"), Currency: "USD"}
		},
	})
}

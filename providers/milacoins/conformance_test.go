package milacoins_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/milacoins"
	"github.com/payform/payform/providers/milacoins/sandbox"
	"github.com/payform/payform/providers/providertest"
)

func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		Gateway: milacoins.Gateway,
		NewEmulator: func(t *testing.T) emulator.Emulator {
			emu, err := sandbox.New(sandbox.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(emu.Close)
			return emu
		},
		Request: func(kind providers.Kind, key string) providers.Request {
			return providers.Request{Kind: kind, Key: key, Amount: decimal.RequireFromString("12.50"), Currency: "USD"}
		},
		Invalid: func(kind providers.Kind) providers.Request {
			// ILS is an invoice currency but not a wallet: 401/1006.
			return providers.Request{Kind: kind, Key: "conf-invalid", Amount: decimal.RequireFromString("10"), Currency: "ILS"}
		},
	})
}

package coinilla_test

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/coinilla"
	"github.com/payform/payform/providers/coinilla/sandbox"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/providertest"
)

func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		Gateway: coinilla.Gateway,
		NewEmulator: func(t *testing.T) emulator.Emulator {
			emu, err := sandbox.New(sandbox.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return emu
		},
		Request: func(kind providers.Kind, key string) providers.Request {
			return providers.Request{Kind: kind, Key: key, Amount: decimal.RequireFromString("49.99"), Currency: "USD",
				Fields: map[string]string{providers.FieldDescription: "Order " + key, providers.FieldSuccessURL: "https://shop.example.com/ok"}}
		},
		Invalid: func(kind providers.Kind) providers.Request {
			return providers.Request{Kind: kind, Key: "conf-invalid", Amount: decimal.RequireFromString("0.001"), Currency: "USD",
				Fields: map[string]string{providers.FieldDescription: strings.Repeat("x", 256)}}
		},
	})
}

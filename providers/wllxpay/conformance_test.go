package wllxpay_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/providertest"
	"github.com/payform/payform/providers/wllxpay"
	"github.com/payform/payform/providers/wllxpay/sandbox"
)

func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		Gateway: wllxpay.Gateway,
		NewEmulator: func(t *testing.T) emulator.Emulator {
			emu, err := sandbox.New(sandbox.Options{V2Lookup: true})
			if err != nil {
				t.Fatal(err)
			}
			return emu
		},
		Request: func(kind providers.Kind, key string) providers.Request {
			if kind == providers.DepositAddress {
				return providers.Request{Kind: kind, Key: key, Currency: "BTC"}
			}
			return providers.Request{Kind: kind, Key: key, Amount: decimal.RequireFromString("0.01"), Currency: "BTC", Address: addr("BTC")}
		},
		Invalid: func(kind providers.Kind) providers.Request {
			if kind == providers.DepositAddress {
				return providers.Request{Kind: kind, Key: "conf-invalid", Currency: "NOPE"}
			}
			return providers.Request{Kind: kind, Key: "conf-invalid", Amount: decimal.RequireFromString("0.01"), Currency: "BTC", Address: "bc1qnotanaddress"}
		},
		Options: map[string]string{"v2_lookup": "true"},
	})
}

package gateways_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/gateways"
	"github.com/payform/payform/providers/wllxpay"
)

// TestPageWllxPayTagEcho: the page's withdrawal/make request table is
// currency, foreign_id, amount, address, and its answer has "tag": null.
// payform sends the XRP destination tag all the same (docs/sandboxes.md:
// the assumption) and reports the answer's tag as echoed, never the one
// it sent: the sandbox takes it and echoes it; under --strict (the
// narrowest reading: no tag in the table, none taken) the answer's tag is
// null and so is Object.Tag, for the executor to flag.
func TestPageWllxPayTagEcho(t *testing.T) {
	dest, err := money.GenerateAddress("XRP", []byte("page-test"))
	if err != nil {
		t.Fatal(err)
	}
	req := providers.Request{Kind: providers.Payout, Key: "xrp-1", Amount: decimal.RequireFromString("12.5"), Currency: "XRP", Address: dest, Tag: "424242"}
	for _, tc := range []struct {
		strict bool
		want   string
	}{{false, "424242"}, {true, ""}} {
		s := serve(t, gateways.SandboxOptions{Strict: tc.strict})
		p, closer, err := gateways.Open(gateways.Spec{Gateway: wllxpay.Gateway, Name: "wllxpay", Endpoint: s.base + "/wllxpay/api/v1",
			Credentials: map[string]string{"api_key": "wllxpay-test-key", "secret_key": "wllxpay-test-secret"}, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		obj, err := p.Create(context.Background(), req)
		closer.Close()
		if err != nil || obj.Tag != tc.want {
			t.Errorf("strict=%v: Object.Tag %q, %v; want %q", tc.strict, obj.Tag, err, tc.want)
		}
	}
}

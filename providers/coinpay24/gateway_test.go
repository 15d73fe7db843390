package coinpay24_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/coinpay24"
	"github.com/payform/payform/providers/coinpay24/sandbox"
)

// TestGateway: the descriptor agrees with the emulator and with money.
func TestGateway(t *testing.T) {
	g := coinpay24.Gateway
	if diff := cmp.Diff(sandbox.PriceCurrencies(), slices.Sorted(slices.Values(g.Currencies))); diff != "" {
		t.Errorf("currencies: the emulator's (-) and the descriptor's (+):\n%s", diff)
	}
	for _, code := range g.Currencies {
		if _, ok := money.Lookup(code); !ok {
			t.Errorf("money does not know %s", code)
		}
	}
	want := []providers.Limit{{N: 200, Per: time.Minute}, {N: 1000, Per: time.Hour}, {N: 1000, Per: time.Hour, CreatesOnly: true}}
	if diff := cmp.Diff(want, g.Limits); diff != "" {
		t.Errorf("limits (-want +got):\n%s", diff)
	}
	if g.Credentials[0].Sandbox != sandbox.DefaultAPIKey {
		t.Errorf("sandbox key %q, the emulator's %q", g.Credentials[0].Sandbox, sandbox.DefaultAPIKey)
	}
	if _, err := g.New(providers.Settings{Name: "coinpay24"}); err == nil {
		t.Error("New without an api_key succeeded")
	}
	if ks, ok := g.Supports(providers.Invoice); !ok || ks.InDoubt != providers.LookupByKey {
		t.Errorf("Supports(invoice) = %+v, %v", ks, ok)
	}
}

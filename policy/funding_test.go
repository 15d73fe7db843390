package policy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/wllxpay"
	"github.com/payform/payform/providers/wllxpay/sandbox"
	"github.com/payform/payform/schema"
)

// wllxpayGateway serves a WllxPay emulator with v2 over real HTTP and
// returns its v1 endpoint.
func wllxpayGateway(t *testing.T, balances map[string]decimal.Decimal) (*sandbox.Emulator, string) {
	t.Helper()
	emu, err := sandbox.New(sandbox.Options{V2Lookup: true, Balances: balances, Enabled: []string{"BTC", "ETH"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emulator.NewServer(emulator.ServerOptions{Emulators: []emulator.Emulator{emu}}))
	t.Cleanup(srv.Close)
	return emu, srv.URL + wllxpay.Gateway.SandboxPath
}

// readBalances opens each provider block's client and reads its
// balances, as plan will.
func readBalances(t *testing.T, cfg *schema.Config) []Balances {
	t.Helper()
	var out []Balances
	for _, p := range cfg.Providers {
		prov, err := p.Gateway.New(providers.Settings{Name: p.Name(), Endpoint: p.Endpoint, Credentials: p.Credentials, Options: p.Options,
			HTTPClient: &http.Client{Timeout: 5 * time.Second}})
		if err != nil {
			t.Fatal(err)
		}
		b, err := providers.ReadBalances(context.Background(), prov)
		out = append(out, Balances{Provider: p.Name(), Balances: b, Err: err})
	}
	return out
}

// TestFunding2000Payouts: a batch of 2,000 payouts 0.001 BTC over the
// balance the emulator reports is refused at the provider block; the same
// batch exactly funded passes.
func TestFunding2000Payouts(t *testing.T) {
	const n = 2000
	var in []Item
	for i := range n {
		in = append(in, item("wllxpay", fmt.Sprintf("po-%04d", i), "BTC", "0.001", addr(t, "BTC", "x")))
	}
	for _, tc := range []struct {
		balance string
		short   string
	}{{"1.999", "0.001"}, {"2", ""}, {"2.00000001", ""}} {
		t.Run(tc.balance, func(t *testing.T) {
			_, endpoint := wllxpayGateway(t, map[string]decimal.Decimal{"BTC": dec(tc.balance), "ETH": dec("1")})
			cfg := configWith(t, `provider "wllxpay" {
  endpoint   = "`+endpoint+`"
  api_key    = "`+sandbox.DefaultKey+`"
  secret_key = "`+sandbox.DefaultSecret+`"
  v2_lookup  = true
}
`, "")
			f := CheckFunding(cfg, in, readBalances(t, cfg))
			want := []FundingLine{{Providers: []string{"wllxpay"}, Currency: "BTC", Items: n, Sends: dec("2"), Available: dec(tc.balance), Reported: true}}
			if tc.short != "" {
				want[0].Short = dec(tc.short)
			}
			if diff := cmp.Diff(want, f.Lines, cmpDecimal); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
			if got := f.Diagnostics.HasErrors(); got != (tc.short != "") {
				t.Errorf("error: %v, want %v: %s", got, tc.short != "", render(t, cfg, f.Diagnostics))
			}
			if tc.short != "" {
				checkGolden(t, "funding_short.txt", render(t, cfg, f.Diagnostics))
			}
		})
	}
}

// TestFundingUnchecked: accounts that cannot say what they hold are
// named, never taken as funded or unfunded.
func TestFundingUnchecked(t *testing.T) {
	_, endpoint := wllxpayGateway(t, map[string]decimal.Decimal{"BTC": dec("10")})
	cfg := configWith(t, `provider "wllxpay" {
  endpoint   = "`+endpoint+`"
  api_key    = "`+sandbox.DefaultKey+`"
  secret_key = "`+sandbox.DefaultSecret+`"
  v2_lookup  = true
}

provider "wllxpay" {
  alias      = "same"
  endpoint   = "`+endpoint+`"
  api_key    = "`+sandbox.DefaultKey+`"
  secret_key = "`+sandbox.DefaultSecret+`"
}

provider "wllxpay" {
  alias      = "v1"
  endpoint   = "`+endpoint+`"
  api_key    = "another-key"
  secret_key = "s"
}

provider "wllxpay" {
  alias      = "broken"
  endpoint   = "`+endpoint+`"
  api_key    = "third-key"
  secret_key = "wrong"
  v2_lookup  = true
}
`, "")
	in := []Item{
		item("wllxpay.same", "a", "BTC", "1", addr(t, "BTC", "a")), // the same account as wllxpay: checked
		item("wllxpay", "b", "USDTT", "5", addr(t, "USDTT", "a")),  // not listed: unknown
		item("wllxpay.v1", "c", "BTC", "1", addr(t, "BTC", "a")),
		item("wllxpay.broken", "d", "BTC", "1", addr(t, "BTC", "a")),
		{Address: "invoice_batch.b[\"i\"]", Kind: providers.Invoice, Provider: "wllxpay", Key: "i", Currency: "BTC", Amount: dec("1000")}, // not a payout
	}
	f := CheckFunding(cfg, in, readBalances(t, cfg))
	want := &Funding{
		Lines: []FundingLine{
			{Providers: []string{"wllxpay", "wllxpay.same"}, Currency: "BTC", Items: 1, Sends: dec("1"), Available: dec("10"), Reported: true},
			{Providers: []string{"wllxpay", "wllxpay.same"}, Currency: "USDTT", Items: 1, Sends: dec("5")},
		},
		Unchecked: []Unchecked{
			{Providers: []string{"wllxpay.broken"}, Error: "wllxpay accounts/list: HTTP 403: Bad key header (bad_header_key)"},
			{Providers: []string{"wllxpay.v1"}, Unsupported: true},
		},
	}
	if diff := cmp.Diff(want.Lines, f.Lines, cmpDecimal); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want.Unchecked, f.Unchecked); diff != "" {
		t.Errorf("unchecked (-want +got):\n%s", diff)
	}
	if f.Diagnostics.HasErrors() {
		t.Errorf("errors: %s", render(t, cfg, f.Diagnostics))
	}
	var text []string
	for _, u := range f.Unchecked {
		text = append(text, u.Text())
	}
	checkGolden(t, "funding_unchecked.txt", render(t, cfg, f.Diagnostics)+strings.Join(text, "\n")+"\n")

	// No report at all for an account is unchecked too.
	f = CheckFunding(cfg, in[:1], nil)
	if len(f.Lines) != 0 || len(f.Unchecked) != 1 || !f.Unchecked[0].Unsupported {
		t.Errorf("without reports: %+v", f)
	}
	// A real error wins over ErrUnsupported in the account's reports.
	f = CheckFunding(cfg, in[:1], []Balances{{Provider: "wllxpay.same", Err: providers.ErrUnsupported}, {Provider: "wllxpay", Err: errors.New("timeout")}})
	if len(f.Unchecked) != 1 || f.Unchecked[0].Error != "timeout" {
		t.Errorf("with an error: %+v", f.Unchecked)
	}
}

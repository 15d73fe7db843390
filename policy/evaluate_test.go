package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers"
)

// TestPerItem: a payout over the per-item limit needs approval or is
// refused at its amount; one at the limit passes.
func TestPerItem(t *testing.T) {
	btc := addr(t, "BTC", "a")
	for _, tc := range []struct {
		overLimit string
		want      []string
	}{
		{"approve", []string{ // in declaration order
			"payout.small allow",
			"payout.at-limit allow",
			"payout.over approve treasury/per_item=approve",
		}},
		{"refuse", []string{ // in declaration order
			"payout.small allow",
			"payout.at-limit allow",
			"payout.over refuse treasury/per_item=refuse",
		}},
	} {
		t.Run(tc.overLimit, func(t *testing.T) {
			cfg := config(t, `policy "treasury" {
  per_item   = { BTC = "0.5" }
  over_limit = "`+tc.overLimit+`"
`+approvals+`}

`+payouts(
				[5]string{"wllxpay", "small", "BTC", "0.1", btc},
				[5]string{"wllxpay", "at-limit", "BTC", "0.50000000", btc},
				[5]string{"wllxpay", "over", "BTC", "0.50000001", btc},
			))
			in := items(cfg)
			r := Evaluate(Input{Config: cfg, Items: in, Now: t0})
			if diff := cmp.Diff(tc.want, decisions(in, r)); diff != "" {
				t.Errorf("verdicts (-want +got):\n%s", diff)
			}
			checkGolden(t, "per_item_"+tc.overLimit+".txt", report(t, cfg, r))
			if tc.overLimit == "approve" && (len(r.Approvals) != 1 || r.Approvals[0].Required != 2 || r.Approvals[0].Items != 1 || r.Refused()) {
				t.Errorf("approvals %+v, refused %v", r.Approvals, r.Refused())
			}
			if tc.overLimit == "refuse" && (len(r.Approvals) != 0 || !r.Refused()) {
				t.Errorf("approvals %+v, refused %v", r.Approvals, r.Refused())
			}
		})
	}
}

// TestPerPlanPerAccount: per-plan limits sum per account and currency;
// two provider blocks of one account share the limit, another account
// has its own.
func TestPerPlanPerAccount(t *testing.T) {
	btc, eth := addr(t, "BTC", "a"), addr(t, "ETH", "a")
	cfg := config(t, `policy "treasury" {
  per_plan = { BTC = "1", ETH = "10" }
}

`+payouts(
		[5]string{"wllxpay", "a1", "BTC", "0.6", btc},
		[5]string{"wllxpay.eu", "a2", "BTC", "0.6", btc}, // same account: 1.2 > 1
		[5]string{"wllxpay.other", "b1", "BTC", "0.9", btc},
		[5]string{"wllxpay.other", "b2", "ETH", "10", eth},
	))
	in := items(cfg)
	r := Evaluate(Input{Config: cfg, Items: in, Now: t0})
	want := []string{
		"payout.a1 refuse treasury/per_plan=refuse",
		"payout.a2 refuse treasury/per_plan=refuse",
		"payout.b1 allow",
		"payout.b2 allow",
	}
	if diff := cmp.Diff(want, decisions(in, r)); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	if r.Verdicts[0].Findings[0] != r.Verdicts[1].Findings[0] {
		t.Error("the two items of one plan-wide finding do not share it")
	}
	checkGolden(t, "per_plan.txt", report(t, cfg, r))
}

// TestRolling: what was sent in the window counts with the plan, in
// doubt or not, through any provider block of the account; once the
// window has passed it does not.
func TestRolling(t *testing.T) {
	btc := addr(t, "BTC", "a")
	cfg := config(t, `policy "velocity" {
  rolling {
    window = "24h"
    limit  = { BTC = "5" }
  }
}

`+payouts([5]string{"wllxpay", "today", "BTC", "1.5", btc}))
	in := items(cfg)
	sent := []Sent{
		{Provider: "wllxpay.eu", Gateway: "wllxpay", Kind: providers.Payout, Key: "y1", Amount: dec("2"), Currency: "BTC", At: t0.Add(-23 * time.Hour)},
		{Provider: "wllxpay", Gateway: "wllxpay", Kind: providers.Payout, Key: "y2", Amount: dec("2"), Currency: "BTC", At: t0.Add(-2 * time.Hour), InDoubt: true},
		{Provider: "wllxpay.other", Gateway: "wllxpay", Kind: providers.Payout, Key: "o1", Amount: dec("100"), Currency: "BTC", At: t0.Add(-time.Hour)}, // another account
		{Provider: "wllxpay", Gateway: "wllxpay", Kind: providers.Payout, Key: "old", Amount: dec("100"), Currency: "BTC", At: t0.Add(-24 * time.Hour)}, // left the window
		{Provider: "wllxpay", Gateway: "wllxpay", Kind: providers.Payout, Key: "eth", Amount: dec("100"), Currency: "ETH", At: t0.Add(-time.Hour)},
		{Provider: "wllxpay", Gateway: "wllxpay", Kind: providers.Invoice, Key: "inv", Amount: dec("100"), Currency: "BTC", At: t0.Add(-time.Hour)}, // not governed
	}
	r := Evaluate(Input{Config: cfg, Items: in, Sent: sent, Now: t0})
	if diff := cmp.Diff([]string{"payout.today refuse velocity/rolling=refuse"}, decisions(in, r)); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	f := r.Verdicts[0].Findings[0]
	if !f.Sent.Equal(dec("4")) || !f.Amount.Equal(dec("5.5")) || !f.FitsAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("finding: sent %s, amount %s, fits at %s", f.Sent, f.Amount, f.FitsAt)
	}
	checkGolden(t, "rolling.txt", report(t, cfg, r))

	// An hour later the first send has left the window: 2 + 1.5 ≤ 5.
	r = Evaluate(Input{Config: cfg, Items: in, Sent: sent, Now: t0.Add(time.Hour)})
	if diff := cmp.Diff([]string{"payout.today allow"}, decisions(in, r)); diff != "" || r.Refused() {
		t.Errorf("an hour later (-want +got):\n%s%s", diff, render(t, cfg, r.Diagnostics))
	}
	// Exactly at the limit is within it.
	r = Evaluate(Input{Config: cfg, Items: in, Sent: append(sent[:0:0], Sent{Provider: "wllxpay", Gateway: "wllxpay", Kind: providers.Payout, Key: "x", Amount: dec("3.5"), Currency: "BTC", At: t0}), Now: t0})
	if r.Refused() {
		t.Errorf("5 BTC against a limit of 5: %s", render(t, cfg, r.Diagnostics))
	}
	// A plan over the limit on its own never fits.
	bigCfg := config(t, `policy "velocity" {
  rolling {
    window = "24h"
    limit  = { BTC = "1" }
  }
}

`+payouts([5]string{"wllxpay", "big", "BTC", "1.5", btc}))
	r = Evaluate(Input{Config: bigCfg, Items: items(bigCfg), Now: t0})
	if f := r.Verdicts[0].Findings; len(f) != 1 || !f[0].FitsAt.IsZero() {
		t.Errorf("a plan over the limit alone: %+v", f)
	}
}

// TestRollingUnconfiguredProvider: a send recorded under a provider block
// that is gone counts against every account of its gateway, and the
// section says so.
func TestRollingUnconfiguredProvider(t *testing.T) {
	btc := addr(t, "BTC", "a")
	cfg := config(t, `policy "velocity" {
  rolling {
    window = "7d"
    limit  = { BTC = "5" }
  }
}

`+payouts([5]string{"wllxpay", "a", "BTC", "1", btc}, [5]string{"wllxpay.other", "b", "BTC", "1", btc}))
	in := items(cfg)
	sent := []Sent{{Provider: "wllxpay.old", Gateway: "wllxpay", Kind: providers.Payout, Key: "x", Amount: dec("4.5"), Currency: "BTC", At: t0.Add(-48 * time.Hour)}}
	r := Evaluate(Input{Config: cfg, Items: in, Sent: sent, Now: t0})
	want := []string{"payout.a refuse velocity/rolling=refuse", "payout.b refuse velocity/rolling=refuse"}
	if diff := cmp.Diff(want, decisions(in, r)); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"1 send recorded under provider wllxpay.old, which is no longer configured, counts against every wllxpay account"}, r.Sections[0].Notes); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
}

// TestResendCountedOnce: a resolve that may send again replaces its
// recorded attempt in the window, rather than counting twice.
func TestResendCountedOnce(t *testing.T) {
	cfg := config(t, `policy "velocity" {
  rolling {
    window = "24h"
    limit  = { BTC = "1" }
  }
}
`)
	in := []Item{item("wllxpay", "po-1", "BTC", "0.8", addr(t, "BTC", "a"))}
	in[0].Resend = true
	sent := []Sent{{Provider: "wllxpay", Gateway: "wllxpay", Kind: providers.Payout, Key: "po-1", Amount: dec("0.8"), Currency: "BTC", At: t0.Add(-time.Hour), InDoubt: true}}
	if r := Evaluate(Input{Config: cfg, Items: in, Sent: sent, Now: t0}); r.Refused() {
		t.Errorf("a resend counted twice: %s", render(t, cfg, r.Diagnostics))
	}
	in[0].Resend = false // a create under the same key would be another payment
	if r := Evaluate(Input{Config: cfg, Items: in, Sent: sent, Now: t0}); !r.Refused() {
		t.Error("a create beside its recorded send was not counted with it")
	}
}

// TestDestinations: the screening list refuses whatever else is decided,
// in any spelling of the address; the address book matches currency,
// address and tag.
func TestDestinations(t *testing.T) {
	eth, eth2 := addr(t, "ETH", "book"), addr(t, "ETH", "stranger")
	screened := addr(t, "ETH", "screened")
	xrp := addr(t, "XRP", "exchange")
	cfg := config(t, `policy "screening" {
  per_item   = { ETH = "1000", USDC = "1000" }
  over_limit = "approve"
  destinations {
    allow   = "book.csv"
    deny    = "sdn.csv"
    unknown = "approve"
  }
`+approvals+`}

`+payouts(
		[5]string{"wllxpay", "known", "ETH", "1", strings.ToLower(eth)},
		[5]string{"wllxpay", "known-usdc", "USDC", "1", eth}, // the book lists ETH only
		[5]string{"wllxpay", "stranger", "ETH", "1", eth2},
		[5]string{"wllxpay", "screened", "ETH", "1", strings.ToLower(screened)},
		[5]string{"wllxpay", "screened-usdc", "USDC", "2000", screened},
	)+`payout "xrp-right-tag" {
  provider   = wllxpay
  foreign_id = "xrp-right-tag"
  currency   = "XRP"
  amount     = "10"
  address    = "`+xrp+`"
  tag        = "7"
}

payout "xrp-wrong-tag" {
  provider   = wllxpay
  foreign_id = "xrp-wrong-tag"
  currency   = "XRP"
  amount     = "10"
  address    = "`+xrp+`"
  tag        = "8"
}
`,
		"book.csv", "currency,address,tag,label\nETH,"+eth+",,Acme\nETH,"+screened+",,listed by mistake\nXRP,"+xrp+",7,Exchange\n",
		"sdn.csv", "address,reason\n0x"+strings.ToUpper(screened[2:])+",SDN\n")
	in := items(cfg)
	r := Evaluate(Input{Config: cfg, Items: in, Now: t0})
	want := []string{
		"payout.known allow",
		"payout.known-usdc approve screening/unknown_destination=approve",
		"payout.stranger approve screening/unknown_destination=approve",
		"payout.screened refuse screening/deny=refuse",
		"payout.screened-usdc refuse screening/deny=refuse screening/unknown_destination=approve screening/per_item=approve",
		"payout.xrp-right-tag allow",
		"payout.xrp-wrong-tag approve screening/unknown_destination=approve",
	}
	if diff := cmp.Diff(want, decisions(in, r)); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	if r.Sections[0].NewDestinations != 4 {
		t.Errorf("new destinations: %d, want 4", r.Sections[0].NewDestinations)
	}
	checkGolden(t, "destinations.txt", report(t, cfg, r))
}

// TestAddressListedTwice: an address the book lists in several
// currencies or with several tags matches each of its entries, whichever
// spelling and order they have.
func TestAddressListedTwice(t *testing.T) {
	eth := addr(t, "ETH", "twice")
	xrp := addr(t, "XRP", "twice")
	xrpPayout := func(name, tag string) string {
		return `payout "` + name + `" {
  provider   = wllxpay
  foreign_id = "` + name + `"
  currency   = "XRP"
  amount     = "10"
  address    = "` + xrp + `"
  tag        = "` + tag + `"
}

`
	}
	cfg := config(t, `policy "book" {
  destinations {
    allow   = "book.csv"
    unknown = "approve"
  }
`+approvals+`}

`+payouts(
		[5]string{"wllxpay", "eth", "ETH", "1", eth},
		[5]string{"wllxpay", "usdc", "USDC", "1", strings.ToLower(eth)},
		[5]string{"wllxpay", "usdt", "USDT", "1", eth},
	)+xrpPayout("xrp-7", "7")+xrpPayout("xrp-8", "8")+xrpPayout("xrp-9", "9"),
		"book.csv", "currency,address,tag,label\nUSDC,"+strings.ToLower(eth)+",,\nXRP,"+xrp+",9,\nETH,0x"+strings.ToUpper(eth[2:])+",,\nXRP,"+xrp+",7,\nUSDC,"+eth+",,again\n")
	in := items(cfg)
	r := Evaluate(Input{Config: cfg, Items: in, Now: t0})
	want := []string{
		"payout.eth allow",
		"payout.usdc allow",
		"payout.usdt approve book/unknown_destination=approve",
		"payout.xrp-7 allow",
		"payout.xrp-8 approve book/unknown_destination=approve",
		"payout.xrp-9 allow",
	}
	if diff := cmp.Diff(want, decisions(in, r)); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	if r.Sections[0].NewDestinations != 2 {
		t.Errorf("new destinations: %d, want 2", r.Sections[0].NewDestinations)
	}
}

// TestUnknownDestinationRefused: unknown = "refuse" is an error at the
// payout's address; unknown = "allow" only counts new destinations.
func TestUnknownDestination(t *testing.T) {
	known, stranger := addr(t, "BTC", "known"), addr(t, "BTC", "stranger")
	for _, unknown := range []string{"refuse", "allow"} {
		cfg := config(t, `policy "book" {
  destinations {
    allow   = "book.csv"
    unknown = "`+unknown+`"
  }
}

`+payouts([5]string{"wllxpay", "known", "BTC", "1", known}, [5]string{"wllxpay", "stranger", "BTC", "1", stranger}),
			"book.csv", "BTC,"+known+",,Acme\n")
		in := items(cfg)
		r := Evaluate(Input{Config: cfg, Items: in, Now: t0})
		want := []string{"payout.known allow", "payout.stranger refuse book/unknown_destination=refuse"}
		if unknown == "allow" {
			want[1] = "payout.stranger allow"
		}
		if diff := cmp.Diff(want, decisions(in, r)); diff != "" {
			t.Errorf("unknown = %s: verdicts (-want +got):\n%s", unknown, diff)
		}
		if r.Sections[0].NewDestinations != 1 {
			t.Errorf("unknown = %s: %d new destinations", unknown, r.Sections[0].NewDestinations)
		}
		if unknown == "refuse" {
			checkGolden(t, "unknown_refused.txt", render(t, cfg, r.Diagnostics))
		}
	}
}

// TestScopeAndKinds: a policy that names a provider covers every block
// of its account and no other; invoices are governed only when asked,
// and deposit addresses never.
func TestScopeAndKinds(t *testing.T) {
	btc := addr(t, "BTC", "a")
	cfg := config(t, `policy "eu" {
  providers = [wllxpay.eu]
  per_item  = { BTC = "1" }
}

policy "invoices" {
  kinds    = ["invoice"]
  per_item = { USD = "100" }
}
`)
	in := []Item{
		item("wllxpay", "same-account", "BTC", "2", btc),
		item("wllxpay.eu", "named", "BTC", "2", btc),
		item("wllxpay.other", "other-account", "BTC", "2", btc),
		{Address: "invoice_batch.b[\"inv\"]", Kind: providers.Invoice, Provider: "coinpay24", Key: "inv", Currency: "USD", Amount: dec("150")},
		{Address: "deposit_address_pool.p[\"c/BTC\"]", Kind: providers.DepositAddress, Provider: "wllxpay.eu", Key: "c", Currency: "BTC"},
	}
	r := Evaluate(Input{Config: cfg, Items: in, Now: t0})
	want := []string{
		"payout.same-account refuse eu/per_item=refuse",
		"payout.named refuse eu/per_item=refuse",
		"payout.other-account allow",
		`invoice_batch.b["inv"] refuse invoices/per_item=refuse`,
		`deposit_address_pool.p["c/BTC"] allow`,
	}
	if diff := cmp.Diff(want, decisions(in, r)); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	if r.Sections[0].Items != 2 || r.Sections[1].Items != 1 {
		t.Errorf("governed items: %d and %d", r.Sections[0].Items, r.Sections[1].Items)
	}
}

// TestAlways: always = true asks for approvals of any plan that sends
// what the policy governs, and of no other.
func TestAlways(t *testing.T) {
	cfg := config(t, `policy "four-eyes" {
  providers = [wllxpay.other]
  approvals {
    signers  = "allowed_signers"
    required = 1
    always   = true
  }
}
`)
	btc := addr(t, "BTC", "a")
	r := Evaluate(Input{Config: cfg, Items: []Item{item("wllxpay", "a", "BTC", "0.00000001", btc)}, Now: t0})
	if len(r.Approvals) != 0 || r.Verdicts[0].Decision != Allow {
		t.Errorf("a plan outside the policy needs %+v", r.Approvals)
	}
	in := []Item{item("wllxpay", "a", "BTC", "1", btc), item("wllxpay.other", "b", "BTC", "0.00000001", btc)}
	r = Evaluate(Input{Config: cfg, Items: in, Now: t0})
	if diff := cmp.Diff([]string{"payout.a allow", "payout.b approve four-eyes/always=approve"}, decisions(in, r)); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	if len(r.Approvals) != 1 || r.Approvals[0].Required != 1 || r.Approvals[0].Items != 1 || r.Approvals[0].Signers == nil {
		t.Errorf("approvals: %+v", r.Approvals)
	}
	opts := r.Approvals[0].Options([]string{"ci@example.com"}, t0)
	if opts.Required != 1 || opts.Signers != r.Approvals[0].Signers || !opts.Now.Equal(t0) || opts.Authors[0] != "ci@example.com" {
		t.Errorf("Options: %+v", opts)
	}
	if r := Evaluate(Input{Config: cfg, Now: t0}); len(r.Approvals) != 0 {
		t.Errorf("an empty plan needs %+v", r.Approvals)
	}
}

// TestManyRefusals: each rule reports at most maxItemRefusals items, and
// counts the rest in one more error.
func TestManyRefusals(t *testing.T) {
	cfg := config(t, `policy "treasury" {
  per_item = { BTC = "1" }
}
`)
	btc := addr(t, "BTC", "a")
	var in []Item
	for i := range 25 {
		in = append(in, item("wllxpay", "po-"+string(rune('a'+i)), "BTC", "2", btc))
	}
	r := Evaluate(Input{Config: cfg, Items: in, Now: t0})
	if len(r.Diagnostics) != maxItemRefusals+1 {
		t.Fatalf("%d diagnostics", len(r.Diagnostics))
	}
	last := r.Diagnostics[maxItemRefusals]
	if last.Summary != "5 more payouts refused by policy treasury" || last.Detail != `policy "treasury"'s per_item rule refuses 25 items in all; the first 20 are reported above.` {
		t.Errorf("last diagnostic: %q: %q", last.Summary, last.Detail)
	}
	for i, v := range r.Verdicts {
		if v.Decision != Refuse {
			t.Errorf("item %d: %s", i, v.Decision)
		}
	}
}

// TestNoPolicies: without policies every item is allowed and nothing is
// reported.
func TestNoPolicies(t *testing.T) {
	cfg := config(t, "")
	r := Evaluate(Input{Config: cfg, Items: []Item{item("wllxpay", "a", "BTC", "1000", addr(t, "BTC", "a"))}, Now: t0})
	if r.Verdicts[0].Decision != Allow || len(r.Sections) != 0 || len(r.Approvals) != 0 || len(r.Diagnostics) != 0 {
		t.Errorf("%+v", r)
	}
}

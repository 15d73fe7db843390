package schema

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers"
)

// Public keys for allowed_signers files (any 32 bytes are an ed25519 key).
const (
	signerKeyA = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtHtk/ox2aTTGXEnR7YYb5jB0nqZbnazoafbOXVF8oe"
	signerKeyB = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHm6tHxQuMOzv9zOr2tfnc3/FHkVdjp72hrVuYQWHoW9"
)

const twoSigners = "alice@example.com " + signerKeyA + "\nbob@example.com " + signerKeyB + "\n"

// twoProviders are a sandbox provider and an aliased one.
const twoProviders = sandboxProvider + `
provider "wllxpay" {
  alias   = "eu"
  sandbox = true
}
`

// policyFiles returns a configuration of two providers and a policy
// block with body, plus extra files (name, content pairs).
func policyFiles(body string, kv ...string) map[string]string {
	files := map[string]string{"main.hcl": twoProviders + "\npolicy \"treasury\" {\n" + body + "}\n"}
	return with(files, kv...)
}

// approvalsBlock is an approvals block over twoSigners.
const approvalsBlock = `  approvals {
    signers  = "allowed_signers"
    required = 2
  }
`

func TestPolicyDecode(t *testing.T) {
	dir := writeFiles(t, policyFiles(`  kinds     = ["payout", "invoice"]
  providers = [wllxpay.eu]
  per_item  = { BTC = "0.5", USDTT = 10000 }
  per_plan  = { BTC = "2" }
  rolling {
    window = "7d"
    limit  = { BTC = "20" }
  }
  rolling {
    window = "24h"
    limit  = { BTC = "5", ETH = 0 }
  }
  destinations {
    allow   = "address-book.csv"
    deny    = ["screening.csv", "more/screening.csv"]
    unknown = "refuse"
  }
  over_limit = "approve"
  approvals {
    signers  = "allowed_signers"
    required = 2
    always   = true
  }
`,
		"address-book.csv", "\ufeffcurrency,address,tag,label\nBTC,"+btcAddr+",,Acme GmbH\n# the exchange\nXRP, "+xrpAddr+" ,00042,Exchange\n\nETH,"+ethAddr+"\n",
		"screening.csv", "address,reason\n"+btcAddr2+",\"SDN: Example, Ltd\"\n",
		"more/screening.csv", trxAddr+"\n",
		"allowed_signers", "# approvers\n"+twoSigners))
	cfg := mustLoad(t, Options{Dir: dir})
	if len(cfg.Policies) != 1 {
		t.Fatalf("got %d policies", len(cfg.Policies))
	}
	p := cfg.Policies[0]
	type limit struct {
		Currency, Amount string
		Line             int
	}
	limits := func(ls Limits) map[string]limit {
		out := map[string]limit{}
		for code, l := range ls {
			out[code] = limit{l.Currency, l.Amount.String(), l.Range.Start.Line}
		}
		return out
	}
	type rolling struct {
		Window time.Duration
		Limit  map[string]limit
	}
	type decodedPolicy struct {
		Name       string
		Kinds      []providers.Kind
		Providers  []string
		PerItem    map[string]limit
		PerPlan    map[string]limit
		Rolling    []rolling
		Allow      []AddressEntry
		Deny       []DeniedAddress
		Unknown    Decision
		OverLimit  Decision
		Signers    [][]string
		Required   int
		Always     bool
		Accounts   map[string]bool
		GovernsInv bool
	}
	got := decodedPolicy{
		Name: p.Name, Kinds: p.Kinds, PerItem: limits(p.PerItem), PerPlan: limits(p.PerPlan),
		Allow: p.Destinations.Allow.Entries, Deny: p.Destinations.Deny.Entries, Unknown: p.Destinations.Unknown,
		OverLimit: p.OverLimit, Signers: p.Approvals.Signers.Signers(), Required: p.Approvals.Required, Always: p.Approvals.Always,
		Accounts: p.Accounts(), GovernsInv: p.Governs(providers.Invoice),
	}
	for _, pr := range p.Providers {
		got.Providers = append(got.Providers, pr.Name())
	}
	for _, r := range p.Rolling {
		got.Rolling = append(got.Rolling, rolling{r.Window, limits(r.Limit)})
	}
	want := decodedPolicy{
		Name: "treasury", Kinds: []providers.Kind{providers.Invoice, providers.Payout}, Providers: []string{"wllxpay.eu"},
		PerItem: map[string]limit{"BTC": {"BTC", "0.5", 13}, "USDTT": {"USDTT", "10000", 13}},
		PerPlan: map[string]limit{"BTC": {"BTC", "2", 14}},
		Rolling: []rolling{
			{24 * time.Hour, map[string]limit{"BTC": {"BTC", "5", 21}, "ETH": {"ETH", "0", 21}}},
			{7 * 24 * time.Hour, map[string]limit{"BTC": {"BTC", "20", 17}}},
		},
		Allow: []AddressEntry{
			{File: "address-book.csv", Line: 2, Currency: "BTC", Address: btcAddr, Label: "Acme GmbH"},
			{File: "address-book.csv", Line: 4, Currency: "XRP", Address: xrpAddr, Tag: "42", Label: "Exchange"},
			{File: "address-book.csv", Line: 6, Currency: "ETH", Address: ethAddr},
		},
		Deny: []DeniedAddress{ // files in name order
			{File: "more/screening.csv", Line: 1, Address: trxAddr},
			{File: "screening.csv", Line: 2, Address: btcAddr2, Reason: "SDN: Example, Ltd"},
		},
		Unknown: DecisionRefuse, OverLimit: DecisionApprove,
		Signers:  [][]string{{"alice@example.com"}, {"bob@example.com"}},
		Required: 2, Always: true,
		Accounts: map[string]bool{"wllxpay|sandbox:wllxpay.eu": true}, GovernsInv: true,
	}
	if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
		t.Errorf("policy (-want +got):\n%s", diff)
	}
	if p.Range("per_plan").Start.Line != 14 || p.Range("nothing") != p.DeclRange {
		t.Errorf("Range: per_plan at %v, unset at %v", p.Range("per_plan"), p.Range("nothing"))
	}
}

// TestPolicyDefaults: a policy with one rule governs payouts at every
// provider and refuses what is over its limits.
func TestPolicyDefaults(t *testing.T) {
	cfg := mustLoad(t, Options{Dir: writeFiles(t, policyFiles("  per_item = { BTC = \"1\" }\n"))})
	p := cfg.Policies[0]
	if diff := cmp.Diff([]providers.Kind{providers.Payout}, p.Kinds); diff != "" {
		t.Errorf("Kinds (-want +got):\n%s", diff)
	}
	if p.Providers != nil || p.Accounts() != nil || p.OverLimit != DecisionRefuse || p.Destinations != nil || p.Approvals != nil || p.Rolling != nil {
		t.Errorf("defaults: %+v", p)
	}
}

// alwaysApprovals asks for two approvals of every plan.
const alwaysApprovals = `  approvals {
    signers  = "allowed_signers"
    required = 2
    always   = true
  }
`

// TestPolicyInErrorLeftOut: a policy with an error is not kept (the
// configuration is refused anyway), and the others are.
func TestPolicyInErrorLeftOut(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.hcl": sandboxProvider + `
policy "good" {
  per_item = { BTC = "1" }
}

policy "bad" {
  per_item = { BTC = "-1" }
}
`})
	cfg, diags := Load(Options{Dir: dir, Gateways: testGateways})
	if !diags.HasErrors() {
		t.Fatal("no error")
	}
	var names []string
	for _, p := range cfg.Policies {
		names = append(names, p.Name)
	}
	if diff := cmp.Diff([]string{"good"}, names); diff != "" {
		t.Errorf("policies (-want +got):\n%s", diff)
	}
}

// TestPolicyFilesInDigest: the lists a policy reads are part of the
// configuration, so a plan made before they changed is stale.
func TestPolicyFilesInDigest(t *testing.T) {
	files := policyFiles(`  destinations {
    allow = "address-book.csv"
    deny  = "screening.csv"
    unknown = "refuse"
  }
`+alwaysApprovals, "address-book.csv", "BTC,"+btcAddr+"\n", "screening.csv", btcAddr2+"\n", "allowed_signers", twoSigners)
	dir := writeFiles(t, files)
	digest := mustLoad(t, Options{Dir: dir}).Digest
	for name, edit := range map[string]string{
		"address-book.csv": "BTC," + btcAddr + "\nETH," + ethAddr + "\n",
		"screening.csv":    btcAddr2 + "\n" + trxAddr + "\n",
		"allowed_signers":  twoSigners + "carol@example.com " + signerKeyA[:len(signerKeyA)-4] + "AAAA\n",
	} {
		d := writeFiles(t, with(policyFiles(`  destinations {
    allow = "address-book.csv"
    deny  = "screening.csv"
    unknown = "refuse"
  }
`+alwaysApprovals, "address-book.csv", "BTC,"+btcAddr+"\n", "screening.csv", btcAddr2+"\n", "allowed_signers", twoSigners), name, edit))
		cfg, diags := Load(Options{Dir: d, Gateways: testGateways})
		if diags.HasErrors() {
			t.Fatalf("%s: %v", name, diags)
		}
		if cfg.Digest == digest {
			t.Errorf("editing %s leaves the configuration digest unchanged", name)
		}
	}
}

// policyDiagCases are bad policy blocks and the files they read.
var policyDiagCases = []diagCase{
	{name: "policy_unknown_attribute", files: policyFiles("  per_items = { BTC = \"1\" }\n")},
	{name: "policy_invalid_name", files: map[string]string{"main.hcl": sandboxProvider + "\npolicy \"1st\" {\n  per_item = { BTC = \"1\" }\n}\n"}},
	{name: "policy_duplicate_name", files: map[string]string{"main.hcl": sandboxProvider + "\npolicy \"a\" {\n  per_item = { BTC = \"1\" }\n}\n\npolicy \"a\" {\n  per_plan = { BTC = \"1\" }\n}\n"}},
	{name: "policy_kinds_deposit_address", files: policyFiles("  kinds    = [\"payout\", \"deposit_address\"]\n  per_item = { BTC = \"1\" }\n")},
	{name: "policy_kinds_unknown", files: policyFiles("  kinds    = [\"payouts\"]\n  per_item = { BTC = \"1\" }\n")},
	{name: "policy_kinds_empty", files: policyFiles("  kinds    = []\n  per_item = { BTC = \"1\" }\n")},
	{name: "policy_provider_unknown", files: policyFiles("  providers = [wllxpay.us]\n  per_item  = { BTC = \"1\" }\n")},
	{name: "policy_provider_string", files: policyFiles("  providers = [\"wllxpay\"]\n  per_item  = { BTC = \"1\" }\n")},
	{name: "policy_provider_in_error", files: map[string]string{"main.hcl": sandboxProvider + `
provider "wllxpay" {
  alias   = "eu"
  sandbox = true
  timeout = "soon"
}

provider "wllxpy" {
  sandbox = true
}

policy "treasury" {
  providers = [wllxpy]
  per_item  = { BTC = "1" }
}
`}},
	{name: "policy_limit_currency_lower_case", files: policyFiles("  per_item = { btc = \"1\", BTX = \"2\" }\n")},
	{name: "policy_limit_precision", files: policyFiles("  per_item = { BTC = \"0.123456789\", USDTT = 0.1234567 }\n")},
	{name: "policy_limit_negative", files: policyFiles("  per_item = { BTC = \"-1\" }\n  per_plan = { BTC = -2 }\n")},
	{name: "policy_limit_not_a_map", files: policyFiles("  per_item = \"0.5\"\n  per_plan = {}\n")},
	{name: "policy_limit_bad_amounts", files: policyFiles("  per_item = { BTC = \"1e3\", ETH = true, TRX = null, LTC = \"1,5\" }\n")},
	{name: "policy_limit_sensitive", files: with(policyFiles("  per_item = { BTC = var.limit }\n"), "vars.hcl", "variable \"limit\" {\n  default   = \"1\"\n  sensitive = true\n}\n")},
	{name: "policy_limit_never_applies", warnOnly: true, files: policyFiles("  per_item = { BTC = \"1\", USD = \"100\" }\n")},
	{name: "policy_over_limit_invalid", files: policyFiles("  per_item   = { BTC = \"1\" }\n  over_limit = \"ask\"\n")},
	{name: "policy_over_limit_approve_without_approvals", files: policyFiles("  per_item   = { BTC = \"1\" }\n  over_limit = \"approve\"\n")},
	{name: "policy_rolling_bad_window", files: policyFiles("  rolling {\n    window = \"1 day\"\n    limit  = { BTC = \"5\" }\n  }\n")},
	{name: "policy_rolling_window_too_long", files: policyFiles("  rolling {\n    window = \"400d\"\n    limit  = { BTC = \"5\" }\n  }\n  rolling {\n    window = \"-1h\"\n    limit  = { BTC = \"5\" }\n  }\n")},
	{name: "policy_rolling_duplicate_window", files: policyFiles("  rolling {\n    window = \"24h\"\n    limit  = { BTC = \"5\" }\n  }\n  rolling {\n    window = \"1d\"\n    limit  = { ETH = \"50\" }\n  }\n")},
	{name: "policy_rolling_missing_limit", files: policyFiles("  rolling {\n    window = \"24h\"\n  }\n")},
	{name: "policy_destinations_empty", files: policyFiles("  destinations {\n  }\n")},
	{name: "policy_destinations_twice", files: policyFiles("  destinations {\n    deny = \"screening.csv\"\n  }\n  destinations {\n    deny = \"screening.csv\"\n  }\n", "screening.csv", btcAddr2+"\n")},
	{name: "policy_unknown_without_allow", files: policyFiles("  destinations {\n    deny    = \"screening.csv\"\n    unknown = \"refuse\"\n  }\n", "screening.csv", btcAddr2+"\n")},
	{name: "policy_unknown_approve_without_approvals", files: policyFiles("  destinations {\n    allow = \"address-book.csv\"\n  }\n", "address-book.csv", "BTC,"+btcAddr+"\n")},
	{name: "policy_address_book_missing", files: policyFiles("  destinations {\n    allow   = \"address-book.csv\"\n    unknown = \"refuse\"\n  }\n")},
	{name: "policy_address_book_bad_rows", files: policyFiles("  destinations {\n    allow   = \"address-book.csv\"\n    unknown = \"refuse\"\n  }\n", "address-book.csv", strings.Join([]string{
		"currency,address,tag,label",
		"BTC," + btcAddr[:len(btcAddr)-1] + "x,,typo in the last character",
		"btc," + btcAddr,
		"USD,somewhere",
		"BTC," + btcAddr + ",Acme",
		"XRP," + xrpAddr + ",-1,exchange",
		"ETH," + ethAddr + ",,label,extra",
		"ETH",
		"ETH," + strings.ToLower(ethAddr[:10]) + ethAddr[10:],
		"",
	}, "\n"))},
	{name: "policy_address_book_many_bad_rows", files: policyFiles("  destinations {\n    allow   = \"address-book.csv\"\n    unknown = \"refuse\"\n  }\n", "address-book.csv", strings.Repeat("BTC,not-an-address\n", 15))},
	{name: "policy_address_book_not_csv", files: policyFiles("  destinations {\n    allow   = \"address-book.csv\"\n    unknown = \"refuse\"\n  }\n", "address-book.csv", "BTC,"+btcAddr+"\nBTC,\"unclosed\n")},
	{name: "policy_screening_bad_rows", files: policyFiles("  destinations {\n    deny = \"screening.csv\"\n  }\n", "screening.csv", strings.Join([]string{
		"address,reason",
		",empty address",
		"bc1q ac9u,space inside",
		btcAddr2 + ",too,many",
		"",
	}, "\n"))},
	{name: "policy_screening_other_chains", warnOnly: true, files: policyFiles("  destinations {\n    deny = \"screening.csv\"\n  }\n", "screening.csv", strings.Join([]string{
		btcAddr2 + ",SDN",
		"44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A,SDN (Monero)",
		"t1Kx4oYWJQSHc6ESsqHNkCyWuH5GnPxbmCb,SDN (Zcash)",
		"",
	}, "\n"))},
	{name: "policy_signers_missing", files: policyFiles("  per_item   = { BTC = \"1\" }\n  over_limit = \"approve\"\n" + approvalsBlock)},
	{name: "policy_signers_bad_lines", files: policyFiles("  per_item   = { BTC = \"1\" }\n  over_limit = \"approve\"\n"+approvalsBlock, "allowed_signers", strings.Join([]string{
		"# approvers",
		"alice@example.com",
		"bob@example.com restrict " + signerKeyB,
		"carol@example.com " + signerKeyA,
		"dave@example.com " + signerKeyA,
		"",
	}, "\n"))},
	{name: "policy_signers_empty", files: policyFiles("  per_item   = { BTC = \"1\" }\n  over_limit = \"approve\"\n"+approvalsBlock, "allowed_signers", "# nobody yet\n")},
	{name: "policy_required_too_many", files: policyFiles("  per_item   = { BTC = \"1\" }\n  over_limit = \"approve\"\n  approvals {\n    signers  = \"allowed_signers\"\n    required = 3\n  }\n", "allowed_signers", twoSigners+"alice@corp.example,alice@example.com "+strings.Replace(signerKeyA, "IOtH", "IOtI", 1)+"\n")},
	{name: "policy_required_not_whole", files: policyFiles("  per_item   = { BTC = \"1\" }\n  over_limit = \"approve\"\n  approvals {\n    signers  = \"allowed_signers\"\n    required = 1.5\n    always   = \"yes\"\n  }\n", "allowed_signers", twoSigners)},
	{name: "policy_required_zero", files: policyFiles("  per_item   = { BTC = \"1\" }\n  over_limit = \"approve\"\n  approvals {\n    signers  = \"allowed_signers\"\n    required = 0\n  }\n", "allowed_signers", twoSigners)},
	{name: "policy_approvals_missing_attributes", files: policyFiles("  per_item   = { BTC = \"1\" }\n  over_limit = \"approve\"\n  approvals {\n  }\n")},
	{name: "policy_without_rules", warnOnly: true, files: policyFiles("  kinds = [\"payout\"]\n")},
	{name: "policy_approvals_never_needed", warnOnly: true, files: policyFiles("  per_item = { BTC = \"1\" }\n"+approvalsBlock, "allowed_signers", twoSigners)},
}

func TestPolicyDiagnostics(t *testing.T) {
	for _, c := range policyDiagCases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeFiles(t, c.files)
			cfg, diags := Load(Options{Dir: dir, Vars: c.vars, Env: c.env, Gateways: testGateways})
			checkDiagnostics(t, c, diags)
			checkGolden(t, filepath.Join("testdata", "diagnostics", c.name+".golden"), renderDiags(t, cfg.Files, diags, dir))
		})
	}
}

// TestAddressBookLarge: a book large enough to be checked on every core
// keeps its entries and its errors in file order.
func TestAddressBookLarge(t *testing.T) {
	var book strings.Builder
	var want []string
	for i := 1; i <= 3000; i++ {
		switch i {
		case 7, 1500, 2999:
			book.WriteString("BTC,not-an-address-" + strconv.Itoa(i) + "\n")
			want = append(want, "address-book.csv line "+strconv.Itoa(i)+":")
		default:
			a, err := money.GenerateAddress("BTC", []byte(strconv.Itoa(i)))
			if err != nil {
				t.Fatal(err)
			}
			book.WriteString("BTC," + a + ",,vendor " + strconv.Itoa(i) + "\n")
		}
	}
	files := policyFiles("  destinations {\n    allow   = \"address-book.csv\"\n    unknown = \"refuse\"\n  }\n", "address-book.csv", book.String())
	_, diags := Load(Options{Dir: writeFiles(t, files), Gateways: testGateways})
	var got []string
	for _, d := range diags {
		got = append(got, strings.Fields(d.Detail)[2]+" "+strings.Fields(d.Detail)[3]+" "+strings.Fields(d.Detail)[4])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	// The policy is refused, but its decoding kept the good rows in order:
	// load it again without the bad ones.
	fixed := strings.NewReplacer("BTC,not-an-address-7\n", "", "BTC,not-an-address-1500\n", "", "BTC,not-an-address-2999\n", "").Replace(book.String())
	cfg := mustLoad(t, Options{Dir: writeFiles(t, with(files, "address-book.csv", fixed))})
	entries := cfg.Policies[0].Destinations.Allow.Entries
	if len(entries) != 2997 {
		t.Fatalf("%d entries", len(entries))
	}
	prev := 0
	for i, e := range entries {
		n, _ := strconv.Atoi(strings.TrimPrefix(e.Label, "vendor "))
		if e.Line != i+1 || n <= prev {
			t.Fatalf("entry %d out of order: %+v after vendor %d", i, e, prev)
		}
		prev = n
	}
}

// TestAddressBookBesidePayouts: an entry a payout also declares is
// checked once, with the payout; the others are checked as ever.
func TestAddressBookBesidePayouts(t *testing.T) {
	bad := btcAddr[:len(btcAddr)-1] + "x"
	files := policyFiles("  destinations {\n    allow   = \"address-book.csv\"\n    unknown = \"refuse\"\n  }\n",
		"address-book.csv", "BTC,"+btcAddr+",,paid this month\nBTC,"+bad+",,typo\nETH,"+btcAddr+",,wrong chain\n",
		"payouts.hcl", payoutHCL("x", "provider", "wllxpay"))
	cfg, diags := Load(Options{Dir: writeFiles(t, files), Gateways: testGateways})
	var got []string
	for _, d := range diags {
		got = append(got, d.Detail)
	}
	want := []string{
		`policy "treasury": address-book.csv line 2: "` + bad + `" is not a valid BTC address: bad checksum. Correct or remove the row.`,
		`policy "treasury": address-book.csv line 3: "` + btcAddr + `" is not a valid ETH address: must start with 0x followed by 40 hex digits. Correct or remove the row.`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	if len(cfg.Resources) != 1 {
		t.Errorf("%d resources", len(cfg.Resources))
	}
}

// TestPlainRowsMatchesCSV: the fast reader of quote-free lists reads
// what encoding/csv reads.
func TestPlainRowsMatchesCSV(t *testing.T) {
	for _, in := range []string{
		"",
		"\n\n",
		"currency,address\nBTC,a\n",
		"# comment\ncurrency,address\nBTC,a\n",
		"   \ncurrency,address\n",
		"BTC, a ,7,label with spaces \r\nETH,b\r\n\r\n#c\nX\n",
		"address,reason\n a , b \nc\n ,\n,,\n",
		"no newline at the end",
		" # not a comment\n",
	} {
		want, err := csvRows([]byte(in), "currency")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, plainRows(in, "currency"), cmp.AllowUnexported(csvRow{}), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%q (-csv +plain):\n%s", in, diff)
		}
	}
}

package schema

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/payform/payform/money"
)

// fuzzCSV is beside every fuzzed configuration, for file() and csvdecode.
const fuzzCSV = "foreign_id,currency,amount,address,tag\n" +
	"po-1,BTC,0.0150," + btcAddr + ",\n" +
	"po-2,XRP,12.5," + xrpAddr + ",123\n"

// FuzzLoad feeds Load random configuration files. It must never panic,
// and a configuration it accepts must hold only instances a gateway could
// be sent: a positive amount within its currency's precision, a valid
// merchant key and a valid address.
func FuzzLoad(f *testing.F) {
	for _, c := range diagCases {
		// The 10 MB cases run in TestDiagnostics; mutated, they only
		// slow the fuzzer down, or exhaust its memory (format() widths are
		// not bounded).
		if src, ok := c.files["main.hcl"]; ok && !strings.Contains(src, "0000000d") {
			f.Add(src)
		}
	}
	f.Add(sandboxProvider + payoutHCL("vendor",
		"for_each", `{ for v in csvdecode(file("vendors.csv")) : v.foreign_id => v }`,
		"foreign_id", "each.key", "currency", "each.value.currency", "amount", "each.value.amount",
		"address", "each.value.address", "tag", "try(each.value.tag, null)"))
	f.Add(sandboxProvider + `locals {
  b = local.a
  a = { "po-1" = "0.01" }
}
` + payoutHCL("x", "for_each", "local.b", "foreign_id", "each.key", "amount", "each.value"))
	f.Add(sandboxProvider + payoutHCL("x", "currency", `"ETH"`, "address", `"`+ethAddr+`"`, "amount", `"1.000000000000000001"`))

	f.Fuzz(func(t *testing.T, src string) {
		dir := t.TempDir()
		for name, content := range map[string]string{"main.hcl": src, "vendors.csv": fuzzCSV} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cfg, diags := Load(Options{Dir: dir, Gateways: testGateways})
		if cfg == nil {
			t.Fatal("Load returned a nil Config")
		}
		for _, d := range diags {
			if len(d.Detail) > maxDetail+100 {
				t.Errorf("diagnostic %q has a %d-byte detail", d.Summary, len(d.Detail))
			}
		}
		if diags.HasErrors() {
			return
		}
		keys := map[string]string{}
		for _, r := range cfg.Resources {
			checkResource(t, r)
			scope := r.Provider.Name() + " " + r.Key
			if prev, ok := keys[scope]; ok {
				t.Errorf("%s and %s share foreign_id %q at %s", prev, r.Addr, r.Key, r.Provider.Name())
			}
			keys[scope] = r.Addr.String()
		}
	})
}

// checkResource checks what Load promises of every instance it returns.
func checkResource(t *testing.T, r *Resource) {
	t.Helper()
	cur, ok := money.Lookup(r.Currency)
	if !ok {
		t.Fatalf("%s: unknown currency %q", r.Addr, r.Currency)
	}
	if !r.Amount.IsPositive() {
		t.Errorf("%s: amount %s is not positive", r.Addr, r.Amount)
	}
	if err := money.CheckPrecision(r.Amount, cur); err != nil {
		t.Errorf("%s: amount %s: %v", r.Addr, r.Amount, err)
	}
	if msg := keyCheck(r.Key); msg != "" {
		t.Errorf("%s: foreign_id %q %s", r.Addr, r.Key, msg)
	}
	if err := money.ValidateAddress(r.Currency, r.Attrs["address"]); err != nil {
		t.Errorf("%s: %v", r.Addr, err)
	}
	if !r.Provider.Gateway.HasCurrency(r.Currency) {
		t.Errorf("%s: %s does not handle %s", r.Addr, r.Provider.Gateway.Name, r.Currency)
	}
}

// FuzzAmount evaluates amount = EXPR (asString false) or an amount given
// as a string through --var (asString true). It must never panic; an
// accepted amount must be positive, fit ETH's 18 decimals, and be exactly
// what money.ParseAmount makes of its string form (and of the string
// given).
func FuzzAmount(f *testing.F) {
	for _, s := range []string{
		"0.015", "0.0150", "1", "00.5", "0", "-0", "-1.5", "1e3", "1E3", "NaN", "Infinity", "-Inf",
		" 1.5", "1.5 ", "1,5", "1_000", "+1", ".5", "5.", "1..5", "0x10", "١٢", "1.0000000000000000001",
		"12345678901234567890123456789012345678", "123456789012345678901234567890123456789",
		"0.000000000000000001", "",
	} {
		f.Add(s, true)
		f.Add(`"`+s+`"`, false)
		f.Add(s, false)
	}
	for _, expr := range []string{
		"0.1 + 0.2", "1.1 - 1", "1/3", "1/0", "-1/0", "1e400", "1e-400", "1e38", "1e-18", "2e-18",
		"0.015 * 100", "tonumber(\"0.015\")", "var.amount", "null", "true", "[1]", "{a = 1}",
		"max(1, 2)", "pow(10, 40)", "pow(2, -60)", "parseint(\"ff\", 16)", `"${1 + 1}"`, "abs(-0.5)",
	} {
		f.Add(expr, false)
	}
	f.Fuzz(func(t *testing.T, amount string, asString bool) {
		expr := amount
		var vars []string
		if asString {
			expr = "var.amount"
			vars = []string{"amount=" + amount}
		}
		dir := t.TempDir()
		src := `variable "amount" {
  type    = string
  default = "1"
}

` + sandboxProvider + payoutHCL("x", "currency", `"ETH"`, "address", `"`+ethAddr+`"`, "amount", expr)
		if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, diags := Load(Options{Dir: dir, Vars: vars, Gateways: testGateways})
		if diags.HasErrors() {
			if len(cfg.Resources) != 0 {
				t.Errorf("an amount was refused, but Load returned %d resources", len(cfg.Resources))
			}
			return
		}
		if len(cfg.Resources) != 1 {
			t.Fatalf("Load returned %d resources, want 1", len(cfg.Resources))
		}
		r := cfg.Resources[0]
		checkResource(t, r)
		again, err := money.ParseAmount(r.Amount.String())
		if err != nil || !again.Equal(r.Amount) {
			t.Errorf("amount %s: ParseAmount of its string form = %s, %v", r.Amount, again, err)
		}
		if asString {
			want, err := money.ParseAmount(amount)
			if err != nil || !want.Equal(r.Amount) {
				t.Errorf("amount %q accepted as %s, but ParseAmount gives %s, %v", amount, r.Amount, want, err)
			}
		}
	})
}

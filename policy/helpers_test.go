package policy

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/gateways"
	"github.com/payform/payform/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// t0 is every test's now.
var t0 = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// addr returns a valid address for currency, distinct per seed.
func addr(t testing.TB, currency, seed string) string {
	t.Helper()
	a, err := money.GenerateAddress(currency, []byte("policy-test/"+seed))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Two signers for approvals blocks (any 32 bytes are an ed25519 key).
const signers = "alice@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtHtk/ox2aTTGXEnR7YYb5jB0nqZbnazoafbOXVF8oe\n" +
	"bob@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHm6tHxQuMOzv9zOr2tfnc3/FHkVdjp72hrVuYQWHoW9\n"

const approvals = `
  approvals {
    signers  = "allowed_signers"
    required = 2
  }
`

// providersHCL declares wllxpay and wllxpay.eu on one real account (same
// endpoint and API key), wllxpay.other on another, and a sandbox.
const providersHCL = `provider "wllxpay" {
  api_key    = "key-1"
  secret_key = "s"
}

provider "wllxpay" {
  alias      = "eu"
  api_key    = "key-1"
  secret_key = "s"
}

provider "wllxpay" {
  alias      = "other"
  api_key    = "key-2"
  secret_key = "s"
}

provider "coinpay24" {
  sandbox = true
}
`

// config loads main.hcl (providersHCL and the given blocks) and other
// files from a temporary directory.
func config(t testing.TB, blocks string, kv ...string) *schema.Config {
	t.Helper()
	return configWith(t, providersHCL, blocks, kv...)
}

// configWith is config with other provider blocks.
func configWith(t testing.TB, providerBlocks, blocks string, kv ...string) *schema.Config {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{"main.hcl": providerBlocks + "\n" + blocks, "allowed_signers": signers}
	for i := 0; i+1 < len(kv); i += 2 {
		files[kv[i]] = kv[i+1]
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, diags := schema.Load(schema.Options{Dir: dir, Gateways: gateways.All()})
	if diags.HasErrors() {
		t.Fatalf("Load: %s", render(t, cfg, diags))
	}
	return cfg
}

// payouts returns one payout block per (provider, foreign_id, currency,
// amount, address) row.
func payouts(rows ...[5]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString("payout \"" + r[1] + "\" {\n  provider   = " + r[0] + "\n  foreign_id = \"" + r[1] + "\"\n  currency   = \"" + r[2] +
			"\"\n  amount     = \"" + r[3] + "\"\n  address    = \"" + r[4] + "\"\n}\n\n")
	}
	return b.String()
}

// items returns an item per declared resource, as a plan creating all of
// them has.
func items(cfg *schema.Config) []Item {
	out := make([]Item, 0, len(cfg.Resources))
	for _, r := range cfg.Resources {
		out = append(out, ItemOf(r))
	}
	return out
}

// item is a payout item without a declaration.
func item(provider, key, currency, amount, destination string) Item {
	return Item{Address: "payout." + key, Kind: providers.Payout, Provider: provider, Key: key, Currency: currency, Amount: dec(amount), Destination: destination}
}

// render renders diagnostics as the CLI does, the directory shown as
// CONFIG.
func render(t testing.TB, cfg *schema.Config, diags hcl.Diagnostics) string {
	t.Helper()
	files := map[string]*hcl.File{}
	for name, f := range cfg.Files {
		files[strings.ReplaceAll(name, cfg.Dir, "CONFIG")] = f
	}
	var buf bytes.Buffer
	w := hcl.NewDiagnosticTextWriter(&buf, files, 100, false)
	for _, d := range diags {
		c := *d
		c.Detail = strings.ReplaceAll(c.Detail, cfg.Dir, "CONFIG")
		if c.Subject != nil {
			s := *c.Subject
			s.Filename = strings.ReplaceAll(s.Filename, cfg.Dir, "CONFIG")
			c.Subject = &s
		}
		if err := w.WriteDiagnostic(&c); err != nil {
			t.Fatal(err)
		}
	}
	return buf.String()
}

// decisions lists each item's address and decision, and its findings'
// policy, rule and decision.
func decisions(in []Item, r *Result) []string {
	var out []string
	for i, v := range r.Verdicts {
		s := in[i].Address + " " + string(v.Decision)
		for _, f := range v.Findings {
			s += " " + f.Policy + "/" + string(f.Rule) + "=" + string(f.Decision)
		}
		out = append(out, s)
	}
	return out
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./policy -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

// report is what a golden file shows of a result: the diagnostics as
// rendered, each section's lines as text, and the sections' JSON.
func report(t *testing.T, cfg *schema.Config, r *Result) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(render(t, cfg, r.Diagnostics))
	for _, s := range r.Sections {
		b.WriteString("policy " + s.Policy + ":\n")
		for _, l := range s.Lines {
			b.WriteString("  " + l.Text() + "\n")
		}
		for _, n := range s.Notes {
			b.WriteString("  note: " + n + "\n")
		}
	}
	b.WriteString("\n")
	b.WriteString(jsonOf(t, r.Sections))
	return b.String()
}

var cmpDecimal = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

package schema

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"
	"github.com/shopspring/decimal"
	"github.com/zclconf/go-cty/cty"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/wllxpay"
)

// Addresses that pass money.ValidateAddress.
const (
	btcAddr  = "bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv"
	btcAddr2 = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
	ethAddr  = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
	trxAddr  = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
	xrpAddr  = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh"
)

// sandboxProvider is the provider block most test configurations use.
const sandboxProvider = `provider "wllxpay" {
  sandbox = true
}
`

var testGateways = []providers.Gateway{wllxpay.Gateway}

// writeFiles writes files (name → content, names may hold slashes) into
// a new temporary directory and returns it.
func writeFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// renderDiags renders diags as the CLI does, with the configuration
// directory shown as CONFIG. The names are replaced before rendering, so
// that line wrapping does not depend on where the test runs.
func renderDiags(t testing.TB, files map[string]*hcl.File, diags hcl.Diagnostics, dir string) string {
	t.Helper()
	rel := func(s string) string {
		if dir == "" {
			return s
		}
		return strings.ReplaceAll(s, dir, "CONFIG")
	}
	relRange := func(r *hcl.Range) *hcl.Range {
		if r == nil {
			return nil
		}
		c := *r
		c.Filename = rel(c.Filename)
		return &c
	}
	relFiles := make(map[string]*hcl.File, len(files))
	for name, f := range files {
		relFiles[rel(name)] = f
	}
	var buf bytes.Buffer
	w := hcl.NewDiagnosticTextWriter(&buf, relFiles, 100, false)
	for _, d := range diags {
		c := *d
		c.Summary, c.Detail = rel(c.Summary), rel(c.Detail)
		c.Subject, c.Context = relRange(c.Subject), relRange(c.Context)
		if err := w.WriteDiagnostic(&c); err != nil {
			t.Fatalf("rendering diagnostics: %v", err)
		}
	}
	return buf.String()
}

// decoded is what a test compares of a Resource: everything but the
// provider's internals and the source ranges.
type decoded struct {
	Addr     string
	Provider string
	Key      string
	Amount   decimal.Decimal
	Currency string
	Attrs    map[string]string
}

func decodedAll(rs []*Resource) []decoded {
	var out []decoded
	for _, r := range rs {
		out = append(out, decoded{
			Addr: r.Addr.String(), Provider: r.Provider.Name(), Key: r.Key,
			Amount: r.Amount, Currency: r.Currency, Attrs: r.Attrs,
		})
	}
	return out
}

func addrs(rs []*Resource) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Addr.String())
	}
	return out
}

// cmpOpts compares decimals and cty values by value.
var cmpOpts = cmp.Options{
	cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) }),
	cmp.Comparer(func(a, b cty.Value) bool { return a.RawEquals(b) }),
	cmp.Comparer(func(a, b cty.Type) bool { return a.Equals(b) }),
	cmpopts.EquateEmpty(),
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// mustLoad loads opts and fails the test on any diagnostic.
func mustLoad(t testing.TB, opts Options) *Config {
	t.Helper()
	if opts.Gateways == nil {
		opts.Gateways = testGateways
	}
	cfg, diags := Load(opts)
	if len(diags) > 0 {
		t.Fatalf("Load: unexpected diagnostics:\n%s", renderDiags(t, cfg.Files, diags, cfg.Dir))
	}
	return cfg
}

// payoutHCL returns a payout block named name: a valid BTC payout, with
// each attribute in kv (name, expression pairs) replacing the default or
// added; an empty expression removes the attribute.
func payoutHCL(name string, kv ...string) string {
	attrs := map[string]string{
		"foreign_id": `"po-1"`,
		"currency":   `"BTC"`,
		"amount":     `"0.015"`,
		"address":    `"` + btcAddr + `"`,
	}
	order := []string{"for_each", "provider", "foreign_id", "currency", "amount", "address", "tag"}
	for i := 0; i+1 < len(kv); i += 2 {
		if !slices.Contains(order, kv[i]) {
			order = append(order, kv[i])
		}
		attrs[kv[i]] = kv[i+1]
	}
	var b strings.Builder
	b.WriteString("payout \"" + name + "\" {\n")
	for _, a := range order {
		if expr := attrs[a]; expr != "" {
			b.WriteString("  " + a + " = " + expr + "\n")
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// config returns a main.hcl with a sandbox provider and blocks.
func config(blocks ...string) map[string]string {
	return map[string]string{"main.hcl": sandboxProvider + "\n" + strings.Join(blocks, "\n")}
}

// with adds files to a configuration.
func with(files map[string]string, kv ...string) map[string]string {
	for i := 0; i+1 < len(kv); i += 2 {
		files[kv[i]] = kv[i+1]
	}
	return files
}

package schema

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/payform/payform/money"
)

// FuzzPolicy feeds Load random policy blocks and address books. It must
// never panic, and a policy it accepts must hold only what evaluation can
// trust: limits of zero or more within their currency's precision,
// address book entries valid for their currency, decisions from the
// closed vocabulary, and an approvals block that can be satisfied.
func FuzzPolicy(f *testing.F) {
	for _, c := range policyDiagCases {
		f.Add(c.files["main.hcl"], c.files["address-book.csv"])
	}
	f.Add(twoProviders+`
policy "treasury" {
  per_item = { BTC = "0.5" }
  destinations {
    allow   = "address-book.csv"
    deny    = "screening.csv"
    unknown = "approve"
  }
  over_limit = "approve"
  approvals {
    signers  = "allowed_signers"
    required = 2
  }
}
`, "BTC,"+btcAddr+",,Acme\nXRP,"+xrpAddr+",7,Exchange\n")

	f.Fuzz(func(t *testing.T, src, book string) {
		dir := t.TempDir()
		for name, content := range map[string]string{
			"main.hcl": src, "address-book.csv": book, "screening.csv": btcAddr2 + ",SDN\n", "allowed_signers": twoSigners,
		} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cfg, diags := Load(Options{Dir: dir, Gateways: testGateways})
		if diags.HasErrors() {
			return
		}
		for _, p := range cfg.Policies {
			for _, ls := range []Limits{p.PerItem, p.PerPlan} {
				checkLimits(t, p, ls)
			}
			for _, r := range p.Rolling {
				if r.Window <= 0 || r.Window > maxWindow {
					t.Errorf("policy %s: window %v", p.Name, r.Window)
				}
				checkLimits(t, p, r.Limit)
			}
			if !slices.Contains([]Decision{DecisionApprove, DecisionRefuse}, p.OverLimit) {
				t.Errorf("policy %s: over_limit %q", p.Name, p.OverLimit)
			}
			if d := p.Destinations; d != nil {
				if !slices.Contains([]Decision{DecisionAllow, DecisionApprove, DecisionRefuse}, d.Unknown) {
					t.Errorf("policy %s: unknown %q", p.Name, d.Unknown)
				}
				if d.Allow != nil {
					for _, e := range d.Allow.Entries {
						if err := money.ValidateAddress(e.Currency, e.Address); err != nil {
							t.Errorf("policy %s: address book entry %+v: %v", p.Name, e, err)
						}
					}
				}
			}
			if (p.OverLimit == DecisionApprove || (p.Destinations != nil && p.Destinations.Allow != nil && p.Destinations.Unknown == DecisionApprove)) && p.Approvals == nil {
				t.Errorf("policy %s asks for approvals without an approvals block", p.Name)
			}
			if a := p.Approvals; a != nil && (a.Signers == nil || a.Required < 1 || a.Required > len(a.Signers.Signers())) {
				t.Errorf("policy %s: approvals %+v cannot be satisfied", p.Name, a)
			}
		}
	})
}

func checkLimits(t *testing.T, p *Policy, ls Limits) {
	t.Helper()
	for code, l := range ls {
		cur, ok := money.Lookup(code)
		if !ok || l.Currency != code {
			t.Errorf("policy %s: limit %q %+v", p.Name, code, l)
			continue
		}
		if l.Amount.IsNegative() || money.CheckPrecision(l.Amount, cur) != nil {
			t.Errorf("policy %s: limit %s %s", p.Name, l.Amount, code)
		}
	}
}

// FuzzPlainRows: on any list without quotes, the fast reader agrees with
// encoding/csv.
func FuzzPlainRows(f *testing.F) {
	f.Add("currency,address\nBTC,a\n")
	f.Add("# c\n a , b \r\n\n,\n")
	f.Fuzz(func(t *testing.T, in string) {
		if strings.ContainsRune(in, '"') {
			return
		}
		want, err := csvRows([]byte(in), "currency")
		if err != nil {
			return
		}
		got := plainRows(in, "currency")
		if len(got) != len(want) {
			t.Fatalf("%q: %d rows, csv reads %d:\n%v\n%v", in, len(got), len(want), got, want)
		}
		for i := range got {
			if got[i].line != want[i].line || strings.Join(got[i].fields, "\x00") != strings.Join(want[i].fields, "\x00") {
				t.Fatalf("%q: row %d is %v, csv reads %v", in, i, got[i], want[i])
			}
		}
	})
}

package planner

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/policy"
	"github.com/payform/payform/state"
)

const testSigners = "alice@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtHtk/ox2aTTGXEnR7YYb5jB0nqZbnazoafbOXVF8oe\n" +
	"bob@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHm6tHxQuMOzv9zOr2tfnc3/FHkVdjp72hrVuYQWHoW9\n"

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// policyConfig declares payouts a (0.4 BTC, to a destination in the
// address book), b (0.7 BTC, to one that is not) and c (in doubt in the
// state, so resolved), a deposit address, and a treasury policy whose
// limits ask for approvals.
func policyConfig(overLimit string) map[string]string {
	return map[string]string{
		"main.hcl": sandboxProvider + payoutBlock("a", "k-a", "0.4", btcAddr(1)) + payoutBlock("b", "k-b", "0.7", btcAddr(2)) +
			payoutBlock("c", "k-c", "0.2", btcAddr(1)) + `
deposit_address_pool "customers" {
  currencies  = ["BTC"]
  foreign_ids = ["cust-1"]
}

policy "treasury" {
  per_item   = { BTC = "0.5" }
  per_plan   = { BTC = "1" }
  over_limit = "` + overLimit + `"
  rolling {
    window = "24h"
    limit  = { BTC = "2" }
  }
  destinations {
    allow = "book.csv"
  }
  approvals {
    signers  = "allowed_signers"
    required = 2
  }
}
`,
		"book.csv":        "BTC," + btcAddr(1) + "\n",
		"allowed_signers": testSigners,
	}
}

// policyPlan plans policyConfig against a state where payout.c is in
// doubt and 0.9 BTC left an hour ago.
func policyPlan(t *testing.T, overLimit string) (*Plan, *state.State, func() *Plan) {
	t.Helper()
	dir := t.TempDir()
	cfg := loadConfig(t, dir, policyConfig(overLimit))
	store := openStore(t, filepath.Join(dir, "payform.state.json"))
	t.Cleanup(func() { store.Close() })
	old := sent("old", "k-old", "0.9", btcAddr(3))
	for _, e := range append([]*state.Entry{{Op: state.OpApply, PlanID: "p0", At: t0.Add(-time.Hour)}}, old...) {
		e.At = t0.Add(-time.Hour)
		if err := store.Record(e, false); err != nil {
			t.Fatal(err)
		}
	}
	inDoubt := sent("c", "k-c", "0.2", btcAddr(1))[0]
	inDoubt.At = t0.Add(-time.Hour)
	if err := store.Record(inDoubt, false); err != nil {
		t.Fatal(err)
	}
	make := func() *Plan {
		p, diags := MakePlan(cfg, store.State(), nil, Options{PlanID: "plan-1", Now: t0})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		return p
	}
	return make(), store.State(), make
}

// TestPolicyVerdicts: every create and resolve of a payout carries its
// verdict, a deposit address none; the rolling window counts the send
// recorded an hour ago and the one in doubt once (it is resent).
func TestPolicyVerdicts(t *testing.T) {
	p, _, _ := policyPlan(t, "approve")
	got := map[string]string{}
	for _, c := range p.Changes {
		got[c.Address+" "+string(c.Action)] = verdictWords(c.Verdict)
	}
	want := map[string]string{
		"payout.a create":  "approve [per_plan, rolling]",
		"payout.b create":  "approve [unknown_destination, per_item, per_plan, rolling]",
		"payout.c resolve": "approve [per_plan, rolling]",
		`deposit_address_pool.customers["cust-1/BTC"] create`: "none",
		"payout.old forget": "none",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	var rolling *policy.Finding
	for _, f := range p.Changes[2].Verdict.Findings {
		if f.Rule == policy.RuleRolling {
			rolling = f
		}
	}
	if rolling == nil || !rolling.Sent.Equal(dec("0.9")) || !rolling.Amount.Equal(dec("2.2")) {
		t.Errorf("rolling finding = %+v, want 0.9 sent and 2.2 with the plan", rolling)
	}
	reqs := p.Approvals()
	if len(reqs) != 1 || reqs[0].Required != 2 || reqs[0].Items != 3 || reqs[0].Signers == nil {
		t.Fatalf("approvals = %+v", reqs)
	}
}

// TestPolicyRefusalIsPlanError: with over_limit = "refuse" the plan is an
// error at the payout's amount (per_item) and at the limits.
func TestPolicyRefusalIsPlanError(t *testing.T) {
	dir := t.TempDir()
	cfg := loadConfig(t, dir, policyConfig("refuse"))
	p, diags := MakePlan(cfg, state.New("l", "test"), nil, Options{PlanID: "plan-1", Now: t0})
	if p != nil || !diags.HasErrors() {
		t.Fatalf("plan = %v, diags = %v; want a refusal", p, diags)
	}
	var got []string
	for _, d := range diags {
		got = append(got, fmt.Sprintf("%s @%s:%d", d.Summary, filepath.Base(d.Subject.Filename), d.Subject.Start.Line))
	}
	want := []string{"Payout over the per_item limit @main.hcl:13", "Plan over the per_plan limit @main.hcl:31"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

// TestPlanFilePolicy: a plan file carries the sections, the approvals
// (with the allowed_signers they count against) and every verdict, the
// plan-wide findings once; read back, it compares equal to the plan it
// was written from.
func TestPlanFilePolicy(t *testing.T) {
	p, _, _ := policyPlan(t, "approve")
	data, err := Encode(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(data, "x.plan", nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := Compare(back, p); d != "" {
		t.Fatalf("the plan read back differs: %s", d)
	}
	if !bytes.Equal(back.Approvals()[0].Signers.Source(), []byte(testSigners)) {
		t.Errorf("allowed_signers not carried: %q", back.Approvals()[0].Signers.Source())
	}
	// The shared findings are one object, named by index.
	zr, _ := gzip.NewReader(bytes.NewReader(data))
	line, _ := io.ReadAll(zr)
	if n := strings.Count(string(line), `"rule":"per_plan"`); n != 3 { // the shared finding, its section's line and the line's finding
		t.Errorf(`"rule":"per_plan" appears %d times, want 3 (shared, and the section's line)`, n)
	}
	if !strings.Contains(string(line), `"verdict":{"decision":"approve","findings":[0,1]}`) {
		t.Errorf("no verdict naming shared findings 0 and 1 in %s", line)
	}
	a, b := back.Changes[2].Verdict.Findings, back.Changes[3].Verdict.Findings
	if a[len(a)-1] != b[len(b)-1] {
		t.Error("the rolling finding is not shared once read back")
	}
}

// TestComparePolicy: a plan file whose verdicts, approvals or sections
// differ from the plan the configuration gives is named.
func TestComparePolicy(t *testing.T) {
	_, _, remake := policyPlan(t, "approve")
	cases := []struct {
		name string
		edit func(p *Plan)
		want string
	}{
		{"a verdict dropped", func(p *Plan) { p.Changes[2].Verdict = nil },
			`payout.b: its policy verdict is none in the plan file, approve [unknown_destination, per_item, per_plan, rolling] from the configuration`},
		{"a decision relaxed", func(p *Plan) { p.Changes[2].Verdict.Decision = policy.Allow },
			`payout.b: its policy verdict is allow [unknown_destination, per_item, per_plan, rolling] in the plan file, approve [unknown_destination, per_item, per_plan, rolling] from the configuration`},
		{"a finding's amount", func(p *Plan) {
			f := *p.Changes[2].Verdict.Findings[1]
			f.Amount = dec("0.07")
			p.Changes[2].Verdict.Findings[1] = &f
		}, `payout.b: its policy finding "per_item" is "0.07 BTC is over the per_item limit of 0.5 BTC" in the plan file, "0.7 BTC is over the per_item limit of 0.5 BTC" from the configuration`},
		{"no approvals", func(p *Plan) { p.Policy.Approvals = nil },
			"the configuration's policy treasury asks for approvals the plan file does not"},
		{"fewer required", func(p *Plan) { r := *p.Policy.Approvals[0]; r.Required = 1; p.Policy.Approvals[0] = &r },
			"the approvals of policy treasury: required is 1 in the plan file, 2 from the configuration"},
		{"no policy", func(p *Plan) { p.Policy = nil },
			"the configuration's policies give verdicts the plan file lacks"},
		{"a section", func(p *Plan) { s := *p.Policy.Sections[0]; s.NewDestinations = 0; p.Policy.Sections[0] = &s },
			"policy treasury's section (its totals, rules tripped or notes) differs"},
	}
	for _, c := range cases {
		file := remake()
		c.edit(file)
		if got := Compare(file, remake()); got != c.want {
			t.Errorf("%s: Compare = %q\nwant %q", c.name, got, c.want)
		}
	}
}

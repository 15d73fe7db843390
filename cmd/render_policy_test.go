package cmd

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/planner"
	"github.com/payform/payform/policy"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/gateways"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// policyFiles is a configuration with two accounts, payouts that trip
// every rule that asks for approval, and an invoice batch no policy
// governs.
var policyFiles = map[string]string{
	"main.hcl": `provider "wllxpay" {
  sandbox = true
}
provider "wllxpay" {
  alias      = "eu"
  api_key    = "eu-key"
  secret_key = "eu-secret"
}
provider "coinpay24" {
  sandbox = true
}

payout "vendor" {
  for_each   = { for r in csvdecode(file("payouts.csv")) : r.foreign_id => r }
  provider   = wllxpay
  foreign_id = each.key
  currency   = each.value.currency
  amount     = each.value.amount
  address    = each.value.address
}

payout "eu" {
  provider   = wllxpay.eu
  foreign_id = "eu-1"
  currency   = "USDTT"
  amount     = "120.50"
  address    = "TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf"
}

invoice_batch "december" {
  provider     = coinpay24
  currency     = "USD"
  callback_url = "https://shop.example.com/hooks/coinpay24"
  invoice "ord-1" {
    amount = "250.00"
  }
}

policy "treasury" {
  per_item   = { BTC = "0.5", USDTT = "10000" }
  per_plan   = { BTC = "1" }
  over_limit = "approve"
  rolling {
    window = "24h"
    limit  = { BTC = "1.5" }
  }
  destinations {
    allow   = "book.csv"
    deny    = "screening.csv"
    unknown = "approve"
  }
  approvals {
    signers  = "allowed_signers"
    required = 2
  }
}

policy "eu" {
  providers = [wllxpay.eu]
  approvals {
    signers  = "allowed_signers"
    required = 1
    always   = true
  }
}
`,
	"payouts.csv": `foreign_id,currency,amount,address
po-1,BTC,0.015,bc1qsn5t7x8zeltug86kyfg7fzt80rxsrsfel9fhw6
po-2,BTC,0.75,bc1q9hf3cfz9d2wr9uyf89sps0ez43qlq3rnm6krp6
po-3,BTC,0.02,bc1q56qdrjvckkflg00wsntld4elr8zufxr7d9xk2z
`,
	"book.csv": `currency,address,tag,label
BTC,bc1qsn5t7x8zeltug86kyfg7fzt80rxsrsfel9fhw6,,Acme
BTC,bc1q9hf3cfz9d2wr9uyf89sps0ez43qlq3rnm6krp6,,Bolt
USDTT,TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf,,Cobalt
`,
	"screening.csv": "address,reason\nbc1q8896en3l04648ena28qa4sza2d2l6ht2wckzt7,sanctions list entry 7\n",
	"allowed_signers": "alice@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtHtk/ox2aTTGXEnR7YYb5jB0nqZbnazoafbOXVF8oe\n" +
		"bob@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHm6tHxQuMOzv9zOr2tfnc3/FHkVdjp72hrVuYQWHoW9\n",
}

// policyPlan plans policyFiles at t0 against a state in which 0.8 BTC
// left through wllxpay an hour before, with balances read from wllxpay
// and none from wllxpay.eu (no balance call).
func policyPlan(t *testing.T) *planner.Plan {
	t.Helper()
	dir := t.TempDir()
	for name, content := range policyFiles {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, diags := schema.Load(schema.Options{Dir: dir, Gateways: gateways.All()})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	hour := t0.Add(-time.Hour)
	store, err := state.Open(context.Background(), &state.Local{Path: filepath.Join(dir, "s.json")},
		state.Options{Operation: "test", Actor: "tester", Version: "test", Clock: func() time.Time { return hour }})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for _, e := range []*state.Entry{
		{Op: state.OpApply, PlanID: "p0"},
		{Op: state.OpIntent, PlanID: "p0", Address: `payout.old`, Provider: "wllxpay", Key: "old", Object: &state.Declared{Kind: "payout", Gateway: "wllxpay", Amount: "0.8", Currency: "BTC", Attrs: map[string]string{"address": "bc1qsn5t7x8zeltug86kyfg7fzt80rxsrsfel9fhw6"}}},
		{Op: state.OpOutcome, PlanID: "p0", Address: `payout.old`, Provider: "wllxpay", Key: "old", Result: &state.Result{Outcome: state.OutcomeCreated, ID: "1", Status: "submitted"}},
		{Op: state.OpForget, Address: `payout.old`},
	} {
		if err := store.Record(e, false); err != nil {
			t.Fatal(err)
		}
	}
	p, diags := planner.MakePlan(cfg, store.State(), nil, planner.Options{PlanID: "0123456789abcdef", Now: t0, Author: "carol@example.com", Version: "test"})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	items, _ := planner.Items(p.Changes)
	p.Funding = policy.CheckFunding(cfg, items, []policy.Balances{
		{Provider: "wllxpay", Balances: map[string]decimal.Decimal{"BTC": dec("12.5")}},
		{Provider: "wllxpay.eu", Err: providers.ErrUnsupported},
	})
	p.StateLineage, p.ConfigDigest = "lineage-1", "sha256:abc"
	return p
}

// TestRenderPolicy: the human plan, the markdown comment and show --json
// lead with the policies' sections; each change the policies do not
// simply allow says why; balances follow the money.
func TestRenderPolicy(t *testing.T) {
	p := policyPlan(t)
	ios, _, _ := Test("")
	a := &app{ios: ios}
	var human bytes.Buffer
	a.renderPlan(&human, p)
	golden(t, "plan_policy", human.Bytes())
	if !strings.HasPrefix(human.String(), "Policy treasury governs") {
		t.Error("the human plan does not start with the policy section")
	}

	var md bytes.Buffer
	renderMarkdown(&md, p)
	golden(t, "plan_policy_markdown", md.Bytes())
	if first := strings.SplitN(md.String(), "\n\n", 3)[1]; !strings.HasPrefix(first, "**Policy `treasury`") {
		t.Errorf("the markdown comment's first paragraph is %q, not the policy", first)
	}

	var js bytes.Buffer
	if err := writeJSON(&js, toJSONPlan(p)); err != nil {
		t.Fatal(err)
	}
	golden(t, "plan_policy_json", js.Bytes())
	if i, j := strings.Index(js.String(), `"policy":`), strings.Index(js.String(), `"changes":`); i < 0 || i > j {
		t.Error(`show --json has no "policy" before "changes"`)
	}

	var prompt bytes.Buffer
	a.restateMoney(&prompt, p)
	golden(t, "prompt_policy", prompt.Bytes())
}

// TestRenderPolicyFromFile: a plan read back from its file renders the
// same as the plan it was written from.
func TestRenderPolicyFromFile(t *testing.T) {
	p := policyPlan(t)
	data, err := planner.Encode(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	back, err := planner.Decode(data, "x.plan", nil)
	if err != nil {
		t.Fatal(err)
	}
	ios, _, _ := Test("")
	a := &app{ios: ios}
	var want, got bytes.Buffer
	a.renderPlan(&want, p)
	a.renderPlan(&got, back)
	if want.String() != got.String() {
		t.Errorf("rendered from the file:\n%s\nwant:\n%s", got.String(), want.String())
	}
}

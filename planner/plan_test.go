package planner

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/state"
)

// payoutBlock declares one payout.
func payoutBlock(name, key, amount, address string) string {
	return fmt.Sprintf(`
payout %q {
  foreign_id = %q
  currency   = "BTC"
  amount     = %q
  address    = %q
}
`, name, key, amount, address)
}

const sandboxProvider = `provider "wllxpay" { sandbox = true }` + "\n"

// sent records a payout as sent (intent + created outcome).
func sent(name, key, amount, address string) []*state.Entry {
	addr := "payout." + name
	return []*state.Entry{
		{Op: state.OpIntent, PlanID: "p0", Address: addr, Provider: "wllxpay", Key: key,
			Object: &state.Declared{Kind: "payout", Gateway: "wllxpay", Amount: amount, Currency: "BTC", Attrs: map[string]string{"address": address}}},
		{Op: state.OpOutcome, PlanID: "p0", Address: addr, Provider: "wllxpay", Key: key,
			Result: &state.Result{Outcome: state.OutcomeCreated, ID: "7", Status: "submitted", RawStatus: "processing"}},
	}
}

type step struct {
	Address string
	Action  Action
}

type diagLine struct {
	Severity hcl.DiagnosticSeverity
	Summary  string
	Line     int // subject's start line, 0 without a subject
}

func TestMakePlan(t *testing.T) {
	a1, a2 := btcAddr(1), btcAddr(2)
	tests := []struct {
		name    string
		config  string
		state   [][]*state.Entry
		obs     Observed
		want    []step
		diags   []diagLine
		detail  string // a substring every diagnostic detail must have
		summary func(t *testing.T, s Summary)
	}{
		{
			name:   "empty state sends everything",
			config: sandboxProvider + payoutBlock("a", "k-a", "0.5", a1) + payoutBlock("b", "k-b", "0.25", a2),
			want:   []step{{"payout.a", Create}, {"payout.b", Create}},
			summary: func(t *testing.T, s Summary) {
				if s.Create != 2 || len(s.Totals) != 1 || s.Totals[0].Count != 2 || !s.Totals[0].Amount.Equal(decimal.RequireFromString("0.75")) {
					t.Errorf("summary = %+v", s)
				}
			},
		},
		{
			name:   "sent and unchanged is a no-op",
			config: sandboxProvider + payoutBlock("a", "k-a", "0.50", a1),
			state:  [][]*state.Entry{sent("a", "k-a", "0.5", a1)},
			want:   []step{},
			summary: func(t *testing.T, s Summary) {
				if s.NoOp != 1 {
					t.Errorf("no-ops = %d, want 1", s.NoOp)
				}
			},
		},
		{
			name:   "amount and address of a sent payout cannot change",
			config: sandboxProvider + payoutBlock("a", "k-a", "0.6", a2),
			state:  [][]*state.Entry{sent("a", "k-a", "0.5", a1)},
			diags: []diagLine{
				{hcl.DiagError, "Cannot change a sent payout", 6},
				{hcl.DiagError, "Cannot change a sent payout", 7},
			},
			detail: "new foreign_id",
		},
		{
			name:   "removed block is forgotten",
			config: sandboxProvider,
			state:  [][]*state.Entry{sent("a", "k-a", "0.5", a1)},
			want:   []step{{"payout.a", Forget}},
		},
		{
			name:   "a forgotten key cannot be sent again",
			config: sandboxProvider + payoutBlock("b", "k-a", "0.5", a1),
			state:  [][]*state.Entry{sent("a", "k-a", "0.5", a1), {{Op: state.OpForget, Address: "payout.a"}}},
			diags:  []diagLine{{hcl.DiagError, "foreign_id already used", 4}},
			detail: "single-use",
		},
		{
			name:   "renaming a block with its key points to state mv",
			config: sandboxProvider + payoutBlock("b", "k-a", "0.5", a1),
			state:  [][]*state.Entry{sent("a", "k-a", "0.5", a1)},
			diags:  []diagLine{{hcl.DiagError, "foreign_id already used", 4}},
			detail: "payform state mv payout.a payout.b",
		},
		{
			name:   "an intent without outcome is resolved",
			config: sandboxProvider + payoutBlock("a", "k-a", "0.5", a1),
			state:  [][]*state.Entry{sent("a", "k-a", "0.5", a1)[:1]},
			want:   []step{{"payout.a", Resolve}},
		},
		{
			name:   "an unknown outcome waits for an operator",
			config: sandboxProvider + payoutBlock("a", "k-a", "0.5", a1),
			state: [][]*state.Entry{sent("a", "k-a", "0.5", a1)[:1], {{Op: state.OpOutcome, PlanID: "p0", Address: "payout.a", Provider: "wllxpay", Key: "k-a",
				Result: &state.Result{Outcome: state.OutcomeUnknown, Note: "duplicate without id"}}}},
			want:   []step{},
			diags:  []diagLine{{hcl.DiagWarning, "Unknown outcome: payout.a", 3}},
			detail: "payform state resolve payout.a --id ID",
			summary: func(t *testing.T, s Summary) {
				if s.Unknown != 1 {
					t.Errorf("unknown = %d, want 1", s.Unknown)
				}
			},
		},
		{
			name:   "an undeclared in-doubt item is forgotten with a warning",
			config: sandboxProvider,
			state:  [][]*state.Entry{sent("a", "k-a", "0.5", a1)[:1]},
			want:   []step{{"payout.a", Forget}},
			diags:  []diagLine{{hcl.DiagWarning, "Forgetting an in-doubt item: payout.a", 0}},
		},
		{
			name:   "found by key is adopted",
			config: sandboxProvider + payoutBlock("a", "k-a", "0.5", a1),
			obs:    Observed{Found: map[string]providers.Object{"payout.a": {Key: "k-a", ID: "9", Status: "submitted", Amount: decimal.RequireFromString("0.5"), Currency: "BTC"}}},
			want:   []step{{"payout.a", Adopt}},
		},
		{
			name:   "found by key with another amount is an error",
			config: sandboxProvider + payoutBlock("a", "k-a", "0.5", a1),
			obs:    Observed{Found: map[string]providers.Object{"payout.a": {Key: "k-a", ID: "9", Amount: decimal.RequireFromString("0.7"), Currency: "BTC"}}},
			diags:  []diagLine{{hcl.DiagError, "Gateway object differs from its declaration", 6}},
			detail: "neither adopt it nor send another",
		},
		{
			name:   "status drift is shown",
			config: sandboxProvider + payoutBlock("a", "k-a", "0.5", a1),
			state:  [][]*state.Entry{sent("a", "k-a", "0.5", a1)},
			obs:    Observed{Current: map[string]providers.Object{"payout.a": {Kind: providers.Payout, Key: "k-a", ID: "7", Status: providers.StatusConfirmed, RawStatus: "confirmed"}}},
			want:   []step{},
			summary: func(t *testing.T, s Summary) {
				if s.Drift != 1 {
					t.Errorf("drift = %d, want 1", s.Drift)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := loadConfig(t, dir, map[string]string{"main.hcl": tc.config})
			store := openStore(t, filepath.Join(dir, "payform.state.json"))
			defer store.Close()
			if len(tc.state) > 0 {
				// The entries of tc.state belong to plan p0.
				if err := store.Record(&state.Entry{Op: state.OpApply, PlanID: "p0"}, false); err != nil {
					t.Fatal(err)
				}
			}
			for _, entries := range tc.state {
				for _, e := range entries {
					if err := store.Record(e, false); err != nil {
						t.Fatal(err)
					}
				}
			}
			p, diags := MakePlan(cfg, store.State(), &tc.obs, Options{PlanID: "p1", Now: t0})
			var gotDiags []diagLine
			for _, d := range diags {
				line := 0
				if d.Subject != nil {
					line = d.Subject.Start.Line
				}
				gotDiags = append(gotDiags, diagLine{d.Severity, d.Summary, line})
				if tc.detail != "" && !strings.Contains(d.Detail, tc.detail) {
					t.Errorf("detail %q lacks %q", d.Detail, tc.detail)
				}
			}
			if diff := cmp.Diff(tc.diags, gotDiags); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			if diags.HasErrors() {
				if p != nil {
					t.Error("a plan with errors must not be returned")
				}
				return
			}
			got := []step{}
			for _, c := range p.Changes {
				got = append(got, step{c.Address, c.Action})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if tc.summary != nil {
				tc.summary(t, p.Summary)
			}
		})
	}
}

func TestLargest(t *testing.T) {
	var list []Item
	for i, amt := range []string{"1", "5", "3", "5", "0.5", "9"} {
		list = keepLargest(list, Item{Address: fmt.Sprintf("a%d", i), Amount: decimal.RequireFromString(amt)})
	}
	var got []string
	for _, it := range list {
		got = append(got, it.Address+"="+it.Amount.String())
	}
	want := []string{"a5=9", "a1=5", "a3=5"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("largest (-want +got):\n%s", diff)
	}
}

func TestStaleness(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{"main.hcl": sandboxProvider + `variable "amt" { default = "0.5" }` + payoutBlock("a", "k-a", "0.5", btcAddr(1))}
	cfg := loadConfig(t, dir, files)
	store := openStore(t, filepath.Join(dir, "payform.state.json"))
	defer store.Close()
	if err := store.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	vars, err := Variables(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p, diags := MakePlan(cfg, store.State(), nil, Options{PlanID: "plan-1", Now: t0, Variables: vars})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if err := CheckStale(p, store.State(), cfg, t0.Add(time.Hour)); err != nil {
		t.Fatalf("fresh plan refused: %v", err)
	}
	reason := func(err error) string {
		if se, ok := err.(*StaleError); ok {
			return se.Reason
		}
		return fmt.Sprint(err)
	}
	if got := reason(CheckStale(p, store.State(), cfg, t0.Add(25*time.Hour))); got != "it expired" {
		t.Errorf("expired: %q", got)
	}
	changed := loadConfig(t, t.TempDir(), map[string]string{"main.hcl": files["main.hcl"] + "\n# edited\n"})
	if got := reason(CheckStale(p, store.State(), changed, t0)); got != "the configuration changed since the plan was made" {
		t.Errorf("config: %q", got)
	}
	p2 := *p
	p2.Variables = map[string]PlanVariable{"amt": {Value: []byte(`"0.6"`)}}
	if got := reason(CheckStale(&p2, store.State(), cfg, t0)); got != "the variables changed since the plan was made" {
		t.Errorf("variables: %q", got)
	}
	p3 := *p
	p3.StateLineage = "other"
	if got := reason(CheckStale(&p3, store.State(), cfg, t0)); got != "it belongs to another state" {
		t.Errorf("lineage: %q", got)
	}
	if err := store.Record(&state.Entry{Op: state.OpApply, PlanID: "other-plan"}, false); err != nil {
		t.Fatal(err)
	}
	if got := reason(CheckStale(p, store.State(), cfg, t0)); got != "the state changed since the plan was made" {
		t.Errorf("state: %q", got)
	}
	if err := store.Record(&state.Entry{Op: state.OpApply, PlanID: "plan-1"}, false); err != nil {
		t.Fatal(err)
	}
	if got := reason(CheckStale(p, store.State(), cfg, t0)); got != "already applied" {
		t.Errorf("consumed: %q", got)
	}
}

// TestKeysBelongToTheRealm (issue 12, row 3): a key used by one provider
// block is reserved for every block pointing at the same gateway
// endpoint, whatever its alias or credentials; a record older than realms
// reserves its key gateway-wide; keys that differ only in case are one.
func TestKeysBelongToTheRealm(t *testing.T) {
	provider := func(alias, apiKey string) string {
		return fmt.Sprintf("provider \"wllxpay\" {\n  alias      = %q\n  endpoint   = \"https://app.wllxpay.io/api/v1\"\n  api_key    = %q\n  secret_key = \"s\"\n}\n", alias, apiKey)
	}
	withProvider := func(name, key, prov string) string {
		return strings.Replace(payoutBlock(name, key, "0.5", btcAddr(1)), "payout "+fmt.Sprintf("%q", name)+" {", "payout "+fmt.Sprintf("%q", name)+" {\n  provider   = "+prov, 1)
	}
	sentBy := func(name, key, provider, scope string) []*state.Entry {
		es := sent(name, key, "0.5", btcAddr(1))
		for _, e := range es {
			e.Provider, e.Scope = provider, scope
		}
		return es
	}
	const realm = "wllxpay|https://app.wllxpay.io/api/v1"
	for _, tc := range []struct {
		name   string
		config string
		state  []*state.Entry
		want   string // "" for no error
	}{
		{"another alias of the account", provider("main", "k1") + withProvider("b", "k-a", "wllxpay.main"),
			sentBy("a", "k-a", "wllxpay.eu", realm), `foreign_id "k-a" was already used at wllxpay.main by payout.a`},
		{"a rotated API key", provider("eu", "k2") + withProvider("b", "k-a", "wllxpay.eu"),
			sentBy("a", "k-a", "wllxpay.eu", realm), `foreign_id "k-a" was already used at wllxpay.eu by payout.a`},
		{"a record older than realms, its block renamed", provider("main", "k1") + withProvider("b", "k-a", "wllxpay.main"),
			sentBy("a", "k-a", "wllxpay.old", ""), `foreign_id "k-a" was already used at wllxpay.main by payout.a`},
		{"the same key in other case", provider("eu", "k1") + withProvider("b", "K-A", "wllxpay.eu"),
			sentBy("a", "k-a", "wllxpay.eu", realm), `foreign_id "K-A" was already used (as "k-a": keys that differ only in case are one key to a gateway that compares them so)`},
		{"another endpoint is another realm", strings.Replace(provider("us", "k1"), "app.wllxpay.io", "us.wllxpay.example", 1) + withProvider("b", "k-a", "wllxpay.us"),
			sentBy("a", "k-a", "wllxpay.eu", realm), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := loadConfig(t, dir, map[string]string{"main.hcl": tc.config})
			store := openStore(t, filepath.Join(dir, "payform.state.json"))
			defer store.Close()
			for _, e := range append([]*state.Entry{{Op: state.OpApply, PlanID: "p0"}}, tc.state...) {
				if err := store.Record(e, false); err != nil {
					t.Fatal(err)
				}
			}
			p, diags := MakePlan(cfg, store.State(), nil, Options{PlanID: "p1", Now: t0})
			switch {
			case tc.want == "" && diags.HasErrors():
				t.Fatalf("plan refused: %v", diags)
			case tc.want == "":
				if len(p.Changes) != 2 || p.Changes[1].Action != Create { // forget payout.a, create payout.b
					t.Errorf("changes %v, want payout.b created", steps(p))
				}
			case !strings.Contains(diags.Error(), tc.want):
				t.Errorf("diagnostics %v, want %q", diags, tc.want)
			}
		})
	}
}

func steps(p *Plan) []string {
	var out []string
	for _, c := range p.Changes {
		out = append(out, string(c.Action)+" "+c.Address)
	}
	return out
}

// A stale plan names the files that differ: changed, new, no longer read;
// a plan file without the list (an older payform's) says only that the
// configuration differs.
func TestDiffFiles(t *testing.T) {
	was := map[string]string{"main.hcl": "sha256:a", "payouts.csv": "sha256:b", "old.hcl": "sha256:c"}
	now := map[string]string{"main.hcl": "sha256:a", "payouts.csv": "sha256:B", "extra.hcl": "sha256:d"}
	if got, want := diffFiles(was, now), "extra.hcl (new), old.hcl (no longer read), payouts.csv (changed)"; got != want {
		t.Errorf("diffFiles = %q, want %q", got, want)
	}
	if got := diffFiles(nil, now); got != "" {
		t.Errorf("without a list: %q", got)
	}
}

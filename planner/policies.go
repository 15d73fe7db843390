package planner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/payform/payform/policy"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
)

// Policy is what the configuration's policy blocks say of a plan
// (policy.Evaluate): a section per policy, for renderings that show the
// policies before the changes, and the approvals the plan needs. Each
// change that may send money carries its own verdict (Change.Verdict).
type Policy struct {
	Sections []*policy.Section
	// Approvals lists, per policy that asks for them, the approvals the
	// plan needs before apply may run it; empty when it needs none.
	Approvals []*policy.Requirement
}

// Approvals returns the approvals the plan needs, nil when none.
func (p *Plan) Approvals() []*policy.Requirement {
	if p.Policy == nil {
		return nil
	}
	return p.Policy.Approvals
}

// Items returns the plan's changes that may send money, as policy
// evaluates and funding checks them: every create and resolve but those
// of deposit addresses (which carry no amount). Changes of a plan just
// made carry their declarations' ranges, so that a refusal points at its
// attribute; changes read from a plan file do not.
func Items(changes []*Change) ([]policy.Item, []*Change) {
	items := make([]policy.Item, 0, len(changes))
	of := make([]*Change, 0, len(changes))
	for _, c := range changes {
		if !c.Action.Calls() || c.Kind == providers.DepositAddress {
			continue
		}
		items = append(items, policy.Item{Address: c.Address, Kind: c.Kind, Provider: c.Provider, Key: c.Key, Amount: c.Amount,
			Currency: c.Currency, Destination: c.Attrs["address"], Tag: c.Attrs["tag"], Resend: c.Action == Resolve, Decl: c.decl})
		of = append(of, c)
	}
	return items, of
}

// evaluatePolicies gives every change that may send money its verdict,
// records the policies' sections and approvals on the plan, and adds
// their refusals (errors at the attributes that cause them) to the
// plan's diagnostics. Rolling windows count the state's sends before
// now.
func (pl *planning) evaluatePolicies(cfg *schema.Config, now time.Time) {
	items, changes := Items(pl.plan.Changes)
	res := policy.Evaluate(policy.Input{Config: cfg, Items: items, State: pl.st, Now: now})
	for i, c := range changes {
		c.Verdict = &res.Verdicts[i]
	}
	pl.plan.Policy = &Policy{Sections: res.Sections, Approvals: res.Approvals}
	pl.diags = append(pl.diags, res.Diagnostics...)
}

// comparePolicy names the first difference between the policy sections
// and approvals of a plan file and of the plan made now, "" when there is
// none. Verdicts are compared with their changes (diffChange).
func comparePolicy(file, now *Plan) string {
	switch {
	case file.Policy == nil && now.Policy == nil:
		return ""
	case file.Policy == nil:
		return "the configuration's policies give verdicts the plan file lacks"
	case now.Policy == nil:
		return "the plan file carries policy verdicts, and the configuration has no policy"
	}
	a, b := file.Policy.Approvals, now.Policy.Approvals
	for i := range max(len(a), len(b)) {
		switch {
		case i >= len(a):
			return fmt.Sprintf("the configuration's policy %s asks for approvals the plan file does not", b[i].Policy)
		case i >= len(b):
			return fmt.Sprintf("the plan file asks for policy %s's approvals, which the configuration does not", a[i].Policy)
		}
		if d := diffRequirement(a[i], b[i]); d != "" {
			return fmt.Sprintf("the approvals of policy %s: %s", b[i].Policy, d)
		}
	}
	x, y := file.Policy.Sections, now.Policy.Sections
	if len(x) != len(y) {
		return fmt.Sprintf("the plan file has %d policy sections, the configuration gives %d", len(x), len(y))
	}
	for i := range x {
		// Sections follow from the items and the state: they are compared
		// as their JSON, which carries every figure a reviewer saw.
		jx, err1 := json.Marshal(x[i])
		jy, err2 := json.Marshal(y[i])
		if err1 != nil || err2 != nil || !bytes.Equal(jx, jy) {
			return fmt.Sprintf("policy %s's section (its totals, rules tripped or notes) differs", y[i].Policy)
		}
	}
	return ""
}

func diffRequirement(f, n *policy.Requirement) string {
	field := func(name, a, b string) string {
		return fmt.Sprintf("%s is %s in the plan file, %s from the configuration", name, a, b)
	}
	switch {
	case f.Policy != n.Policy:
		return field("the policy", f.Policy, n.Policy)
	case f.SignersFile != n.SignersFile:
		return field("the signers file", f.SignersFile, n.SignersFile)
	case f.Required != n.Required:
		return field("required", fmt.Sprint(f.Required), fmt.Sprint(n.Required))
	case !slices.Equal(f.Rules, n.Rules):
		return field("the rules asking for them", rules(f.Rules), rules(n.Rules))
	case f.Items != n.Items:
		return field("the items needing them", fmt.Sprint(f.Items), fmt.Sprint(n.Items))
	case f.Signers == nil || n.Signers == nil || !bytes.Equal(f.Signers.Source(), n.Signers.Source()):
		return fmt.Sprintf("%s is not the allowed_signers the plan was made with", n.SignersFile)
	}
	return ""
}

func rules(rs []policy.Rule) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// diffVerdict names how two verdicts on one change differ, "" when they
// are the same.
func diffVerdict(f, n *policy.Verdict) string {
	switch {
	case f == nil && n == nil:
		return ""
	case f == nil || n == nil:
		return fmt.Sprintf("its policy verdict is %s in the plan file, %s from the configuration", verdictWords(f), verdictWords(n))
	case f.Decision != n.Decision || len(f.Findings) != len(n.Findings):
		return fmt.Sprintf("its policy verdict is %s in the plan file, %s from the configuration", verdictWords(f), verdictWords(n))
	}
	for i := range f.Findings {
		if !f.Findings[i].Equal(n.Findings[i]) {
			return fmt.Sprintf("its policy finding %q is %q in the plan file, %q from the configuration", n.Findings[i].Rule, f.Findings[i].Text(), n.Findings[i].Text())
		}
	}
	return ""
}

func verdictWords(v *policy.Verdict) string {
	if v == nil {
		return "none"
	}
	if len(v.Findings) == 0 {
		return string(v.Decision)
	}
	rs := make([]policy.Rule, len(v.Findings))
	for i, f := range v.Findings {
		rs[i] = f.Rule
	}
	return fmt.Sprintf("%s %s", v.Decision, rules(rs))
}

package policy

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/payform/payform/schema"
)

// maxItemRefusals bounds the errors one rule of one policy reports about
// single items; the rest are counted in one more error.
const maxItemRefusals = 20

// refusals turns a policy's refusals into plan errors: an item's at its
// attribute (amount, address), a plan-wide rule's at the limit it
// exceeds.
type refusals struct {
	policy *schema.Policy
	diags  hcl.Diagnostics
	items  map[Rule]int
	kinds  map[Rule]string
}

func (r *refusals) item(it *Item, f *Finding, attr string) {
	if r.items == nil {
		r.items, r.kinds = map[Rule]int{}, map[Rule]string{}
	}
	r.items[f.Rule]++
	r.kinds[f.Rule] = string(it.Kind)
	if r.items[f.Rule] > maxItemRefusals {
		return
	}
	p := r.policy
	kind := title(string(it.Kind))
	var summary, detail string
	switch f.Rule {
	case RuleDeny:
		summary = kind + " to a screened destination"
		detail = fmt.Sprintf("%s: %s is on policy %q's screening list (%s). Payouts to it are refused, with or without approvals: remove the payout, or correct its address.",
			it.Address, it.Destination, p.Name, f.Reason)
	case RuleUnknownDestination:
		summary = kind + " to an unknown destination"
		detail = fmt.Sprintf("%s: %s (%s) is not in policy %q's address book (%s), and unknown = \"refuse\". Add the destination to the address book in a reviewed change, or correct the address.",
			it.Address, f.Destination, it.Currency, p.Name, strings.Join(p.Destinations.Allow.Files, ", "))
	case RulePerItem:
		summary = kind + " over the per_item limit"
		detail = fmt.Sprintf("%s: %s %s is over policy %q's per_item limit of %s %s, and over_limit = \"refuse\". Lower the amount, or raise the limit in a reviewed change.",
			it.Address, it.Amount, it.Currency, p.Name, f.Limit, f.Currency)
	}
	r.diags = append(r.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: it.rangeOf(attr)})
}

// plan reports a plan-wide finding that refuses, at rng.
func (r *refusals) plan(f *Finding, rng hcl.Range, summary, format string, args ...any) {
	if f.Decision != Refuse {
		return
	}
	r.diags = append(r.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: fmt.Sprintf(format, args...), Subject: &rng})
}

func (r *refusals) done() hcl.Diagnostics {
	for _, rule := range []Rule{RuleDeny, RuleUnknownDestination, RulePerItem} {
		if n := r.items[rule]; n > maxItemRefusals {
			rng := r.policy.DeclRange
			r.diags = append(r.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("%d more %ss refused by policy %s", n-maxItemRefusals, r.kinds[rule], r.policy.Name),
				Detail:   fmt.Sprintf("policy %q's %s rule refuses %d items in all; the first %d are reported above.", r.policy.Name, rule, n, maxItemRefusals),
				Subject:  &rng,
			})
		}
	}
	return r.diags
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

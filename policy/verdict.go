package policy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/approval"
	"github.com/payform/payform/schema"
)

// Decision is what a rule does with an item; a verdict takes the
// strictest of its findings (refuse over approve over allow).
type Decision = schema.Decision

const (
	Allow   = schema.DecisionAllow
	Approve = schema.DecisionApprove
	Refuse  = schema.DecisionRefuse
)

// strictness orders decisions.
func strictness(d Decision) int {
	switch d {
	case Refuse:
		return 2
	case Approve:
		return 1
	}
	return 0
}

// Rule names the rule a finding comes from. The vocabulary is closed:
//
//	rule                 applies to     decision              scope
//	per_item             one item       over_limit            the item's amount
//	per_plan             the plan       over_limit            per account and currency
//	rolling              the plan       over_limit            per account and currency, with what was sent in the window
//	deny                 one payout     refuse, always        its destination address, in any currency
//	unknown_destination  one payout     unknown               currency, address and tag not in the address book
//	always               the plan       approve               every item the policy governs
type Rule string

const (
	RulePerItem            Rule = "per_item"
	RulePerPlan            Rule = "per_plan"
	RuleRolling            Rule = "rolling"
	RuleDeny               Rule = "deny"
	RuleUnknownDestination Rule = "unknown_destination"
	RuleAlways             Rule = "always"
)

// Verdict is what the policies say about one item.
type Verdict struct {
	Decision Decision `json:"decision"`
	// Findings are the rules the item trips, in policy order; findings of
	// rules over the whole plan (per_plan, rolling, always) are shared
	// between the items they cover.
	Findings []*Finding `json:"findings,omitempty"`
}

// Finding is one rule an item trips. Its JSON form carries only the
// fields its rule uses.
type Finding struct {
	Policy   string
	Rule     Rule
	Decision Decision
	Currency string
	// Providers name the gateway account (every provider block of it),
	// for plan-wide rules.
	Providers []string
	// Amount is the item's amount (per_item, deny, unknown_destination),
	// the plan's total (per_plan) or the window's total with the plan
	// (rolling).
	Amount decimal.Decimal
	Limit  decimal.Decimal
	// Window and Sent (rolling): the window, and what the record holds as
	// sent in it before this plan.
	Window time.Duration
	Sent   decimal.Decimal
	// Items counts the plan's items a plan-wide rule covers.
	Items int
	// FitsAt (rolling) is when enough earlier sends leave the window for
	// the plan to fit; zero when the plan alone is over the limit.
	FitsAt time.Time
	// Destination and Reason (deny, unknown_destination): the address
	// (with its tag), and the screening list's reason, file and line.
	Destination string
	Reason      string
}

type findingJSON struct {
	Policy      string           `json:"policy"`
	Rule        Rule             `json:"rule"`
	Decision    Decision         `json:"decision"`
	Currency    string           `json:"currency,omitempty"`
	Providers   []string         `json:"providers,omitempty"`
	Amount      *decimal.Decimal `json:"amount,omitempty"`
	Limit       *decimal.Decimal `json:"limit,omitempty"`
	Window      string           `json:"window,omitempty"`
	Sent        *decimal.Decimal `json:"sent,omitempty"`
	Items       int              `json:"items,omitempty"`
	FitsAt      time.Time        `json:"fits_at,omitzero"`
	Destination string           `json:"destination,omitempty"`
	Reason      string           `json:"reason,omitempty"`
}

func (f *Finding) MarshalJSON() ([]byte, error) {
	w := findingJSON{Policy: f.Policy, Rule: f.Rule, Decision: f.Decision, Currency: f.Currency, Providers: f.Providers,
		Items: f.Items, FitsAt: f.FitsAt, Destination: f.Destination, Reason: f.Reason}
	if f.Rule != RuleAlways {
		w.Amount = &f.Amount
	}
	switch f.Rule {
	case RulePerItem, RulePerPlan:
		w.Limit = &f.Limit
	case RuleRolling:
		w.Limit, w.Sent, w.Window = &f.Limit, &f.Sent, schema.FormatWindow(f.Window)
	}
	return json.Marshal(w)
}

func (f *Finding) UnmarshalJSON(b []byte) error {
	var w findingJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*f = Finding{Policy: w.Policy, Rule: w.Rule, Decision: w.Decision, Currency: w.Currency, Providers: w.Providers,
		Items: w.Items, FitsAt: w.FitsAt, Destination: w.Destination, Reason: w.Reason}
	for dst, src := range map[*decimal.Decimal]*decimal.Decimal{&f.Amount: w.Amount, &f.Limit: w.Limit, &f.Sent: w.Sent} {
		if src != nil {
			*dst = *src
		}
	}
	if w.Window != "" {
		d, err := schema.ParseWindow(w.Window)
		if err != nil {
			return err
		}
		f.Window = d
	}
	return nil
}

// Equal reports whether two findings say the same: the same rule of the
// same policy, decision and figures (amounts compared as decimals).
func (f *Finding) Equal(g *Finding) bool {
	if f == nil || g == nil {
		return f == g
	}
	return f.Policy == g.Policy && f.Rule == g.Rule && f.Decision == g.Decision && f.Currency == g.Currency &&
		slices.Equal(f.Providers, g.Providers) && f.Amount.Equal(g.Amount) && f.Limit.Equal(g.Limit) &&
		f.Window == g.Window && f.Sent.Equal(g.Sent) && f.Items == g.Items && f.FitsAt.Equal(g.FitsAt) &&
		f.Destination == g.Destination && f.Reason == g.Reason
}

// Text says in one line what the finding is, for renderings.
func (f *Finding) Text() string {
	cur := f.Currency
	switch f.Rule {
	case RulePerItem:
		return fmt.Sprintf("%s %s is over the per_item limit of %s %s", f.Amount, cur, f.Limit, cur)
	case RulePerPlan:
		return fmt.Sprintf("the plan sends %s %s through %s (%s), over the per_plan limit of %s %s",
			f.Amount, cur, strings.Join(f.Providers, ", "), count(f.Items, "item"), f.Limit, cur)
	case RuleRolling:
		return fmt.Sprintf("%s sent %s %s in the last %s; with this plan's %s %s that is %s %s, over the rolling limit of %s %s per %s",
			strings.Join(f.Providers, ", "), f.Sent, cur, schema.FormatWindow(f.Window), f.Amount.Sub(f.Sent), cur, f.Amount, cur, f.Limit, cur, schema.FormatWindow(f.Window))
	case RuleDeny:
		return fmt.Sprintf("destination %s is on the screening list (%s)", f.Destination, f.Reason)
	case RuleUnknownDestination:
		return fmt.Sprintf("destination %s is not in the address book", f.Destination)
	case RuleAlways:
		return "every plan that sends needs approval"
	}
	return string(f.Rule)
}

// Section is one policy's part of a plan, for renderings that show the
// policies before the changes: what the policy governs in this plan and
// which rules the plan trips.
type Section struct {
	Policy string    `json:"policy"`
	Range  hcl.Range `json:"-"`
	// Items counts the items the policy governs in this plan.
	Items  int     `json:"items"`
	Totals []Total `json:"totals"`
	// Lines are the rules tripped, one per rule, decision and currency.
	Lines []Line `json:"lines"`
	// NewDestinations counts the payouts to destinations not in the
	// address book (whatever unknown decides).
	NewDestinations int `json:"new_destinations,omitempty"`
	// Notes say what the evaluation assumed (e.g. sends recorded under a
	// provider no longer configured).
	Notes []string `json:"notes,omitempty"`
	// Approvals is set when the plan needs this policy's approvals.
	Approvals *Requirement `json:"approvals,omitempty"`
}

// Total is what a policy governs in one account and currency.
type Total struct {
	Providers []string        `json:"providers"`
	Currency  string          `json:"currency"`
	Items     int             `json:"items"`
	Amount    decimal.Decimal `json:"amount"`
}

// Line sums the findings of one rule, decision and currency.
type Line struct {
	Rule     Rule     `json:"rule"`
	Decision Decision `json:"decision"`
	Currency string   `json:"currency,omitempty"`
	Items    int      `json:"items"`
	// Amount sums the items' amounts; for plan-wide rules it is the
	// finding's amount.
	Amount decimal.Decimal `json:"amount"`
	// Finding is a representative finding: the shared one of a plan-wide
	// rule, the largest item's otherwise.
	Finding *Finding `json:"finding"`
}

// Text says in one line what the plan trips and what follows.
func (l Line) Text() string {
	var what string
	f, one := l.Finding, l.Items == 1
	switch {
	case l.Rule == RulePerItem && one:
		what = fmt.Sprintf("1 item of %s %s over the per_item limit of %s %s", f.Amount, l.Currency, f.Limit, l.Currency)
	case l.Rule == RulePerItem:
		what = fmt.Sprintf("%d items over the per_item limit of %s %s (%s %s in all, the largest %s %s)", l.Items, f.Limit, l.Currency, l.Amount, l.Currency, f.Amount, l.Currency)
	case l.Rule == RuleDeny && one:
		what = fmt.Sprintf("1 %s payout to a screened destination, %s (%s)", l.Currency, f.Destination, f.Reason)
	case l.Rule == RuleDeny:
		what = fmt.Sprintf("%d %s payouts to screened destinations, such as %s (%s)", l.Items, l.Currency, f.Destination, f.Reason)
	case l.Rule == RuleUnknownDestination && one:
		what = fmt.Sprintf("1 %s payout to a destination not in the address book, %s", l.Currency, f.Destination)
	case l.Rule == RuleUnknownDestination:
		what = fmt.Sprintf("%d %s payouts (%s %s) to destinations not in the address book, such as %s", l.Items, l.Currency, l.Amount, l.Currency, f.Destination)
	case l.Rule == RuleAlways:
		return fmt.Sprintf("%s: needs approval, as every plan that sends does (always = true)", count(l.Items, "item"))
	default:
		what = l.Finding.Text()
	}
	switch l.Decision {
	case Refuse:
		return what + ": refused"
	case Approve:
		return what + ": needs approval"
	}
	return what
}

// Requirement is a policy's approvals that the plan needs.
type Requirement struct {
	Policy      string                   `json:"policy"`
	SignersFile string                   `json:"signers"`
	Signers     *approval.AllowedSigners `json:"-"`
	Required    int                      `json:"required"`
	// Rules are why: the rules whose findings ask for approval.
	Rules []Rule `json:"rules"`
	// Items counts the items that need the approvals.
	Items int `json:"items"`
}

// Options returns what approval.Verify needs to check this requirement.
func (r *Requirement) Options(authors []string, now time.Time) approval.Options {
	return approval.Options{Signers: r.Signers, Required: r.Required, Authors: authors, Now: now}
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

package schema

import (
	"fmt"
	"maps"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/shopspring/decimal"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/payform/payform/approval"
	"github.com/payform/payform/money"
	"github.com/payform/payform/providers"
)

// Policy is a policy block: treasury controls that `payform plan`
// evaluates (package policy) before anything is sent. Every limit is per
// gateway account and currency, in exact decimals.
type Policy struct {
	Name string
	// Kinds are the kinds the policy governs: payout (the default) and
	// invoice.
	Kinds []providers.Kind
	// Providers limits the policy to these providers, and to every other
	// provider block of the same account; nil means every provider.
	Providers []*Provider
	PerItem   Limits
	PerPlan   Limits
	Rolling   []*Rolling
	// Destinations is nil without a destinations block.
	Destinations *Destinations
	// OverLimit is what a limit that is exceeded does: DecisionApprove or
	// DecisionRefuse (the default).
	OverLimit Decision
	// Approvals is nil without an approvals block.
	Approvals *Approvals
	// Ranges holds the source range of each attribute set, by name
	// ("kinds", "providers", "per_item", "per_plan", "over_limit").
	Ranges    map[string]hcl.Range
	DeclRange hcl.Range
}

// Decision is what a rule does with a payment it matches.
type Decision string

const (
	DecisionAllow   Decision = "allow"
	DecisionApprove Decision = "approve" // needs the approvals block's signatures
	DecisionRefuse  Decision = "refuse"
)

// Limits are amounts per currency code.
type Limits map[string]Limit

// Limit is one currency's amount, with the range of its item in the
// configuration (BTC = "0.5").
type Limit struct {
	Currency string
	Amount   decimal.Decimal
	Range    hcl.Range
}

// Rolling is a rolling block: what the journal records as sent in the
// last Window, plus what the plan sends, must stay within Limit.
type Rolling struct {
	Window    time.Duration
	Limit     Limits
	Ranges    map[string]hcl.Range // "window", "limit"
	DeclRange hcl.Range
}

// Destinations is a destinations block: which payout addresses are known
// (allow), which are always refused (deny), and what happens to the
// others (Unknown).
type Destinations struct {
	// Allow is the address book; nil when allow is not set, and then
	// every destination is allowed.
	Allow *AddressBook
	// Deny is the screening list; nil when deny is not set.
	Deny *Denylist
	// Unknown is the decision for a destination not in Allow (approve by
	// default).
	Unknown   Decision
	Ranges    map[string]hcl.Range // "allow", "deny", "unknown"
	DeclRange hcl.Range
}

// AddressBook is the allow list: CSV files of currency,address[,tag][,label].
type AddressBook struct {
	Files   []string // as written, relative to the configuration directory
	Entries []AddressEntry
}

// AddressEntry is one known destination. A payout matches it only with
// the same currency, address and tag (none when Tag is empty).
type AddressEntry struct {
	File     string
	Line     int
	Currency string
	Address  string
	Tag      string
	Label    string
}

// Denylist is the screening list: CSV files of address[,reason].
type Denylist struct {
	Files   []string
	Entries []DeniedAddress
}

// DeniedAddress is one screened address, refused in every currency.
type DeniedAddress struct {
	File    string
	Line    int
	Address string
	Reason  string
}

// Approvals is an approvals block: who may approve a plan that needs it,
// and how many distinct signers must.
type Approvals struct {
	// SignersFile is the allowed_signers file as written; Signers is what
	// it lists.
	SignersFile string
	Signers     *approval.AllowedSigners
	Required    int
	// Always makes every plan that sends anything the policy governs
	// need the approvals, whatever its amounts.
	Always    bool
	Ranges    map[string]hcl.Range // "signers", "required", "always"
	DeclRange hcl.Range
}

// Range returns the source range of attr, or the block's.
func (p *Policy) Range(attr string) hcl.Range {
	if r, ok := p.Ranges[attr]; ok {
		return r
	}
	return p.DeclRange
}

// Governs reports whether the policy applies to a kind.
func (p *Policy) Governs(kind providers.Kind) bool { return slices.Contains(p.Kinds, kind) }

// Accounts returns the accounts the policy covers (Provider.Account), or
// nil when it covers every provider.
func (p *Policy) Accounts() map[string]bool {
	if p.Providers == nil {
		return nil
	}
	out := make(map[string]bool, len(p.Providers))
	for _, pr := range p.Providers {
		out[pr.Account()] = true
	}
	return out
}

var policySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "kinds"}, {Name: "providers"}, {Name: "per_item"}, {Name: "per_plan"}, {Name: "over_limit"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "rolling"}, {Type: "destinations"}, {Type: "approvals"}},
}

var rollingSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "window", Required: true}, {Name: "limit", Required: true}}}

var destinationsSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "allow"}, {Name: "deny"}, {Name: "unknown"}}}

var approvalsSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "signers", Required: true}, {Name: "required", Required: true}, {Name: "always"}}}

// policyKinds are the kinds a policy may govern: those that carry an
// amount.
var policyKinds = []string{string(providers.Payout), string(providers.Invoice)}

func (l *loader) decodePolicies(blocks []*hcl.Block) {
	seen := map[string]*Policy{}
	for _, b := range blocks {
		name := b.Labels[0]
		if !hclsyntax.ValidIdentifier(name) {
			l.errorf(b.LabelRanges[0].Ptr(), "Invalid policy name", "%q is not a valid name: use letters, digits, underscores and dashes, starting with a letter.", name)
			continue
		}
		if prev := seen[name]; prev != nil {
			l.errorf(b.DefRange.Ptr(), "Duplicate policy", "policy %q is also declared at %s; give each policy its own name.", name, prev.DeclRange)
			continue
		}
		if p := l.decodePolicy(b); p != nil {
			seen[name] = p
			l.cfg.Policies = append(l.cfg.Policies, p)
		}
	}
}

// decodePolicy decodes one policy block; it returns nil when the block
// has an error, so that no half-read policy is ever evaluated.
func (l *loader) decodePolicy(b *hcl.Block) *Policy {
	before := len(l.diags)
	content, diags := b.Body.Content(policySchema)
	l.diags = append(l.diags, diags...)
	p := &Policy{Name: b.Labels[0], Kinds: []providers.Kind{providers.Payout}, OverLimit: DecisionRefuse, Ranges: map[string]hcl.Range{}, DeclRange: b.DefRange}
	for name, a := range content.Attributes {
		p.Ranges[name] = a.Expr.Range()
	}
	ctx := l.evalContext()
	attrs := content.Attributes
	if a := attrs["kinds"]; a != nil {
		p.Kinds = nil
		if kinds, ok := l.evalStringList(a, ctx, ""); ok {
			for _, k := range slices.Compact(kinds) {
				switch {
				case slices.Contains(policyKinds, k):
					p.Kinds = append(p.Kinds, providers.Kind(k))
				case k == string(providers.DepositAddress):
					l.errorf(a.Expr.Range().Ptr(), "Invalid kinds", "policy %q: deposit addresses carry no amount, so no policy governs them; kinds may be %s.", p.Name, strings.Join(policyKinds, " and "))
				default:
					l.errorf(a.Expr.Range().Ptr(), "Invalid kinds", "policy %q: %q is not a kind a policy governs; use %s.%s", p.Name, k, strings.Join(policyKinds, " or "), suggest(k, policyKinds))
				}
			}
			if len(kinds) == 0 {
				l.errorf(a.Expr.Range().Ptr(), "Invalid kinds", "policy %q: kinds is empty; remove it to govern payouts, or list [\"payout\", \"invoice\"].", p.Name)
			}
		}
	}
	if a := attrs["providers"]; a != nil {
		p.Providers = l.policyProviders(p, a)
	}
	if a := attrs["per_item"]; a != nil {
		p.PerItem = l.limits(p, a, ctx)
	}
	if a := attrs["per_plan"]; a != nil {
		p.PerPlan = l.limits(p, a, ctx)
	}
	if a := attrs["over_limit"]; a != nil {
		p.OverLimit = l.decision(p, a, ctx, DecisionApprove, DecisionRefuse)
	}
	windows := map[time.Duration]*Rolling{}
	var destinations, approvals []*hcl.Block
	for _, bb := range content.Blocks {
		switch bb.Type {
		case "rolling":
			if r := l.rolling(p, bb, ctx); r != nil {
				if prev := windows[r.Window]; prev != nil {
					l.errorf(bb.DefRange.Ptr(), "Duplicate rolling window", "policy %q has two rolling blocks with window %s (the other at %s); put every currency's limit in one of them.", p.Name, formatWindow(r.Window), prev.DeclRange)
					continue
				}
				windows[r.Window] = r
				p.Rolling = append(p.Rolling, r)
			}
		case "destinations":
			destinations = append(destinations, bb)
		case "approvals":
			approvals = append(approvals, bb)
		}
	}
	sort.Slice(p.Rolling, func(i, j int) bool { return p.Rolling[i].Window < p.Rolling[j].Window })
	if len(destinations) > 0 {
		p.Destinations = l.destinations(p, destinations[0], ctx)
	}
	if len(approvals) > 0 {
		p.Approvals = l.approvals(p, approvals[0], ctx)
	}
	for _, extra := range [][]*hcl.Block{destinations, approvals} {
		for _, bb := range extra[min(1, len(extra)):] {
			l.errorf(bb.DefRange.Ptr(), "Duplicate "+bb.Type+" block", "policy %q may have one %s block; the first is at %s.", p.Name, bb.Type, extra[0].DefRange)
		}
	}
	l.checkPolicy(p, before)
	if l.errorsSince(before) {
		return nil
	}
	return p
}

// errorsSince reports whether an error was reported after the first n
// diagnostics.
func (l *loader) errorsSince(n int) bool {
	for _, d := range l.diags[n:] {
		if d.Severity == hcl.DiagError {
			return true
		}
	}
	return false
}

// checkPolicy refuses combinations that cannot work; before is where
// the policy's diagnostics start.
func (l *loader) checkPolicy(p *Policy, before int) {
	hasLimits := len(p.PerItem) > 0 || len(p.PerPlan) > 0 || len(p.Rolling) > 0
	if p.Approvals == nil {
		if p.OverLimit == DecisionApprove {
			l.errorf(p.Range("over_limit").Ptr(), "Approvals not configured", "policy %q: over_limit = \"approve\" needs an approvals block saying who approves (signers) and how many (required).", p.Name)
		}
		if d := p.Destinations; d != nil && d.Unknown == DecisionApprove && d.Allow != nil {
			rng := d.DeclRange
			if r, ok := d.Ranges["unknown"]; ok {
				rng = r
			}
			l.errorf(&rng, "Approvals not configured", "policy %q: unknown destinations need approval (unknown = \"approve\", the default), which needs an approvals block saying who approves. Add one, or set unknown = \"refuse\".", p.Name)
		}
	}
	if p.Destinations == nil && p.Approvals == nil && !hasLimits && !l.errorsSince(before) {
		l.warnf(p.DeclRange.Ptr(), "Policy without rules", "policy %q sets no limit, no destinations and no approvals, so it allows everything. Add per_item, per_plan, rolling, destinations or approvals.", p.Name)
	}
	unknownApproves := p.Destinations != nil && p.Destinations.Allow != nil && p.Destinations.Unknown == DecisionApprove
	if a := p.Approvals; a != nil && !a.Always && !(hasLimits && p.OverLimit == DecisionApprove) && !unknownApproves {
		l.warnf(a.DeclRange.Ptr(), "Approvals never needed", "policy %q has an approvals block, but no rule of it asks for approval: set always = true, or a limit with over_limit = \"approve\".", p.Name)
	}
	// A limit in a currency no covered provider handles never applies: a
	// typo (USDT for USDTT) would otherwise pass silently.
	for _, ls := range []Limits{p.PerItem, p.PerPlan} {
		l.checkLimitCurrencies(p, ls)
	}
	for _, r := range p.Rolling {
		l.checkLimitCurrencies(p, r.Limit)
	}
}

func (l *loader) checkLimitCurrencies(p *Policy, ls Limits) {
	provs := p.Providers
	if provs == nil {
		provs = l.cfg.Providers
	}
	if len(provs) == 0 {
		return
	}
	for _, code := range slices.Sorted(maps.Keys(ls)) {
		if !slices.ContainsFunc(provs, func(pr *Provider) bool { return pr.Gateway.HasCurrency(code) }) {
			lim := ls[code]
			l.warnf(&lim.Range, "Limit never applies", "policy %q limits %s, which no provider it covers (%s) handles, so the limit can never apply. Check the currency code.", p.Name, code, providerNames(provs))
		}
	}
}

// policyProviders resolves providers = [wllxpay, wllxpay.eu].
func (l *loader) policyProviders(p *Policy, a *hcl.Attribute) []*Provider {
	exprs, diags := hcl.ExprList(a.Expr)
	if diags.HasErrors() {
		l.errorf(a.Expr.Range().Ptr(), "Invalid providers", "policy %q: providers must be a list of provider names such as [wllxpay, wllxpay.eu] (without quotes).", p.Name)
		return nil
	}
	out := []*Provider{}
	for _, e := range exprs {
		tr, diags := hcl.AbsTraversalForExpr(e)
		name := ""
		if !diags.HasErrors() {
			switch len(tr) {
			case 1:
				name = tr.RootName()
			case 2:
				if step, ok := tr[1].(hcl.TraverseAttr); ok {
					name = tr.RootName() + "." + step.Name
				}
			}
		}
		if name == "" {
			l.errorf(e.Range().Ptr(), "Invalid providers", "policy %q: each provider must be a name such as wllxpay or wllxpay.eu (without quotes).", p.Name)
			continue
		}
		pr := l.cfg.Provider(name)
		if pr == nil {
			if l.failedProviders[tr.RootName()] {
				// The provider block's own error says what to fix; the
				// policy must not then cover everything instead.
				l.errorf(e.Range().Ptr(), "Policy covers a provider in error", "policy %q covers provider %s, whose block has an error; fix that block first.", p.Name, name)
				continue
			}
			l.errorf(e.Range().Ptr(), "Unknown provider", "policy %q: there is no provider %q. Configured: %s.%s", p.Name, name, providerNames(l.cfg.Providers), suggest(name, providerNameList(l.cfg.Providers)))
			continue
		}
		if !slices.Contains(out, pr) {
			out = append(out, pr)
		}
	}
	if len(exprs) == 0 {
		l.errorf(a.Expr.Range().Ptr(), "Invalid providers", "policy %q: providers is empty; remove it to cover every provider, or list the ones the policy covers.", p.Name)
	}
	return out
}

// limits evaluates a map of currency code to amount: { BTC = "0.5" }.
func (l *loader) limits(p *Policy, a *hcl.Attribute, ctx *hcl.EvalContext) Limits {
	val, diags := eval(a.Expr, ctx)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() || !val.IsWhollyKnown() {
		return nil
	}
	rng := a.Expr.Range()
	if val.ContainsMarked() {
		l.errorf(&rng, "Sensitive value in "+a.Name, "policy %q: %s is derived from a sensitive variable; limits are shown in plans.", p.Name, a.Name)
		return nil
	}
	ty := val.Type()
	if val.IsNull() || !(ty.IsObjectType() || ty.IsMapType()) {
		l.errorf(&rng, "Invalid "+a.Name, "policy %q: %s must be a map of currency to amount, such as { BTC = \"0.5\", USDTT = \"10000\" }.", p.Name, a.Name)
		return nil
	}
	itemRanges := objectItemRanges(a.Expr)
	out := Limits{}
	for it := val.ElementIterator(); it.Next(); {
		k, v := it.Element()
		code := k.AsString()
		at := rng
		if r, ok := itemRanges[code]; ok {
			at = r
		}
		cur, known := money.Lookup(code)
		if !known {
			hint := suggest(code, money.Codes())
			if up := strings.ToUpper(code); up != code {
				if _, ok := money.Lookup(up); ok {
					hint = fmt.Sprintf(" Currency codes are upper case: did you mean %q?", up)
				}
			}
			l.errorf(&at, "Unknown currency", "policy %q: %s names currency %s, which payform does not know.%s", p.Name, a.Name, quote(code), hint)
			continue
		}
		d, ok := l.limitAmount(v, at, fmt.Sprintf("policy %q: %s %s", p.Name, a.Name, code))
		if !ok {
			continue
		}
		if err := money.CheckPrecision(d, cur); err != nil {
			l.errorf(&at, "Invalid limit", "policy %q: %s %s %s %s.", p.Name, a.Name, code, d, err)
			continue
		}
		out[code] = Limit{Currency: code, Amount: d, Range: at}
	}
	if val.LengthInt() == 0 {
		l.errorf(&rng, "Invalid "+a.Name, "policy %q: %s is empty; remove it, or give a limit per currency such as { BTC = \"0.5\" }.", p.Name, a.Name)
	}
	return out
}

// objectItemRanges maps the keys of an object constructor { BTC = "1" }
// to the range of each item, so that a diagnostic points at the item.
func objectItemRanges(expr hcl.Expression) map[string]hcl.Range {
	obj, ok := expr.(*hclsyntax.ObjectConsExpr)
	if !ok {
		return nil
	}
	out := map[string]hcl.Range{}
	for _, item := range obj.Items {
		k, diags := item.KeyExpr.Value(nil)
		if diags.HasErrors() || !k.IsKnown() || k.IsNull() {
			continue
		}
		if s, err := convert.Convert(k, cty.String); err == nil {
			out[s.AsString()] = hcl.RangeBetween(item.KeyExpr.Range(), item.ValueExpr.Range())
		}
	}
	return out
}

// limitAmount converts a limit: a decimal string or a number, exact, zero
// or more (zero: nothing without the rule's decision).
func (l *loader) limitAmount(v cty.Value, rng hcl.Range, what string) (decimal.Decimal, bool) {
	var text string
	switch {
	case v.IsNull():
		l.errorf(&rng, "Invalid limit", "%s must not be null.", what)
		return decimal.Decimal{}, false
	case v.Type() == cty.Number:
		bf := v.AsBigFloat()
		if bf.IsInf() || bf.MantExp(nil) > 200 || bf.MantExp(nil) < -200 {
			l.errorf(&rng, "Invalid limit", "%s is out of range: a limit has at most %d digits.", what, money.MaxAmountDigits)
			return decimal.Decimal{}, false
		}
		text = bf.Text('f', -1)
	case v.Type() == cty.String:
		text = v.AsString()
	default:
		l.errorf(&rng, "Invalid limit", "%s must be a decimal string such as \"0.5\", not %s.", what, v.Type().FriendlyName())
		return decimal.Decimal{}, false
	}
	d, err := money.ParseAmount(text)
	if err != nil {
		l.errorf(&rng, "Invalid limit", "%s %s %s.", what, quote(text), err)
		return decimal.Decimal{}, false
	}
	if d.IsNegative() {
		l.errorf(&rng, "Invalid limit", "%s %s is negative; a limit is zero or more.", what, quote(text))
		return decimal.Decimal{}, false
	}
	return d, true
}

// decision evaluates a string attribute that must be one of allowed.
func (l *loader) decision(p *Policy, a *hcl.Attribute, ctx *hcl.EvalContext, allowed ...Decision) Decision {
	s, ok := l.evalString(a, ctx, true, "")
	if !ok {
		return ""
	}
	words := make([]string, len(allowed))
	for i, d := range allowed {
		if string(d) == s {
			return d
		}
		words[i] = strconv.Quote(string(d))
	}
	l.errorf(a.Expr.Range().Ptr(), "Invalid "+a.Name, "policy %q: %s must be %s, not %s.", p.Name, a.Name, strings.Join(words, " or "), quote(s))
	return ""
}

func (l *loader) rolling(p *Policy, b *hcl.Block, ctx *hcl.EvalContext) *Rolling {
	content, diags := b.Body.Content(rollingSchema)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() {
		return nil
	}
	r := &Rolling{Ranges: map[string]hcl.Range{}, DeclRange: b.DefRange}
	for name, a := range content.Attributes {
		r.Ranges[name] = a.Expr.Range()
	}
	a := content.Attributes["window"]
	s, ok := l.evalString(a, ctx, true, "")
	if !ok {
		return nil
	}
	w, err := parseWindow(s)
	if err != "" {
		l.errorf(a.Expr.Range().Ptr(), "Invalid window", "policy %q: window %s %s.", p.Name, quote(s), err)
		return nil
	}
	r.Window = w
	r.Limit = l.limits(p, content.Attributes["limit"], ctx)
	if r.Limit == nil {
		return nil
	}
	return r
}

// maxWindow bounds a rolling window; the journal keeps everything, but a
// window longer than a year is a typo more often than a rule.
const maxWindow = 366 * 24 * time.Hour

// parseWindow reads a duration such as "24h", "90m" or "7d" (whole days).
func parseWindow(s string) (time.Duration, string) {
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 || strings.HasPrefix(days, "+") {
			return 0, "must be a duration such as \"24h\", \"90m\" or \"7d\""
		}
		d = time.Duration(min(n, 10000)) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, "must be a duration such as \"24h\", \"90m\" or \"7d\""
		}
	}
	switch {
	case d <= 0:
		return 0, "must be longer than zero"
	case d > maxWindow:
		return 0, "is longer than the 366 days a rolling window may cover"
	}
	return d, ""
}

// formatWindow writes a window as configurations do: "7d" for two days
// or more, "24h" for whole hours, Go's form ("90m0s") otherwise.
func formatWindow(d time.Duration) string {
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	}
	return d.String()
}

// FormatWindow writes a rolling window for renderings and plan files;
// ParseWindow reads it back.
func FormatWindow(d time.Duration) string { return formatWindow(d) }

// ParseWindow reads a window as configurations and plan files write it.
func ParseWindow(s string) (time.Duration, error) {
	d, msg := parseWindow(s)
	if msg != "" {
		return 0, fmt.Errorf("window %q %s", s, msg)
	}
	return d, nil
}

func (l *loader) destinations(p *Policy, b *hcl.Block, ctx *hcl.EvalContext) *Destinations {
	content, diags := b.Body.Content(destinationsSchema)
	l.diags = append(l.diags, diags...)
	d := &Destinations{Unknown: DecisionApprove, Ranges: map[string]hcl.Range{}, DeclRange: b.DefRange}
	for name, a := range content.Attributes {
		d.Ranges[name] = a.Expr.Range()
	}
	if a := content.Attributes["allow"]; a != nil {
		if files, ok := l.evalStringList(a, ctx, ""); ok {
			d.Allow = l.addressBook(p, a, files)
		}
	}
	if a := content.Attributes["deny"]; a != nil {
		if files, ok := l.evalStringList(a, ctx, ""); ok {
			d.Deny = l.denylist(p, a, files)
		}
	}
	if a := content.Attributes["unknown"]; a != nil {
		d.Unknown = l.decision(p, a, ctx, DecisionAllow, DecisionApprove, DecisionRefuse)
		if content.Attributes["allow"] == nil {
			l.errorf(a.Expr.Range().Ptr(), "Invalid unknown", "policy %q: unknown says what happens to destinations not in the allow list, and there is no allow list. Set allow = \"address-book.csv\", or remove unknown.", p.Name)
		}
	}
	if content.Attributes["allow"] == nil && content.Attributes["deny"] == nil && !diags.HasErrors() {
		l.errorf(b.DefRange.Ptr(), "Empty destinations block", "policy %q: a destinations block needs allow (an address book), deny (a screening list) or both.", p.Name)
	}
	return d
}

func (l *loader) approvals(p *Policy, b *hcl.Block, ctx *hcl.EvalContext) *Approvals {
	content, diags := b.Body.Content(approvalsSchema)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() {
		return nil
	}
	ap := &Approvals{Ranges: map[string]hcl.Range{}, DeclRange: b.DefRange}
	for name, a := range content.Attributes {
		ap.Ranges[name] = a.Expr.Range()
	}
	a := content.Attributes["signers"]
	if file, ok := l.evalString(a, ctx, true, ""); ok {
		ap.SignersFile = file
		ap.Signers = l.allowedSigners(p, a, file)
	}
	a = content.Attributes["required"]
	val, vdiags := eval(a.Expr, ctx)
	l.diags = append(l.diags, vdiags...)
	if !vdiags.HasErrors() {
		n, err := convert.Convert(val, cty.Number)
		var i int64
		exact := false
		if err == nil && !n.IsNull() && n.IsKnown() && !n.IsMarked() {
			var acc big.Accuracy
			i, acc = n.AsBigFloat().Int64()
			exact = acc == big.Exact
		}
		switch {
		case !exact || i < 1 || i > 100:
			l.errorf(a.Expr.Range().Ptr(), "Invalid required", "policy %q: required must be a whole number of distinct signers from 1 to 100.", p.Name)
		default:
			ap.Required = int(i)
		}
	}
	if s := ap.Signers; s != nil && ap.Required > 0 && !s.HasCertAuthority() && ap.Required > len(s.Signers()) {
		l.errorf(a.Expr.Range().Ptr(), "Not enough signers", "policy %q requires %d distinct signers, and %s lists %d (lines sharing a principal are one signer). Add signers, or lower required.", p.Name, ap.Required, ap.SignersFile, len(s.Signers()))
	}
	if a := content.Attributes["always"]; a != nil {
		val, diags := eval(a.Expr, ctx)
		l.diags = append(l.diags, diags...)
		if v, err := convert.Convert(val, cty.Bool); err == nil && v.IsKnown() && !v.IsNull() && !v.IsMarked() {
			ap.Always = v.True()
		} else if !diags.HasErrors() {
			l.errorf(a.Expr.Range().Ptr(), "Invalid always", "policy %q: always must be true or false.", p.Name)
		}
	}
	return ap
}

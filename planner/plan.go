package planner

import (
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/internal/shell"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// Observed is what the gateways reported, gathered by Refresh. Plan reads
// it; it never does I/O itself.
type Observed struct {
	// Current is what refresh read of resources in state, by address.
	Current map[string]providers.Object
	// Found is what a lookup by merchant key found for declared resources
	// not in state, by address.
	Found map[string]providers.Object
}

// Options tune a plan.
type Options struct {
	PlanID  string
	Version string
	Now     time.Time
	// TTL is how long the plan may be applied; DefaultTTL when zero.
	TTL time.Duration
	// Variables are recorded for the staleness check (see Variables).
	Variables map[string]PlanVariable
	// Targets limits the plan to these instances: an exact address, or a
	// block (payout.vendor) for all its instances. Empty means everything.
	Targets []string
	// RefreshOnly plans no change but the statuses the gateways report.
	RefreshOnly bool
	// Author is who makes the plan (recorded; approvals by the author do
	// not count).
	Author string
}

// DefaultTTL is how long a plan file stays applicable.
const DefaultTTL = 24 * time.Hour

// MakePlan compares the declared resources with the state and what the
// gateways reported, and returns the actions that make them agree, with
// every error found (edits of sent objects, reused keys, what the
// configuration's policies refuse). With policies, every change that may
// send money carries its verdict, and the plan its policy sections and
// the approvals it needs (Plan.Policy). It is pure.
func MakePlan(cfg *schema.Config, st *state.State, obs *Observed, opts Options) (*Plan, hcl.Diagnostics) {
	if obs == nil {
		obs = &Observed{}
	}
	ttl := opts.TTL
	if ttl == 0 {
		ttl = DefaultTTL
	}
	p := &Plan{
		FormatVersion: FormatVersion, PayformVersion: opts.Version, PlanID: opts.PlanID,
		CreatedAt: opts.Now.UTC(), ExpiresAt: opts.Now.Add(ttl).UTC(),
		StateLineage: st.Lineage, StateSerial: st.Serial, StateJournalSeq: st.JournalSeq,
		ConfigDigest: cfg.Digest, ConfigFiles: cfg.FileDigests, Variables: opts.Variables, Accounts: Accounts(cfg), Author: opts.Author,
		Targets: opts.Targets, RefreshOnly: opts.RefreshOnly,
		Changes: []*Change{}, Drift: []*Drift{},
	}
	pl := &planning{st: st, obs: obs, plan: p, declared: make(map[string]bool, len(cfg.Resources))}
	for _, r := range cfg.Resources {
		pl.declared[r.Address()] = true
	}
	for _, r := range cfg.Resources {
		pl.planDeclared(r)
	}
	var gone []*state.Resource
	st.Each(func(r *state.Resource) {
		if !pl.declared[r.Address] {
			gone = append(gone, r)
		}
	})
	sort.Slice(gone, func(i, j int) bool { return gone[i].Address < gone[j].Address })
	for _, r := range gone {
		pl.undeclared(r)
	}
	if opts.RefreshOnly {
		p.Changes = []*Change{}
	}
	if len(opts.Targets) > 0 {
		pl.target(opts.Targets)
	}
	sort.Slice(p.Changes, func(i, j int) bool { return p.Changes[i].Address < p.Changes[j].Address })
	sort.Slice(p.Drift, func(i, j int) bool { return p.Drift[i].Address < p.Drift[j].Address })
	if len(cfg.Policies) > 0 {
		pl.evaluatePolicies(cfg, opts.Now)
	}
	p.Summary = summarize(p, pl.noops, pl.manual, func() map[dest]bool { return knownDestinations(st) })
	p.Summary.Invoices = InvoiceTotals(st, obs.Current, p.Changes)
	if pl.diags.HasErrors() {
		return nil, pl.diags
	}
	return p, pl.diags
}

type planning struct {
	st    *state.State
	obs   *Observed
	plan  *Plan
	diags hcl.Diagnostics
	// owners maps every used key, its key folded to lower case (fold), to
	// the resource that used it; reserved maps every reserved key, folded,
	// to itself. They and pairs are made (indexKeys) when a declared
	// resource is not in the state: a plan with nothing new (a million
	// records, all up to date) never needs them.
	indexed  bool
	owners   map[state.KeyRef]*state.Resource
	reserved map[state.KeyRef]state.KeyRef
	// pairs maps a deposit address's (provider, foreign_id, currency) to
	// its record: forgotten, or managed at an address no longer declared.
	pairs    map[pairKey]*state.Resource
	declared map[string]bool
	noops    int
	manual   int // in-doubt items only an operator can settle
}

// target keeps the changes and drift of the targeted instances, and warns
// about what is left out.
func (pl *planning) target(targets []string) {
	match := func(addr string) bool {
		for _, t := range targets {
			if addr == t || strings.HasPrefix(addr, t+"[") {
				return true
			}
		}
		return false
	}
	left := 0
	changes := pl.plan.Changes[:0]
	for _, c := range pl.plan.Changes {
		if match(c.Address) {
			changes = append(changes, c)
		} else {
			left++
		}
	}
	pl.plan.Changes = changes
	drift := pl.plan.Drift[:0]
	for _, d := range pl.plan.Drift {
		if match(d.Address) {
			drift = append(drift, d)
		} else {
			left++
		}
	}
	pl.plan.Drift = drift
	if left > 0 {
		pl.diags = append(pl.diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Targeted plan",
			Detail:   fmt.Sprintf("only %s is planned; %d other %s left for a later plan. Use targeting for exceptions, not as routine.", strings.Join(targets, ", "), left, plural(left, "change is", "changes are")),
		})
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// pairKey identifies a deposit address: one per customer and currency at
// a provider.
type pairKey struct{ provider, key, currency string }

// indexKeys maps every used key to the resource that used it, and every
// deposit address that can be restored to its record.
func (pl *planning) indexKeys() {
	if pl.indexed {
		return
	}
	pl.indexed = true
	pl.owners = make(map[state.KeyRef]*state.Resource, pl.st.Len())
	pl.reserved = map[state.KeyRef]state.KeyRef{}
	for _, k := range pl.st.ReservedKeyList() {
		pl.reserved[fold(k)] = k
	}
	pl.pairs = map[pairKey]*state.Resource{}
	for _, r := range pl.st.ForgottenList() {
		if r.Kind == string(providers.DepositAddress) {
			k := pairKey{r.Provider, r.Key, r.Currency}
			if prev := pl.pairs[k]; prev == nil || r.ForgottenAt.After(prev.ForgottenAt) {
				pl.pairs[k] = r
			}
			continue
		}
		pl.owners[fold(r.KeyRef())] = r
	}
	pl.st.Each(func(r *state.Resource) {
		if r.Kind == string(providers.DepositAddress) {
			if !pl.declared[r.Address] && !r.InDoubt() {
				pl.pairs[pairKey{r.Provider, r.Key, r.Currency}] = r // forgotten by this plan
			}
			return
		}
		pl.owners[fold(r.KeyRef())] = r
	})
}

// fold is a key reference as the planner compares them: its key in lower
// case (keys that differ only in case are one key to a gateway that
// compares them so), and a scope older records name by their provider
// block's name widened to the whole gateway (which realm that block
// pointed at is not recorded, and the block may be gone or renamed).
func fold(k state.KeyRef) state.KeyRef {
	k.Key = strings.ToLower(k.Key)
	if !strings.Contains(k.Provider, "|") {
		gateway, _, _ := strings.Cut(k.Provider, ".")
		k.Provider = "gateway:" + gateway
	}
	return k
}

// usedKey finds a declared key among the keys the state used: in its
// realm (where keys live since realms are recorded) or at its gateway
// (records older than that), without regard to case. It
// returns the key as used, and whether it was found.
func (pl *planning) usedKey(r *schema.Resource) (state.KeyRef, bool) {
	pl.indexKeys()
	for _, scope := range []string{r.Provider.Realm(), r.Provider.Gateway.Name} {
		k := fold(state.KeyRef{Provider: scope, Kind: string(r.Kind), Key: r.Key})
		if o := pl.owners[k]; o != nil {
			return o.KeyRef(), true
		}
		if used, ok := pl.reserved[k]; ok {
			return used, true
		}
	}
	return state.KeyRef{}, false
}

func (pl *planning) planDeclared(r *schema.Resource) {
	addr := r.Address()
	rec := pl.st.Resource(addr)
	if rec == nil {
		pl.notInState(r, addr)
		return
	}
	if !pl.sameObject(r, rec) {
		return
	}
	if rec.InDoubt() {
		pl.inDoubt(r, rec)
		return
	}
	pl.noops++
	if cur, ok := pl.obs.Current[addr]; ok && string(cur.Status) != rec.Status && cur.Status != "" {
		pl.plan.Drift = append(pl.plan.Drift, &Drift{
			Address: addr, Provider: rec.Provider, Key: rec.Key, ID: firstNonEmpty(cur.ID, rec.ID),
			Before: rec.Status, After: string(cur.Status), RawBefore: rec.RawStatus, RawAfter: cur.RawStatus,
			Fields: maps.Clone(cur.Fields),
		})
	}
}

// notInState plans a declared resource payform has no record of.
func (pl *planning) notInState(r *schema.Resource, addr string) {
	if r.Kind == providers.DepositAddress {
		pl.poolPair(r, addr)
		return
	}
	if used, ok := pl.usedKey(r); ok {
		pl.keyReused(r, used)
		return
	}
	c := NewChange(r, Create)
	if found, ok := pl.obs.Found[addr]; ok {
		if !pl.foundMatches(r, c, found) {
			return
		}
		c.Action = Adopt
		c.Found = &Found{ID: found.ID, Status: string(found.Status), RawStatus: found.RawStatus}
		c.Note = fmt.Sprintf("%s already has %s %q, which this state never sent (a copy of the state, or another tool, sent it): adopted, not sent again", r.Provider.Name(), schema.KeyAttr(r.Kind), r.Key)
		if len(found.Others) > 0 {
			c.Note += fmt.Sprintf("; the gateway holds %d more objects under it (%s): cancel them at the gateway if they must not be paid", len(found.Others), strings.Join(found.Others, ", "))
		}
	}
	pl.plan.Changes = append(pl.plan.Changes, c)
}

// poolPair plans a deposit address not managed at addr: a customer keeps
// the address payform took for them, so a recorded one is restored (no
// call); only a pair never taken is taken.
func (pl *planning) poolPair(r *schema.Resource, addr string) {
	pl.indexKeys()
	k := pairKey{r.Provider.Name(), r.Key, r.Currency}
	rec := pl.pairs[k]
	if rec == nil {
		pl.plan.Changes = append(pl.plan.Changes, NewChange(r, Create))
		return
	}
	delete(pl.pairs, k) // restored once
	c := NewChange(r, Restore)
	c.Before = rec
	if rec.Address != addr {
		c.From = rec.Address
	}
	c.Note = "taken " + rec.CreatedAt.UTC().Format("2006-01-02") + ", restored without a call"
	pl.plan.Changes = append(pl.plan.Changes, c)
}

// inDoubt plans a declared resource whose last create has no settled
// outcome.
func (pl *planning) inDoubt(r *schema.Resource, rec *state.Resource) {
	ks, _ := r.Provider.Gateway.Supports(r.Kind)
	if rec.Pending.Manual || ks.InDoubt == providers.Manual {
		pl.manual++
		pl.diags = append(pl.diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Unknown outcome: " + rec.Address,
			Detail: fmt.Sprintf("payform cannot tell whether %s created %s %q (%s). It will not send it again. Check the gateway's dashboard, then run `payform state resolve %s --id ID` if it exists, or `payform state resolve %s --not-created` if it does not.",
				rec.Provider, schema.KeyAttr(r.Kind), rec.Key, firstNonEmpty(rec.Pending.Reason, "in doubt"), shell.Quote(rec.Address), shell.Quote(rec.Address)),
			Subject: r.DeclRange.Ptr(),
		})
		return
	}
	c := NewChange(r, Resolve)
	c.Before = rec
	c.Note = fmt.Sprintf("in doubt since %s: %s", rec.Pending.At.UTC().Format(time.RFC3339), resolveNote(ks))
	pl.plan.Changes = append(pl.plan.Changes, c)
}

func resolveNote(ks providers.KindSupport) string {
	switch ks.InDoubt {
	case providers.Resend:
		return "send again with the same key; the gateway refuses it if the first attempt landed"
	case providers.LookupByKey:
		return "look it up by key; adopt it if found, send it again only if still absent once the last attempt is settle_time old"
	case providers.Retake:
		return "take again; a second object for the same key is harmless and recorded"
	}
	return "an operator must settle it"
}

// undeclared plans a managed resource whose block is gone: forget it.
func (pl *planning) undeclared(rec *state.Resource) {
	c := &Change{
		Address: rec.Address, Action: Forget, Kind: providers.Kind(rec.Kind), Provider: rec.Provider,
		Gateway: rec.Gateway, Key: rec.Key, Currency: rec.Currency, Attrs: rec.Attrs, Before: rec,
	}
	c.Amount, _ = decimal.NewFromString(rec.Amount)
	if rec.Kind == string(providers.DepositAddress) && !rec.InDoubt() {
		c.Note = "the address stays recorded and comes back if the pair is declared again"
	}
	if rec.InDoubt() {
		c.Note = "in doubt: it may or may not exist at the gateway; its key stays reserved and the record is kept"
		pl.diags = append(pl.diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Forgetting an in-doubt item: " + rec.Address,
			Detail:   fmt.Sprintf("%s is no longer declared, but payform never learned whether %s created %q. It will not be sent again (the key stays reserved). Check the gateway before relying on it.", rec.Address, rec.Provider, rec.Key),
		})
	}
	pl.plan.Changes = append(pl.plan.Changes, c)
}

// sameObject reports whether the declared resource still describes the
// recorded one; every difference is an error at its attribute.
func (pl *planning) sameObject(r *schema.Resource, rec *state.Resource) bool {
	ok := true
	what := "sent"
	if rec.InDoubt() {
		what = "possibly sent"
	}
	fail := func(attr, was, now string) {
		ok = false
		pl.diags = append(pl.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Cannot change a %s %s", what, r.Kind),
			Detail: fmt.Sprintf("%s was %s on %s with %s %s; the configuration now says %s. A %s %s cannot be edited or replaced: to move more money, declare a new %s with a new %s; to stop managing this one, remove its block.",
				rec.Address, what, rec.CreatedAt.UTC().Format("2006-01-02 15:04 MST"), attr, was, now, what, r.Kind, r.Kind, schema.KeyAttr(r.Kind)),
			Subject: r.Range(attr).Ptr(),
		})
	}
	if name := r.Provider.Name(); name != rec.Provider {
		fail("provider", rec.Provider, name)
	}
	if r.Key != rec.Key {
		fail(schema.KeyAttr(r.Kind), quoted(rec.Key), quoted(r.Key))
	}
	if r.Currency != rec.Currency {
		fail("currency", rec.Currency, r.Currency)
	}
	if was, err := decimal.NewFromString(rec.Amount); rec.Amount != "" && (err != nil || !was.Equal(r.Amount)) {
		fail("amount", rec.Amount+" "+rec.Currency, r.Amount.String()+" "+r.Currency)
	}
	if sameAttrs(rec.Attrs, r.Attrs) {
		return ok
	}
	names := map[string]bool{}
	for k := range rec.Attrs {
		names[k] = true
	}
	for k := range r.Attrs {
		names[k] = true
	}
	for _, k := range sortedKeys(names) {
		was, had := rec.Attrs[k]
		now, has := r.Attrs[k]
		if was != now || had != has {
			fail(k, orNone(was, had), orNone(now, has))
		}
	}
	return ok
}

// sameAttrs reports whether two attribute maps hold the same names and
// values.
func sameAttrs(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// keyReused reports a declared key that state already used.
func (pl *planning) keyReused(r *schema.Resource, key state.KeyRef) {
	attr := schema.KeyAttr(r.Kind)
	owner := pl.owners[fold(key)]
	where := "an earlier resource"
	hint := ""
	if owner != nil {
		where = fmt.Sprintf("%s (%s %s, id %s)", owner.Address, owner.Status, owner.CreatedAt.UTC().Format("2006-01-02"), firstNonEmpty(owner.ID, "unknown"))
		if owner.ForgottenAt.IsZero() {
			hint = " If you renamed the block, move the record instead: payform state mv " + shell.Quote(owner.Address) + " " + shell.Quote(r.Addr.String()) + "."
		}
	}
	used := ""
	if key.Key != r.Key {
		used = fmt.Sprintf(" (as %q: keys that differ only in case are one key to a gateway that compares them so)", key.Key)
	}
	pl.diags = append(pl.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("%s already used", attr),
		Detail: fmt.Sprintf("%s: %s %q was already used%s at %s by %s. Merchant keys are single-use, so that a payment can never be sent twice: give this %s a new %s.%s",
			r.Addr, attr, r.Key, used, r.Provider.Name(), where, r.Kind, attr, hint),
		Subject: r.Range(attr).Ptr(),
	})
}

// foundMatches checks an object found by key against the declaration
// before it is adopted (Mismatch).
func (pl *planning) foundMatches(r *schema.Resource, c *Change, found providers.Object) bool {
	diff := Mismatch(c, found, false)
	if diff == "" {
		return true
	}
	attr := "amount"
	if strings.Contains(diff, "address") || strings.Contains(diff, "tag") {
		attr = "address"
	}
	pl.diags = append(pl.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Gateway object differs from its declaration",
		Detail: fmt.Sprintf("%s: %s already has %s %q (id %s), with %s. payform will neither adopt it nor send another; fix the declaration to match what exists, or use a new %s.",
			r.Addr, r.Provider.Name(), schema.KeyAttr(r.Kind), r.Key, firstNonEmpty(found.ID, "unknown"), diff, schema.KeyAttr(r.Kind)),
		Subject: r.Range(attr).Ptr(),
	})
	return false
}

// NewChange returns the change of action a for the declared resource r.
// The change shares r's Attrs (nothing writes either after Load; the
// state copies what it records).
func NewChange(r *schema.Resource, a Action) *Change {
	return &Change{
		Address: r.Address(), Action: a, Kind: r.Kind, Provider: r.Provider.Name(), Scope: r.Provider.Realm(),
		Gateway: r.Provider.Gateway.Name, Key: r.Key, Amount: r.Amount, Currency: r.Currency,
		Attrs: r.Attrs, decl: r,
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func orNone(v string, ok bool) string {
	if !ok {
		return "(none)"
	}
	return quoted(v)
}

func quoted(s string) string { return fmt.Sprintf("%q", s) }

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

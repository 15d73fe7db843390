package planner

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// StaleError says why a plan file may not be applied. What was reviewed is
// what runs: anything that changed since the plan refuses it.
type StaleError struct {
	Reason string // short: "already applied", "state changed", ...
	Detail string
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("the plan cannot be applied: %s. %s", e.Reason, e.Detail)
}

const remake = "Run `payform plan --out FILE` again, review it, and apply the new plan."

// clockSlack is how far in the future a plan's creation may be: another
// machine's clock.
const clockSlack = 5 * time.Minute

// CheckStale refuses a plan that was already applied, that was made
// against another state (lineage, serial, journal) or against no state,
// whose configuration files, variables or provider accounts changed since,
// or that expired. cfg is the configuration as it is now, with the
// variables given now. It does not look at the plan's changes: Compare
// does, against the plan re-derived now.
func CheckStale(p *Plan, st *state.State, cfg *schema.Config, now time.Time) error {
	if st.Consumed(p.PlanID) {
		return &StaleError{"already applied",
			fmt.Sprintf("Plan %s was applied before (the state records it); a plan runs once. %s", p.PlanID, remake)}
	}
	if p.StateLineage == "" {
		return &StaleError{"it was made against no state",
			fmt.Sprintf("A plan file is bound to the state it was made against, and this one names none. %s", remake)}
	}
	if p.StateLineage != st.Lineage {
		return &StaleError{"it belongs to another state",
			fmt.Sprintf("It was made against state lineage %s, but this state's lineage is %s (a different workspace or a replaced state file). %s", p.StateLineage, firstNonEmpty(st.Lineage, "none"), remake)}
	}
	if p.StateSerial != st.Serial || p.StateJournalSeq != st.JournalSeq {
		return &StaleError{"the state changed since the plan was made",
			fmt.Sprintf("The plan was made at state serial %d (journal entry %d); the state is now at serial %d (journal entry %d), so the plan may no longer describe what is needed. %s",
				p.StateSerial, p.StateJournalSeq, st.Serial, st.JournalSeq, remake)}
	}
	if !now.Before(p.ExpiresAt) {
		return &StaleError{"it expired",
			fmt.Sprintf("It was made at %s and expired at %s. %s", p.CreatedAt.Format(time.RFC3339), p.ExpiresAt.Format(time.RFC3339), remake)}
	}
	if p.CreatedAt.After(now.Add(clockSlack)) || p.ExpiresAt.Before(p.CreatedAt) {
		return &StaleError{"its times are impossible",
			fmt.Sprintf("It says it was made at %s and expires at %s, and it is %s now. %s", p.CreatedAt.Format(time.RFC3339), p.ExpiresAt.Format(time.RFC3339), now.UTC().Format(time.RFC3339), remake)}
	}
	if p.ConfigDigest != cfg.Digest {
		what := "The configuration files (or a file they read) are not the ones the plan was made from"
		if diff := diffFiles(p.ConfigFiles, cfg.FileDigests); diff != "" {
			what = "These files are not the ones the plan was made from: " + diff
		}
		return &StaleError{"the configuration changed since the plan was made", fmt.Sprintf("%s. %s", what, remake)}
	}
	vars, err := Variables(cfg)
	if err != nil {
		return err
	}
	if diff := diffVariables(p.Variables, vars); diff != "" {
		return &StaleError{"the variables changed since the plan was made", diff + " " + remake}
	}
	if diff := diffAccounts(p.Accounts, Accounts(cfg)); diff != "" {
		return &StaleError{"a provider's account changed since the plan was made", diff + " " + remake}
	}
	return nil
}

func diffVariables(was, now map[string]PlanVariable) string {
	names := map[string]bool{}
	for k := range was {
		names[k] = true
	}
	for k := range now {
		names[k] = true
	}
	var changed []string
	for k := range names {
		a, hadA := was[k]
		b, hadB := now[k]
		if hadA != hadB || a.Sensitive != b.Sensitive || !bytes.Equal(a.Value, b.Value) {
			changed = append(changed, k)
		}
	}
	if len(changed) == 0 {
		return ""
	}
	sort.Strings(changed)
	return fmt.Sprintf("Different now: var.%s.", strings.Join(changed, ", var."))
}

func diffAccounts(was, now map[string]string) string {
	for _, name := range slices.Sorted(maps.Keys(now)) {
		if w, ok := was[name]; !ok || w != now[name] {
			return fmt.Sprintf("Provider %s now names another gateway account (endpoint or credentials) than the plan was made for.", name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(was)) {
		if _, ok := now[name]; !ok {
			return fmt.Sprintf("Provider %s of the plan is no longer configured.", name)
		}
	}
	return ""
}

// Compare reports the first difference between a plan read from a file
// and the plan the configuration and the state give now (made with the
// file's plan id, times, targets and refresh-only), "" when there is none:
// every change, field by field, with its policy verdict, every part of
// the summary that follows from the changes, and the policies' sections
// and the approvals they ask for. Statuses the gateways report (drift,
// invoice totals) may have moved since and are not compared: apply
// records the ones it reads itself. Neither are balances (Funding):
// apply reads them again.
func Compare(file, now *Plan) string {
	i, j := 0, 0
	for i < len(file.Changes) || j < len(now.Changes) {
		switch {
		case j >= len(now.Changes) || (i < len(file.Changes) && file.Changes[i].Address < now.Changes[j].Address):
			return fmt.Sprintf("The plan file has a change the configuration does not give: %s", describe(file.Changes[i]))
		case i >= len(file.Changes) || now.Changes[j].Address < file.Changes[i].Address:
			return fmt.Sprintf("The configuration gives a change the plan file lacks: %s", describe(now.Changes[j]))
		}
		if d := diffChange(file.Changes[i], now.Changes[j]); d != "" {
			return fmt.Sprintf("%s: %s", now.Changes[j].Address, d)
		}
		i, j = i+1, j+1
	}
	a, b := file.Summary, now.Summary
	counts := []struct {
		name string
		a, b int
	}{{"create", a.Create, b.Create}, {"adopt", a.Adopt, b.Adopt}, {"restore", a.Restore, b.Restore}, {"resolve", a.Resolve, b.Resolve},
		{"forget", a.Forget, b.Forget}, {"no-op", a.NoOp, b.NoOp}, {"unknown", a.Unknown, b.Unknown}, {"new destinations", a.NewDestinations, b.NewDestinations}}
	for _, c := range counts {
		if c.a != c.b {
			return fmt.Sprintf("its summary counts %d %s, the configuration gives %d", c.a, c.name, c.b)
		}
	}
	if len(a.Totals) != len(b.Totals) {
		return fmt.Sprintf("its summary has %d totals, the configuration gives %d", len(a.Totals), len(b.Totals))
	}
	for k := range a.Totals {
		x, y := a.Totals[k], b.Totals[k]
		if x.Kind != y.Kind || x.Provider != y.Provider || x.Currency != y.Currency || x.Action != y.Action || x.Count != y.Count || !x.Amount.Equal(y.Amount) {
			return fmt.Sprintf("its summary's total %s %s %s at %s is %d for %s, the configuration gives %d for %s",
				x.Action, x.Kind, x.Currency, x.Provider, x.Count, x.Amount, y.Count, y.Amount)
		}
	}
	if len(a.Largest) != len(b.Largest) {
		return "its summary's largest items differ"
	}
	for k := range a.Largest {
		x, y := a.Largest[k], b.Largest[k]
		if x.Address != y.Address || x.Provider != y.Provider || x.Currency != y.Currency || !x.Amount.Equal(y.Amount) {
			return fmt.Sprintf("its summary's largest items name %s %s %s, the configuration gives %s %s %s", x.Address, x.Amount, x.Currency, y.Address, y.Amount, y.Currency)
		}
	}
	if !slices.Equal(a.NewDestinationSample, b.NewDestinationSample) {
		return "its summary's new destinations differ"
	}
	return comparePolicy(file, now)
}

// describe names a change in a message: "+ payout.x (create 0.9 BTC)".
func describe(c *Change) string {
	s := fmt.Sprintf("%s %s (%s", c.Action.Glyph(), c.Address, c.Action)
	if !c.Amount.IsZero() {
		s += " " + c.Amount.String() + " " + c.Currency
	}
	if a := c.Attrs["address"]; a != "" {
		s += " to " + a
	}
	return s + ")"
}

// diffChange names the first field in which two plans' changes for one
// address differ.
func diffChange(f, n *Change) string {
	field := func(name, a, b string) string {
		return fmt.Sprintf("%s is %s in the plan file, %s from the configuration", name, a, b)
	}
	switch {
	case f.Action != n.Action:
		return field("the action", string(f.Action), string(n.Action))
	case f.Kind != n.Kind:
		return field("the kind", string(f.Kind), string(n.Kind))
	case f.Provider != n.Provider:
		return field("the provider", f.Provider, n.Provider)
	case f.Gateway != n.Gateway:
		return field("the gateway", f.Gateway, n.Gateway)
	case f.Key != n.Key:
		return field(schema.KeyAttr(n.Kind), quoted(f.Key), quoted(n.Key))
	case !f.Amount.Equal(n.Amount):
		return field("amount", f.Amount.String()+" "+f.Currency, n.Amount.String()+" "+n.Currency)
	case f.Currency != n.Currency:
		return field("currency", f.Currency, n.Currency)
	case f.From != n.From:
		return field("from", quoted(f.From), quoted(n.From))
	case (f.Found == nil) != (n.Found == nil) || (f.Found != nil && *f.Found != *n.Found):
		return "what the gateway was found to hold differs"
	case f.Note != n.Note:
		return field("the note", quoted(f.Note), quoted(n.Note))
	}
	if d := diffVerdict(f.Verdict, n.Verdict); d != "" {
		return d
	}
	names := map[string]bool{}
	for k := range f.Attrs {
		names[k] = true
	}
	for k := range n.Attrs {
		names[k] = true
	}
	for _, k := range sortedKeys(names) {
		a, hadA := f.Attrs[k]
		b, hadB := n.Attrs[k]
		if a != b || hadA != hadB {
			return field(k, orNone(a, hadA), orNone(b, hadB))
		}
	}
	return ""
}

// diffFiles names the files that differ between the plan's configuration
// and today's: "main.hcl (changed), vendors.csv (new)". Empty when the plan
// does not list its files (or nothing differs file by file).
func diffFiles(was, now map[string]string) string {
	if was == nil {
		return ""
	}
	names := make([]string, 0, len(was)+len(now))
	for k := range was {
		names = append(names, k)
	}
	for k := range now {
		if _, ok := was[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var parts []string
	for _, n := range names {
		w, inWas := was[n]
		c, inNow := now[n]
		switch {
		case !inWas:
			parts = append(parts, n+" (new)")
		case !inNow:
			parts = append(parts, n+" (no longer read)")
		case w != c:
			parts = append(parts, n+" (changed)")
		}
	}
	return strings.Join(parts, ", ")
}

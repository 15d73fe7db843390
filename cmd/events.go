package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/payform/payform/executor"
	"github.com/payform/payform/planner"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// events writes payform's machine-readable UI (plan, apply and refresh
// --json): one JSON object per line in Terraform's conventions, so that
// tools reading `terraform apply -json` read it too. Every event has
// "@level", "@message", "@module" (payform.ui), "@timestamp" and "type".
// The types are Terraform's where payform does what they say (version,
// diagnostic, planned_change, resource_drift, change_summary,
// apply_start, apply_complete, apply_errored) and payform's own for the
// rest (policy, funding, callback, callback_apart, statuses); the money
// facts (amount, currency, key, provider, outcome) are inside them.
// docs/json-format.md maps every one.
type events struct {
	mu  sync.Mutex
	enc *json.Encoder
	now func() time.Time
	// started is when each item's apply_start was written, by address,
	// for its apply_complete's elapsed_seconds.
	started map[string]time.Time
}

// The event stream's versions: uiVersion is the Terraform machine-readable
// UI version whose conventions it follows; EventsFormatVersion is
// payform's own fields' (1.0 was the stream before Terraform's shape).
const (
	uiVersion           = "1.0"
	EventsFormatVersion = "2.0"
	uiModule            = "payform.ui"
)

func newEvents(w io.Writer, now func() time.Time) *events {
	return &events{enc: json.NewEncoder(w), now: now, started: map[string]time.Time{}}
}

// Levels, as Terraform's: info but for diagnostics.
const (
	levelInfo  = "info"
	levelWarn  = "warn"
	levelError = "error"
)

func (e *events) emit(typ, level, message string, fields map[string]any) {
	fields["type"] = typ
	fields["@level"] = level
	fields["@message"] = message
	fields["@module"] = uiModule
	fields["@timestamp"] = e.now().UTC().Format(time.RFC3339Nano)
	e.mu.Lock()
	defer e.mu.Unlock()
	_ = e.enc.Encode(fields)
}

// start writes the version event, always the first.
func (e *events) start(command string, extra map[string]any) {
	f := map[string]any{"payform": Version, "ui": uiVersion, "format_version": EventsFormatVersion, "command": command}
	for k, v := range extra {
		f[k] = v
	}
	e.emit("version", levelInfo, "payform "+Version, f)
}

// resourceAddr is Terraform's resource object: an address taken apart.
// implied_provider is the gateway.
type resourceAddr struct {
	Addr            string  `json:"addr"`
	Module          string  `json:"module"`
	Resource        string  `json:"resource"`
	ImpliedProvider string  `json:"implied_provider"`
	ResourceType    string  `json:"resource_type"`
	ResourceName    string  `json:"resource_name"`
	ResourceKey     *string `json:"resource_key"`
}

// newResourceAddr takes addr apart; provider is the provider block's
// name (gateway, or gateway.alias).
func newResourceAddr(addr, provider string) resourceAddr {
	gateway, _, _ := strings.Cut(provider, ".")
	r := resourceAddr{Addr: addr, Resource: addr, ImpliedProvider: gateway}
	if a, err := schema.ParseAddr(addr); err == nil {
		r.ResourceType, r.ResourceName = a.Type, a.Name
		if a.HasKey {
			key := a.Key
			r.ResourceKey = &key
		}
	}
	return r
}

// plannedChange is a planned_change's change: Terraform's resource and
// action, with payform's change (docs/json-format.md) inlined.
type plannedChange struct {
	Resource resourceAddr `json:"resource"`
	jsonChange
}

// driftChange is a resource_drift's change: a status the gateway reports
// that differs from the state's.
type driftChange struct {
	Resource resourceAddr `json:"resource"`
	Action   string       `json:"action"`
	planner.Drift
}

// changeCounts is change_summary's changes, in Terraform's four counts.
type changeCounts struct {
	Add       int    `json:"add"`
	Change    int    `json:"change"`
	Import    int    `json:"import"`
	Remove    int    `json:"remove"`
	Operation string `json:"operation"`
}

// String is Terraform's summary line, word for word: tools match it.
func (c changeCounts) String() string {
	imported := ""
	if c.Operation == "plan" {
		if c.Import > 0 {
			imported = fmt.Sprintf("%d to import, ", c.Import)
		}
		return fmt.Sprintf("Plan: %s%d to add, %d to change, %d to destroy.", imported, c.Add, c.Change, c.Remove)
	}
	if c.Import > 0 {
		imported = fmt.Sprintf("%d imported, ", c.Import)
	}
	return fmt.Sprintf("Resources: %s%d added, %d changed, %d destroyed.", imported, c.Add, c.Change, c.Remove)
}

func (e *events) plan(p *planner.Plan) {
	if p.Policy != nil {
		e.emit("policy", levelInfo, policyMessage(p.Policy), map[string]any{"policy": toJSONPolicy(p.Policy)})
	}
	if p.Funding != nil {
		e.emit("funding", levelInfo, fmt.Sprintf("Funding: %d %s checked, %d unchecked", len(p.Funding.Lines),
			plural(len(p.Funding.Lines), "account and currency", "accounts and currencies"), len(p.Funding.Unchecked)), map[string]any{"funding": p.Funding})
	}
	for _, c := range p.Changes {
		msg := fmt.Sprintf("%s: Plan to %s", c.Address, c.Action)
		if !c.Amount.IsZero() {
			msg += fmt.Sprintf(" (%s %s)", c.Amount, c.Currency)
		}
		e.emit("planned_change", levelInfo, msg, map[string]any{"change": plannedChange{Resource: newResourceAddr(c.Address, c.Provider), jsonChange: toJSONChange(c)}})
	}
	for _, d := range p.Drift {
		e.emit("resource_drift", levelInfo, fmt.Sprintf("%s: Drift detected (status %s -> %s)", d.Address, d.Before, d.After),
			map[string]any{"change": driftChange{Resource: newResourceAddr(d.Address, d.Provider), Action: "update", Drift: *d}})
	}
	s := p.Summary
	counts := changeCounts{Add: s.Create, Import: s.Adopt + s.Restore, Change: s.Resolve + s.Drift, Remove: s.Forget, Operation: "plan"}
	e.emit("change_summary", levelInfo, counts.String(), map[string]any{"changes": counts, "plan_id": p.PlanID, "summary": p.Summary, "has_changes": p.HasChanges()})
}

// policyMessage says what the policies ask of a plan.
func policyMessage(p *planner.Policy) string {
	if len(p.Approvals) == 0 {
		return fmt.Sprintf("Policies: %d evaluated, no approvals needed", len(p.Sections))
	}
	names := make([]string, 0, len(p.Approvals))
	for _, r := range p.Approvals {
		names = append(names, fmt.Sprintf("%s (%d)", r.Policy, r.Required))
	}
	return fmt.Sprintf("Policies: %d evaluated, approvals needed: %s", len(p.Sections), strings.Join(names, ", "))
}

// diagnostics writes one diagnostic event per diagnostic, in Terraform's
// shape: the highlighted range's start and end, and the snippet of
// source around it where files holds the file.
func (e *events) diagnostics(files map[string]*hcl.File, diags hcl.Diagnostics) {
	for _, d := range diags {
		jd := newDiagnostic(files, d)
		level, word := levelError, "Error"
		if jd.Severity == "warning" {
			level, word = levelWarn, "Warning"
		}
		e.emit("diagnostic", level, word+": "+d.Summary, map[string]any{"diagnostic": jd})
	}
}

// eventHooks reports apply's items as events.
type eventHooks struct{ e *events }

var (
	_ executor.Hooks       = eventHooks{}
	_ executor.ItemStarter = eventHooks{}
)

// Started writes nothing: the plan's change_summary counts the items.
func (h eventHooks) Started(int) {}

// hookAction is the action an item's hook names: a status update is
// Terraform's update.
func hookAction(c *planner.Change) string {
	if c.Action == planner.NoOp {
		return "update"
	}
	return string(c.Action)
}

// hookFields are the hook's fields every item event has.
func hookFields(c *planner.Change) map[string]any {
	f := map[string]any{"resource": newResourceAddr(c.Address, c.Provider), "action": hookAction(c), "provider": c.Provider, "key": c.Key}
	if !c.Amount.IsZero() {
		f["amount"], f["currency"] = c.Amount.String(), c.Currency
	}
	return f
}

// verbs are an item's words: doing (apply_start) and the deed (apply_complete).
func verbs(c *planner.Change) (doing, deed string) {
	switch c.Action {
	case planner.Create:
		switch c.Kind {
		case providers.Payout:
			return "Sending", "Send"
		case providers.DepositAddress:
			return "Taking", "Take"
		}
		return "Creating", "Creation"
	case planner.Adopt:
		return "Adopting", "Adoption"
	case planner.Restore:
		return "Restoring", "Restoration"
	case planner.Resolve:
		return "Resolving", "Resolution"
	case planner.Forget:
		return "Forgetting", "Forgetting"
	}
	return "Recording its status", "Status update"
}

func (h eventHooks) Starting(c *planner.Change) {
	doing, _ := verbs(c)
	h.e.mu.Lock()
	h.e.started[c.Address] = h.e.now()
	h.e.mu.Unlock()
	h.e.emit("apply_start", levelInfo, fmt.Sprintf("%s: %s...", c.Address, doing), map[string]any{"hook": hookFields(c)})
}

func (h eventHooks) Finished(c *planner.Change, r executor.ItemResult) {
	_, deed := verbs(c)
	now := h.e.now()
	h.e.mu.Lock()
	began, ok := h.e.started[c.Address]
	delete(h.e.started, c.Address)
	h.e.mu.Unlock()
	if !ok {
		began = now
	}
	elapsed := now.Sub(began)
	f := hookFields(c)
	f["outcome"], f["elapsed_seconds"] = r.Outcome, elapsed.Seconds()
	if r.ID != "" {
		f["id_key"], f["id_value"] = "id", r.ID
	}
	if r.Status != "" {
		f["status"] = r.Status
	}
	if r.Note != "" {
		f["note"] = r.Note
	}
	if r.Warning != "" {
		f["warning"] = r.Warning
	}
	after := elapsed.Truncate(time.Second).String()
	if r.Failed() {
		msg := r.Note
		if r.Err != nil {
			f["error"] = r.Err.Error()
			msg = r.Err.Error()
		}
		h.e.emit("apply_errored", levelInfo, fmt.Sprintf("%s: %s errored after %s", c.Address, deed, after), map[string]any{"hook": f})
		// As Terraform, the error itself is a diagnostic.
		h.e.emit("diagnostic", levelError, fmt.Sprintf("Error: %s: %s", c.Address, r.Outcome.Words()), map[string]any{"diagnostic": jsonDiagnostic{
			Severity: "error", Summary: fmt.Sprintf("%s: %s", c.Address, r.Outcome.Words()), Detail: msg, Address: c.Address}})
		return
	}
	id := ""
	if r.ID != "" {
		id = " [id=" + r.ID + "]"
	}
	h.e.emit("apply_complete", levelInfo, fmt.Sprintf("%s: %s complete after %s%s", c.Address, deed, after, id), map[string]any{"hook": f})
	if r.Warning != "" {
		h.e.emit("diagnostic", levelWarn, fmt.Sprintf("Warning: %s: check it", c.Address), map[string]any{"diagnostic": jsonDiagnostic{
			Severity: "warning", Summary: fmt.Sprintf("%s: check it", c.Address), Detail: r.Warning, Address: c.Address}})
	}
}

// applyResult writes apply's change_summary.
func (e *events) applyResult(res *executor.Result, head state.Head) {
	if res == nil {
		return
	}
	c := res.Counts
	counts := changeCounts{Add: c[state.OutcomeCreated], Import: c[state.OutcomeAdopted] + c[state.OutcomeRestored],
		Change: c[state.OutcomeRefreshed], Remove: c[state.OutcomeForgotten], Operation: "apply"}
	msg := "Apply complete! " + counts.String()
	if len(res.Failures) > 0 || res.Interrupted {
		msg = fmt.Sprintf("Apply finished with problems! %s %d failed, %d not started.", counts, len(res.Failures), res.NotStarted)
	}
	f := map[string]any{"changes": counts, "outcomes": res.Counts, "failures": len(res.Failures), "not_started": res.NotStarted, "interrupted": res.Interrupted}
	if head.Seq > 0 {
		f["journal_head"] = head.String()
	}
	e.emit("change_summary", levelInfo, msg, f)
}

// statuses writes what a refresh learned: one callback event per status
// taken in from the inbox, one callback_apart per inbox item kept apart,
// then one statuses event with the tally and what could not be read.
func (e *events) statuses(v *refreshView, p *planner.Plan) {
	if v == nil {
		return
	}
	if f := v.folded; f != nil {
		for _, c := range append(append([]executor.StatusChange(nil), f.Settled...), f.Recorded...) {
			ev := map[string]any{"address": c.Address, "provider": c.Provider, "kind": c.Kind, "key": c.Key, "id": c.ID,
				"before": c.Before, "after": c.After, "raw_after": c.RawAfter, "outcome": c.Outcome, "via": c.Via,
				"inbox": c.Inbox, "received_at": c.ReceivedAt.UTC().Format(time.RFC3339Nano)}
			if !c.Amount.IsZero() {
				ev["amount"], ev["currency"] = c.Amount.String(), c.Currency
			}
			if c.Note != "" {
				ev["note"] = c.Note
			}
			e.emit("callback", levelInfo, fmt.Sprintf("%s: status %s -> %s (callback %d)", c.Address, c.Before, c.After, c.Inbox), ev)
		}
		for _, ap := range f.Apart {
			e.emit("callback_apart", levelInfo, fmt.Sprintf("Callback %d kept apart: %s", ap.Inbox, ap.Why), map[string]any{"inbox": ap.Inbox, "gateway": ap.Gateway, "provider": ap.Provider, "callback": ap.What,
				"address": ap.Address, "why": ap.Why, "attention": ap.Attention, "verified": ap.Verified})
		}
	}
	rows := []map[string]any{}
	for _, row := range v.tally {
		amounts := map[string]string{}
		for _, am := range row.Amounts {
			amounts[am.Currency] = am.Amount.String()
		}
		rows = append(rows, map[string]any{"kind": row.Kind, "status": row.Status, "count": row.Count, "amounts": amounts})
	}
	unreadable := []map[string]any{}
	notRead := []map[string]any{}
	if v.report != nil {
		for _, u := range v.report.Unreadable {
			unreadable = append(unreadable, map[string]any{"address": u.Address, "provider": u.Provider, "kind": u.Kind, "status": u.Status, "why": u.Why})
		}
		for _, u := range v.report.NotRead {
			notRead = append(notRead, map[string]any{"address": u.Address, "provider": u.Provider, "kind": u.Kind, "status": u.Status, "why": u.Why})
		}
	}
	f := map[string]any{"tally": rows, "unreadable": unreadable, "not_read": notRead, "taken_in": v.taken(), "drift": len(p.Drift)}
	msg := fmt.Sprintf("Statuses: %d taken in from callbacks, %d changed", v.taken(), len(p.Drift))
	if v.report != nil {
		f["asked"], f["read"] = v.report.Asked, v.report.Read
		msg = fmt.Sprintf("Statuses: %d of %d read from the gateways, %d taken in from callbacks, %d changed", v.report.Read, v.report.Asked, v.taken(), len(p.Drift))
	}
	e.emit("statuses", levelInfo, msg, f)
}

package cmd

import (
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/payform/payform/executor"
	"github.com/payform/payform/planner"
	"github.com/payform/payform/state"
)

// events writes one JSON object per line for pipelines (`plan --json`,
// `apply --json`): start, policy, funding, planned, drift, diagnostic, one event per item
// apply finishes (sent, adopted, restored, forgotten, refreshed, failed,
// not_sent, in_doubt, unknown) and summary. Every event has "type" and
// "at"; docs/json-format.md lists the rest.
type events struct {
	mu  sync.Mutex
	w   io.Writer
	enc *json.Encoder
	now func() time.Time
}

func newEvents(w io.Writer, now func() time.Time) *events {
	return &events{w: w, enc: json.NewEncoder(w), now: now}
}

func (e *events) emit(typ string, fields map[string]any) {
	fields["type"] = typ
	fields["at"] = e.now().UTC().Format(time.RFC3339Nano)
	e.mu.Lock()
	defer e.mu.Unlock()
	_ = e.enc.Encode(fields)
}

func (e *events) start(command string, extra map[string]any) {
	f := map[string]any{"command": command, "payform_version": Version, "format_version": JSONFormatVersion}
	for k, v := range extra {
		f[k] = v
	}
	e.emit("start", f)
}

func (e *events) plan(p *planner.Plan) {
	if p.Policy != nil {
		e.emit("policy", map[string]any{"policy": toJSONPolicy(p.Policy)})
	}
	if p.Funding != nil {
		e.emit("funding", map[string]any{"funding": p.Funding})
	}
	for _, c := range p.Changes {
		e.emit("planned", map[string]any{"change": toJSONChange(c)})
	}
	for _, d := range p.Drift {
		e.emit("drift", map[string]any{"drift": d})
	}
	e.emit("summary", map[string]any{"plan_id": p.PlanID, "summary": p.Summary, "changes": p.HasChanges()})
}

func (e *events) diagnostics(diags hcl.Diagnostics) {
	for _, d := range diags {
		f := map[string]any{"severity": severity(d.Severity), "summary": d.Summary, "detail": d.Detail}
		if d.Subject != nil {
			f["range"] = map[string]any{"filename": d.Subject.Filename, "line": d.Subject.Start.Line, "column": d.Subject.Start.Column}
		}
		e.emit("diagnostic", f)
	}
}

func severity(s hcl.DiagnosticSeverity) string {
	if s == hcl.DiagWarning {
		return "warning"
	}
	return "error"
}

// eventHooks reports apply's items as events.
type eventHooks struct{ e *events }

var _ executor.Hooks = eventHooks{}

func (h eventHooks) Started(total int) { h.e.emit("apply_started", map[string]any{"items": total}) }

func (h eventHooks) Finished(c *planner.Change, r executor.ItemResult) {
	typ := r.Outcome.Event()
	if c.Kind == "deposit_address" && typ == "sent" {
		typ = "taken"
	}
	f := map[string]any{"address": c.Address, "action": string(c.Action), "provider": c.Provider, "key": c.Key, "outcome": r.Outcome}
	if !c.Amount.IsZero() {
		f["amount"], f["currency"] = c.Amount.String(), c.Currency
	}
	if r.ID != "" {
		f["id"] = r.ID
	}
	if r.Status != "" {
		f["status"] = r.Status
	}
	if r.Err != nil {
		f["error"] = r.Err.Error()
	}
	if r.Note != "" {
		f["note"] = r.Note
	}
	if r.Warning != "" {
		f["warning"] = r.Warning
	}
	h.e.emit(typ, f)
}

func (e *events) applyResult(res *executor.Result, head state.Head) {
	if res == nil {
		return
	}
	f := map[string]any{"outcomes": res.Counts, "failures": len(res.Failures), "not_started": res.NotStarted, "interrupted": res.Interrupted}
	if head.Seq > 0 {
		f["journal_head"] = head.String()
	}
	e.emit("summary", f)
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
			e.emit("callback", ev)
		}
		for _, ap := range f.Apart {
			e.emit("callback_apart", map[string]any{"inbox": ap.Inbox, "gateway": ap.Gateway, "provider": ap.Provider, "callback": ap.What,
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
	if v.report != nil {
		f["asked"], f["read"] = v.report.Asked, v.report.Read
	}
	e.emit("statuses", f)
}

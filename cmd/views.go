package cmd

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/payform/payform/executor"
	"github.com/payform/payform/internal/shell"
	"github.com/payform/payform/planner"
	"github.com/payform/payform/state"
)

// view is how plan, apply and refresh show what they do, chosen once per
// command from its flags (newView): the terminal (humanView), one JSON
// event per line (jsonView, --json), or plan's pull-request comment
// (markdownView, --markdown). The commands call it; none of them asks
// which one it is.
type view interface {
	// diagnostics shows configuration, plan and funding diagnostics.
	diagnostics(files map[string]*hcl.File, diags hcl.Diagnostics)
	// refreshHooks is what a refresh reports each gateway read to,
	// given the terminal's progress line; nil reports nothing.
	refreshHooks(prog *progress) executor.Hooks
	// applyHooks is what apply reports each item to.
	applyHooks(prog *progress) executor.Hooks
	// plan shows a plan just made, after what its refresh learned.
	plan(p *planner.Plan)
	// saved says that plan --out saved p to path.
	saved(p *planner.Plan, path string)
	// applying shows a saved plan, made again, about to run (apply
	// PLANFILE), with the approvals that counted.
	applying(p *planner.Plan, approvals []state.Approval)
	// applied shows apply's result and the journal's new head.
	applied(res *executor.Result, head state.Head)
	// refreshed shows refresh's result: the tally and what was
	// recorded (res is nil when no status changed).
	refreshed(p *planner.Plan, res *executor.Result, head state.Head)
}

// newView chooses a command's view once: JSON events when asJSON (the
// first, a version event, written now), the markdown comment when
// markdown, else the terminal.
func (a *app) newView(command string, asJSON, markdown bool, extra map[string]any) view {
	switch {
	case asJSON:
		e := newEvents(a.ios.Out, a.now)
		e.start(command, extra)
		return jsonView{a: a, e: e}
	case markdown:
		return markdownView{humanView{a}}
	}
	return humanView{a}
}

// humanView renders for a person at a terminal: the money on stdout,
// diagnostics and progress on stderr.
type humanView struct{ a *app }

var _ view = humanView{}

func (v humanView) diagnostics(files map[string]*hcl.File, diags hcl.Diagnostics) {
	v.a.renderDiags(files, diags)
}

func (v humanView) refreshHooks(prog *progress) executor.Hooks { return prog }

func (v humanView) applyHooks(prog *progress) executor.Hooks { return prog }

func (v humanView) plan(p *planner.Plan) { v.a.renderPlan(v.a.ios.Out, p) }

func (v humanView) saved(p *planner.Plan, path string) {
	fmt.Fprintf(v.a.ios.Out, "\nSaved the plan to %s (plan %s, valid until %s).\nTo apply exactly this plan: payform apply %s\n",
		path, p.PlanID, formatTime(p.ExpiresAt), shell.Quote(path))
}

func (v humanView) applying(p *planner.Plan, approvals []state.Approval) {
	a := v.a
	a.renderStatuses(a.ios.Out, p) // what the inbox and the gateways told since the plan was made
	fmt.Fprintf(a.ios.Out, "Applying plan %s: %d to create, %d to adopt, %d to restore, %d to resolve, %d to forget, %d status changes.\n",
		p.PlanID, p.Summary.Create, p.Summary.Adopt, p.Summary.Restore, p.Summary.Resolve, p.Summary.Forget, p.Summary.Drift)
	renderApproved(a.ios.Out, approvals)
}

func (v humanView) applied(res *executor.Result, head state.Head) {
	a := v.a
	a.renderApplyResult(a.ios.Out, res)
	if head.Seq > 0 {
		fmt.Fprintf(a.ios.Out, "Journal head: %s (keep it outside the state; payform audit verify --head %s proves the history still reaches it).\n", head, head)
	}
}

func (v humanView) refreshed(p *planner.Plan, res *executor.Result, _ state.Head) {
	a, w := v.a, v.a.ios.Out
	if !a.renderStatuses(w, p) {
		fmt.Fprintln(w, "Nothing to refresh: the state holds no payout or invoice whose status may still change.")
		return
	}
	recorded := 0
	if res != nil {
		recorded = res.Counts[state.OutcomeRefreshed]
	}
	fmt.Fprintf(w, "%s %d %s taken in from callbacks, %d read from the gateways and recorded.\n",
		a.ios.Paint(bold, "Refresh:"), a.refresh.taken(), plural(a.refresh.taken(), "status", "statuses"), recorded)
}

// markdownView is plan --markdown: the plan as a pull-request comment on
// stdout, the rest as on the terminal.
type markdownView struct{ humanView }

func (v markdownView) plan(p *planner.Plan) { renderMarkdown(v.a.ios.Out, p) }

func (v markdownView) saved(*planner.Plan, string) {}

// jsonView writes one JSON event per line (docs/json-format.md) and no
// progress.
type jsonView struct {
	a *app
	e *events
}

var _ view = jsonView{}

func (v jsonView) diagnostics(files map[string]*hcl.File, diags hcl.Diagnostics) {
	v.e.diagnostics(files, diags)
}

func (v jsonView) refreshHooks(*progress) executor.Hooks { return nil }

func (v jsonView) applyHooks(*progress) executor.Hooks { return eventHooks{v.e} }

func (v jsonView) plan(p *planner.Plan) {
	v.e.statuses(v.a.refresh, p)
	v.e.plan(p)
}

func (v jsonView) saved(*planner.Plan, string) {}

func (v jsonView) applying(p *planner.Plan, _ []state.Approval) { v.e.statuses(v.a.refresh, p) }

func (v jsonView) applied(res *executor.Result, head state.Head) { v.e.applyResult(res, head) }

func (v jsonView) refreshed(p *planner.Plan, res *executor.Result, head state.Head) {
	v.e.statuses(v.a.refresh, p)
	v.e.applyResult(res, head)
}

package cmd

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"github.com/payform/payform/planner"
	"github.com/payform/payform/state"
)

// planFlags are shared by plan and apply.
type planFlags struct {
	vars        varFlags
	refresh     bool
	refreshOnly bool
	targets     []string
	parallelism int
	lockTimeout time.Duration
	json        bool
}

func (f *planFlags) register(cmd *cobra.Command) {
	f.vars.register(cmd.Flags())
	cmd.Flags().BoolVar(&f.refresh, "refresh", true, "take the callback inbox in, and ask the gateways for statuses and existing keys, before planning")
	cmd.Flags().BoolVar(&f.refreshOnly, "refresh-only", false, "plan only the statuses the gateways report: no create, adopt, restore, resolve or forget")
	cmd.Flags().StringArrayVar(&f.targets, "target", nil, "plan only this instance, or every instance of a block (`ADDR`; repeatable)")
	cmd.Flags().IntVar(&f.parallelism, "parallelism", 10, "gateway calls in flight at once")
	cmd.Flags().DurationVar(&f.lockTimeout, "lock-timeout", 0, "wait this long for the state lock (e.g. 30s)")
	cmd.Flags().BoolVar(&f.json, "json", false, "print one JSON event per line instead of the human rendering (docs/json-format.md)")
}

type planOptions struct {
	planFlags
	out              string
	detailedExitcode bool
	ttl              time.Duration
	markdown         bool
}

func newPlanCmd(a *app, runF func(*planOptions) error) *cobra.Command {
	opts := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show the money diff: what apply would send, adopt, resolve and forget",
		Long: `Compare the configuration with the state and the gateways and show what apply
would do, with the money per currency and provider. plan never calls a gateway's
create endpoint. The one thing it records in the state is what the gateways'
verified callbacks told (payform callback serve keeps them in the inbox): plan
takes the inbox in first, then reads the other statuses from the gateways, in
parallel, with progress on stderr. Ctrl-C or SIGTERM stops it with exit 130,
and no plan file is written.

With --out FILE the plan is saved; "payform apply FILE" then runs exactly it, and
refuses it if anything changed in between.

Exit codes: 0 success (with --detailed-exitcode: no changes); 1 error;
2 changes present, statuses taken in from callbacks, callbacks kept apart
that need a look, or items waiting for an operator (payform state resolve),
with --detailed-exitcode; 130 interrupted.`,
		Example: `  payform plan
  payform plan --out november.plan --var month=2026-11
  payform plan --detailed-exitcode   # in CI: exit 2 when there is something to apply
  payform plan --out pr.plan --markdown > comment.md
  payform plan --json | jq 'select(.type == "planned_change") | .change'
  payform plan --target 'payout.vendor["acme"]' --refresh-only`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.json && opts.markdown {
				return fmt.Errorf("--json and --markdown are two renderings; choose one")
			}
			if runF != nil {
				return runF(opts)
			}
			return runPlan(cmd.Context(), a, opts)
		},
	}
	opts.planFlags.register(cmd)
	cmd.Flags().StringVar(&opts.out, "out", "", "save the plan to `FILE` for apply")
	cmd.Flags().BoolVar(&opts.detailedExitcode, "detailed-exitcode", false, "exit 2 when there are changes or items waiting for an operator, 0 when there are none")
	cmd.Flags().DurationVar(&opts.ttl, "ttl", planner.DefaultTTL, "how long a saved plan may be applied")
	cmd.Flags().BoolVar(&opts.markdown, "markdown", false, "print the plan as a pull-request comment (money first, details collapsed, under 60,000 characters)")
	return cmd
}

func runPlan(ctx context.Context, a *app, opts *planOptions) error {
	v := a.newView("plan", opts.json, opts.markdown, nil)
	ws, err := a.loadWorkspace(ctx, v, opts.vars, "plan", opts.lockTimeout)
	if err != nil {
		return err
	}
	defer ws.Close()
	store := ws.store
	limitMemory(len(ws.cfg.Resources) + store.State().Len())
	if opts.out != "" && store.State().Lineage == "" {
		// A saved plan is bound to the state it was made against: give a
		// new workspace its lineage now, so that the plan can be applied
		// to this workspace and no other.
		if err := store.Init(ctx); err != nil {
			return err
		}
	}
	p, err := a.makePlan(ctx, ws, opts.planFlags, planShape{ttl: opts.ttl, targets: opts.targets, refreshOnly: opts.refreshOnly})
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err() // interrupted: no plan file
	}
	if opts.out != "" {
		if err := a.savePlan(ctx, store, p, opts.out); err != nil {
			return err
		}
	}
	v.plan(p)
	if opts.out != "" {
		v.saved(p, opts.out)
	}
	if err := ws.Close(); err != nil {
		return err
	}
	if opts.detailedExitcode && (p.HasChanges() || p.Summary.Unknown > 0 || a.refresh.taken() > 0 || a.refresh.attention() > 0) {
		// Items waiting for an operator are a difference between the
		// configuration and the gateways too: a CI gate must see them;
		// so are statuses just taken in from callbacks (a payout failed)
		// and callbacks a person must look at.
		return withCode(exitChanges)
	}
	return nil
}

// planMemory is the soft limit plan gives the Go heap once the
// configuration and the state are loaded, unless GOMEMLIMIT sets one:
// planMemoryPer for each declared resource and each record, and at least
// planMemory. A plan's model (the declarations, the records and the
// changes, about 1 KB a payout) stays live until the plan is saved and
// rendered, and the collector's default pacing (GOGC=100) lets the heap
// grow to twice what is live: 1.8 GB for a million payouts, where DESIGN
// §12 budgets 1.5 GiB. Near the limit the collector runs sooner; the
// limit is soft, so a plan that needs more takes it.
const (
	planMemory    = 1400 << 20
	planMemoryPer = 1500
)

// limitMemory sets the heap's soft limit for a plan of n resources and
// records.
func limitMemory(n int) {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(max(planMemory, int64(n)*planMemoryPer))
	}
}

// savePlan writes a plan file, after recording it beside the state: apply
// refuses a plan file that does not match the record.
func (a *app) savePlan(ctx context.Context, store *state.Store, p *planner.Plan, path string) error {
	key, err := a.auditKey()
	if err != nil {
		return err
	}
	data, err := planner.Encode(p, key)
	if err != nil {
		return fmt.Errorf("saving the plan: %w", err)
	}
	err = store.RecordPlan(ctx, state.PlanRecord{
		PlanID: p.PlanID, Digest: p.Digest, Author: p.Author, CreatedAt: p.CreatedAt, ExpiresAt: p.ExpiresAt,
		Lineage: p.StateLineage, Serial: p.StateSerial, JournalSeq: p.StateJournalSeq,
	})
	if err != nil {
		return fmt.Errorf("recording the plan: %w", err)
	}
	if err := state.WriteFileAtomic(path, data); err != nil {
		return fmt.Errorf("saving the plan: %w", err)
	}
	return nil
}

// planShape is what a plan is made with beyond the configuration and the
// state: a new plan's ttl, targets and refresh-only, or, when a plan file
// is re-derived, the file's plan id, times and author as well.
type planShape struct {
	ttl         time.Duration
	targets     []string
	refreshOnly bool
	planID      string
	now         time.Time
	author      string
}

// makePlan checks credentials, opens the providers into the workspace,
// refreshes, plans and checks the balances of the accounts the plan pays
// out of.
func (a *app) makePlan(ctx context.Context, ws *workspace, f planFlags, shape planShape) (*planner.Plan, error) {
	cfg, store := ws.cfg, ws.store
	if err := a.openProviders(ws); err != nil {
		return nil, err
	}
	provs := ws.provs
	obs := &planner.Observed{}
	a.refresh = nil
	if f.refresh {
		view, err := a.takeIn(ctx, ws, f, shape.targets)
		if err != nil {
			return nil, err // Ctrl-C: context.Canceled, exit 130, no plan
		}
		obs, a.refresh = view.obs, view
	}
	vars, err := planner.Variables(cfg)
	if err != nil {
		return nil, err
	}
	opts := planner.Options{
		PlanID: shape.planID, Version: Version, Now: shape.now, TTL: shape.ttl, Variables: vars,
		Targets: shape.targets, RefreshOnly: shape.refreshOnly, Author: shape.author,
	}
	if opts.PlanID == "" {
		opts.PlanID, opts.Now, opts.Author = state.NewID(), a.now(), store.Actor()
	}
	p, diags := planner.MakePlan(cfg, store.State(), obs, opts)
	ws.view.diagnostics(cfg.Files, diags)
	if diags.HasErrors() {
		return nil, silent
	}
	if f.refresh {
		// A plan the accounts cannot fund is refused before anything is
		// sent; apply PLANFILE reads the balances again.
		if p.Funding = checkFunding(ctx, cfg, provs, p); p.Funding != nil {
			ws.view.diagnostics(cfg.Files, p.Funding.Diagnostics)
			if p.Funding.Diagnostics.HasErrors() {
				return nil, silent
			}
		}
	}
	p.Warnings = planner.WarningsOf(cfg.Warnings, diags)
	if p.Funding != nil {
		p.Warnings = append(p.Warnings, planner.WarningsOf(p.Funding.Diagnostics)...)
	}
	return p, nil
}

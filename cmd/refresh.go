package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/payform/payform/executor"
	"github.com/payform/payform/planner"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// refreshView is what a command's refresh learned: the callbacks it took
// in, what the gateways reported, what could not be read, and the tally
// that follows. The renderings read it (render_status.go).
type refreshView struct {
	st      *state.State
	obs     *planner.Observed
	folded  *executor.Folded // nil when the backend keeps no inbox
	report  *executor.RefreshReport
	tally   []executor.TallyRow
	targets []string
	// seen is when the inbox last took in a callback from each gateway
	// account (only read when some statuses cannot be read back).
	seen map[string]time.Time
	cfg  *schema.Config
}

// taken counts the statuses this run took in from callbacks.
func (v *refreshView) taken() int {
	if v == nil || v.folded == nil {
		return 0
	}
	return len(v.folded.Recorded) + len(v.folded.Settled)
}

// attention counts the callbacks kept apart that a person must look at.
func (v *refreshView) attention() int {
	if v == nil || v.folded == nil {
		return 0
	}
	n := 0
	for _, ap := range v.folded.Apart {
		if ap.Attention {
			n++
		}
	}
	return n
}

// unreadable counts the records whose status the gateways cannot read.
func (v *refreshView) unreadable() int {
	if v == nil || v.report == nil {
		return 0
	}
	return len(v.report.Unreadable)
}

// takeIn is a plan's refresh: it takes the callback inbox into the
// state (journaled, under the lock the command holds), then reads from
// the gateways, in parallel with progress on stderr, the statuses of the
// records the callbacks did not settle, and looks up the keys never
// sent. Ctrl-C or SIGTERM returns the context's error: the caller makes
// no plan of a refresh cut short.
func (a *app) takeIn(ctx context.Context, ws *workspace, f planFlags, targets []string) (*refreshView, error) {
	cfg, store, provs := ws.cfg, ws.store, ws.provs
	v := &refreshView{targets: targets, cfg: cfg}
	box, err := inboxOf(store.Backend(), false)
	if err == nil {
		defer box.Close()
		v.folded, err = executor.Fold(ctx, store, box, cfg)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			return nil, fmt.Errorf("taking the callback inbox in: %w", err)
		}
	}
	prog := a.newProgress()
	prog.verb = "refresh"
	hooks := ws.view.refreshHooks(prog)
	obs, rep, diags := executor.RefreshWith(ctx, cfg, store.State(), provs, executor.RefreshOptions{Parallelism: f.parallelism, Targets: targets, Hooks: hooks})
	prog.finish()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	ws.view.diagnostics(cfg.Files, diags)
	if diags.HasErrors() {
		return nil, silent
	}
	v.st, v.obs, v.report = store.State(), obs, rep
	v.tally = executor.Tally(store.State(), obs, targets)
	if len(rep.Unreadable) > 0 && box != nil {
		if seen, err := accountsSeen(ctx, box); err == nil {
			v.seen = seen
		}
	}
	return v, nil
}

type refreshOptions struct {
	planFlags
}

func newRefreshCmd(a *app, runF func(*refreshOptions) error) *cobra.Command {
	opts := &refreshOptions{}
	cmd := &cobra.Command{
		Use:   "refresh",
		Short: "Record every status the callbacks and the gateways report, and tally them",
		Long: `Take the callback inbox into the state (payform callback serve keeps it), read
from the gateways the statuses of everything not final — in parallel, within
each gateway account's rate limits, with progress on stderr — record what
changed in the state, and end with a tally by status with amounts, what failed
or was cancelled first. It is apply --refresh-only --auto-approve: nothing is
sent, adopted or forgotten.

A status payform cannot learn at all (a WllxPay payout without v2_lookup whose
account never sent a callback) is said so, never counted as up to date.

Exit codes: 0 success; 1 error; 130 interrupted (nothing read after Ctrl-C is
recorded).`,
		Example: `  payform refresh
  payform refresh --target payout.vendor --parallelism 20
  payform refresh --json | jq 'select(.type == "statuses")'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runRefresh(cmd.Context(), a, opts)
		},
	}
	opts.planFlags.register(cmd)
	cmd.Flags().Lookup("refresh").Hidden = true
	cmd.Flags().Lookup("refresh-only").Hidden = true
	return cmd
}

func runRefresh(ctx context.Context, a *app, opts *refreshOptions) error {
	v := a.newView("refresh", opts.json, false, nil)
	ws, err := a.loadWorkspace(ctx, v, opts.vars, "refresh", opts.lockTimeout)
	if err != nil {
		return err
	}
	defer ws.Close()
	store := ws.store
	f := opts.planFlags
	f.refresh = true
	p, err := a.makePlan(ctx, ws, f, planShape{targets: opts.targets, refreshOnly: true})
	if err != nil {
		return err
	}
	var res *executor.Result
	if len(p.Drift) > 0 {
		x := &executor.Executor{Store: store, Providers: ws.provs, Parallelism: opts.parallelism, Now: a.now, Failpoints: a.failpoints}
		res, err = x.Apply(ctx, p)
		if err != nil {
			return fmt.Errorf("recording the statuses: %w", err)
		}
	}
	if err := store.Close(); err != nil {
		return err
	}
	v.refreshed(p, res, store.Head())
	return nil
}

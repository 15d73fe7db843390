package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/payform/payform/executor"
	"github.com/payform/payform/planner"
	"github.com/payform/payform/state"
)

type applyOptions struct {
	planFlags
	autoApprove bool
	planFile    string
	approvals   []string
}

func newApplyCmd(a *app, runF func(*applyOptions) error) *cobra.Command {
	opts := &applyOptions{}
	cmd := &cobra.Command{
		Use:   "apply [PLANFILE]",
		Short: "Make the calls: send, adopt, resolve and forget, each exactly once",
		Long: `Without PLANFILE, apply makes a plan, shows it, asks for "yes" (unless
--auto-approve) and runs it. With PLANFILE (from "payform plan --out"), it runs
exactly that plan after checking that the state, the configuration and the
variables are still what the plan was made from, that it has not expired and
that it was never applied.

Every create is journaled before the call and its outcome after it; an
interrupted or failed apply is settled by the next one, never by sending twice.
Ctrl-C stops new work, lets calls under way finish and records them.

When the configuration's policies ask for approvals, apply runs only a saved plan
whose signatures suffice: PLANFILE.*.sig beside it (payform approve, or
ssh-keygen -Y sign -n payform) and --approval files, counted per policy against
its allowed_signers, the plan's author left out. The approvals that counted are
journaled with the plan. apply without PLANFILE refuses such a plan.

Exit codes: 0 success; 1 error, refused or failed items, missing approvals; 130 interrupted.`,
		Example: `  payform apply
  payform apply --auto-approve --parallelism 20
  payform plan --out november.plan && payform apply november.plan
  payform apply november.plan --json > apply.jsonl
  payform apply november.plan --approval ~/Downloads/november.plan.alice.sig
  payform apply --refresh-only --auto-approve`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.planFile = args[0]
			}
			if opts.json && opts.planFile == "" && !opts.autoApprove {
				return fmt.Errorf("--json cannot ask for confirmation: add --auto-approve, or apply a saved plan")
			}
			if runF != nil {
				return runF(opts)
			}
			return runApply(cmd.Context(), a, opts)
		},
	}
	opts.planFlags.register(cmd)
	cmd.Flags().BoolVar(&opts.autoApprove, "auto-approve", false, "do not ask for confirmation")
	cmd.Flags().StringArrayVar(&opts.approvals, "approval", nil, "an approval of PLANFILE kept elsewhere than beside it (`FILE`; repeatable)")
	return cmd
}

func runApply(ctx context.Context, a *app, opts *applyOptions) error {
	v := a.newView("apply", opts.json, false, map[string]any{"plan_file": opts.planFile})
	ws, err := a.loadWorkspace(ctx, v, opts.vars, "apply", opts.lockTimeout)
	if err != nil {
		return err
	}
	defer ws.Close()
	store := ws.store

	var p *planner.Plan
	var approvals []state.Approval
	if opts.planFile != "" {
		if len(opts.targets) > 0 || opts.refreshOnly {
			return fmt.Errorf("--target and --refresh-only shape a plan; give them to payform plan, not to apply PLANFILE")
		}
		p, approvals, err = a.rederive(ctx, ws, opts)
		if err != nil {
			return err
		}
		v.applying(p, approvals)
	} else {
		if len(opts.approvals) > 0 {
			return fmt.Errorf("--approval names an approval of a saved plan: give the plan file too (payform apply PLANFILE --approval FILE)")
		}
		p, err = a.makePlan(ctx, ws, opts.planFlags, planShape{targets: opts.targets, refreshOnly: opts.refreshOnly})
		if err != nil {
			return err
		}
		v.plan(p)
		if len(p.Approvals()) > 0 {
			return approvalsForUnsavedPlan(p)
		}
		if !p.HasChanges() {
			if err := ws.Close(); err != nil {
				return err
			}
			return waitingForOperator(p)
		}
		if !opts.autoApprove {
			a.restateMoney(a.ios.Out, p)
			if ok, err := a.confirm(ctx); !ok {
				if err != nil {
					// Ctrl-C at the prompt: nothing was sent, the lock is
					// released on the way out.
					return &exitErr{code: exitInterrupted, err: errors.New("apply cancelled (interrupted at the prompt): nothing was sent")}
				}
				return &exitErr{code: exitError, err: errors.New("apply cancelled")}
			}
		}
	}

	prog := a.newProgress()
	prog.countCalls(p)
	x := &executor.Executor{Store: store, Providers: ws.provs, Parallelism: opts.parallelism, Hooks: v.applyHooks(prog), Now: a.now, Failpoints: a.failpoints, Approvals: approvals}
	res, err := x.Apply(ctx, p)
	prog.finish()
	if cerr := store.Close(); err == nil {
		err = cerr
	}
	v.applied(res, store.Head())
	switch {
	case err != nil:
		return fmt.Errorf("apply stopped: %w; run payform apply again to settle what was under way", err)
	case res.Interrupted:
		a.ios.Errorf("interrupted: %d %s not started; calls under way were finished and recorded", res.NotStarted, plural(res.NotStarted, "change", "changes"))
		return withCode(exitInterrupted)
	case len(res.Failures) > 0:
		return silent
	}
	return waitingForOperator(p)
}

// rederive reads a plan file and makes the plan again from the
// configuration, the state and the gateways as they are now, with the
// file's plan id, times, targets and author. What was reviewed is what
// runs: a plan file is a commitment to be checked, never an instruction
// to be trusted, so the file is refused when it is stale (CheckStale),
// when its changes, their verdicts or their summary differ in any way
// from the plan made now (the first difference is named), when its
// digest (or, with the audit key, its mac) does not match its content,
// when the accounts cannot fund it now, or when its policies ask for
// approvals and the signatures over the file's bytes (beside it, or
// --approval) do not suffice. It returns the plan made now, which is what
// apply runs, and the approvals that counted, for the journal.
func (a *app) rederive(ctx context.Context, ws *workspace, opts *applyOptions) (*planner.Plan, []state.Approval, error) {
	p, data, err := a.rederivePlan(ctx, ws, opts)
	if err != nil {
		return nil, nil, err
	}
	reqs := p.Approvals()
	if len(reqs) == 0 {
		return p, nil, nil
	}
	// The requirements are the configuration's (its allowed_signers), and
	// the author the plan file's, which checkRecord found to be the one
	// payform recorded when it wrote the file (backends record plans).
	checks, err := verifyApprovals(opts.planFile, data, reqs, opts.approvals, p.Author, a.now())
	if err != nil {
		return nil, nil, err
	}
	for _, c := range checks {
		if !c.Report.OK() {
			return nil, nil, approvalsMissing(p, opts.planFile, checks)
		}
	}
	return p, journaledApprovals(checks), nil
}

// rederivePlan is rederive but for the approvals; it returns the plan
// file's bytes too.
func (a *app) rederivePlan(ctx context.Context, ws *workspace, opts *applyOptions) (*planner.Plan, []byte, error) {
	cfg, store := ws.cfg, ws.store
	key, err := a.auditKey()
	if err != nil {
		return nil, nil, err
	}
	file, data, err := planner.ReadFileBytes(opts.planFile, key)
	var altered *planner.AlteredError
	if errors.As(err, &altered) {
		file = altered.Plan
	} else if err != nil {
		return nil, nil, err
	}
	if err := planner.CheckStale(file, store.State(), cfg, a.now()); err != nil {
		return nil, nil, err
	}
	p, err := a.makePlan(ctx, ws, opts.planFlags, planShape{
		planID: file.PlanID, now: file.CreatedAt, ttl: file.ExpiresAt.Sub(file.CreatedAt),
		targets: file.Targets, refreshOnly: file.RefreshOnly, author: file.Author,
	})
	if err != nil {
		return nil, nil, err
	}
	if diff := planner.Compare(file, p); diff != "" {
		return nil, nil, &planner.StaleError{Reason: "it is not the plan the configuration and the state give now",
			Detail: diff + ". The plan file was edited after it was made, or the gateways now hold an object the plan would create. Run `payform plan --out FILE` again, review it, and apply the new plan."}
	}
	if err := checkRecord(ctx, store, file); err != nil {
		return nil, nil, err
	}
	if altered != nil {
		return nil, nil, altered
	}
	if diags := cfg.CheckCredentials(); diags.HasErrors() {
		ws.view.diagnostics(cfg.Files, diags)
		return nil, nil, silent
	}
	return p, data, nil
}

// checkRecord refuses a plan file that does not match what payform
// recorded when it wrote it (its digest, times and author), where the
// backend keeps plan records: what no re-derivation can check (when the
// plan was made and expires, who made it, its targets) is bound there.
func checkRecord(ctx context.Context, store *state.Store, file *planner.Plan) error {
	pr, ok := store.Backend().(state.PlanRecorder)
	if !ok {
		return nil
	}
	rec, err := pr.PlanRecord(ctx, file.PlanID)
	if err != nil {
		return err
	}
	const again = " Run `payform plan --out FILE` again, review it, and apply the new plan."
	if rec == nil {
		return &planner.StaleError{Reason: "payform has no record of making it",
			Detail: fmt.Sprintf("The state (%s) records every plan file it writes, and plan %s is not among them: it was made against another copy of the state, or its record was removed.%s", store.Describe(), file.PlanID, again)}
	}
	field := func(name, file, rec string) error {
		return &planner.StaleError{Reason: "the plan file was edited after payform made it",
			Detail: fmt.Sprintf("Its %s is %s, but payform recorded %s when it wrote it.%s", name, file, rec, again)}
	}
	switch {
	case !file.CreatedAt.Equal(rec.CreatedAt):
		return field("created_at", file.CreatedAt.Format(time.RFC3339Nano), rec.CreatedAt.Format(time.RFC3339Nano))
	case !file.ExpiresAt.Equal(rec.ExpiresAt):
		return field("expires_at", file.ExpiresAt.Format(time.RFC3339Nano), rec.ExpiresAt.Format(time.RFC3339Nano))
	case file.Author != rec.Author:
		return field("author", strconv.Quote(file.Author), strconv.Quote(rec.Author))
	case file.Digest != rec.Digest:
		return field("content (its digest)", file.Digest, rec.Digest)
	}
	return nil
}

// waitingForOperator makes apply fail (exit 1) while items of unknown
// outcome, which no apply settles, wait for payform state resolve: apply
// exits 0 only when every declared item is settled.
func waitingForOperator(p *planner.Plan) error {
	if n := p.Summary.Unknown; n > 0 {
		return fmt.Errorf("%d %s of unknown outcome %s for payform state resolve (see the warnings above)", n, plural(n, "item", "items"), plural(n, "waits", "wait"))
	}
	return nil
}

// confirm asks for "yes". Ctrl-C while it waits cancels at once (the
// error is ctx's): a line typed later is never taken as the answer.
func (a *app) confirm(ctx context.Context) (bool, error) {
	fmt.Fprintf(a.ios.Out, "Do you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ")
	line, err := a.ios.ReadLineContext(ctx)
	fmt.Fprintln(a.ios.Out)
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	return err == nil && strings.TrimSpace(line) == "yes", nil
}

// renderApplyResult writes the counts and every item that needs
// attention.
func (a *app) renderApplyResult(w io.Writer, res *executor.Result) {
	if res == nil {
		return
	}
	c := res.Counts
	parts := []string{
		fmt.Sprintf("%d created", c[state.OutcomeCreated]),
		fmt.Sprintf("%d adopted", c[state.OutcomeAdopted]),
		fmt.Sprintf("%d forgotten", c[state.OutcomeForgotten]),
	}
	if n := c[state.OutcomeRestored]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d restored", n))
	}
	if n := c[state.OutcomeRefreshed]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d status %s", n, plural(n, "update", "updates")))
	}
	for _, o := range []state.Outcome{state.OutcomeInDoubt, state.OutcomeNotCreated, state.OutcomeRejected, state.OutcomeUnknown} {
		if n := c[o]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, o.Words()))
		}
	}
	defer a.renderApplyWarnings(w, res.Warnings)
	if len(res.Failures) == 0 && !res.Interrupted {
		fmt.Fprintf(w, "\n%s %s.\n", a.ios.Paint(bold+green, "Apply complete:"), strings.Join(parts, ", "))
		return
	}
	fmt.Fprintf(w, "\n%s %s.\n", a.ios.Paint(bold+yellow, "Apply finished with problems:"), strings.Join(parts, ", "))
	for i, f := range res.Failures {
		if i == maxShownDiags {
			fmt.Fprintf(w, "  ... and %d more\n", len(res.Failures)-i)
			break
		}
		fmt.Fprintf(w, "  %s %s: %s: %s\n", a.ios.Paint(red, "✗"), f.Address, f.Outcome.Words(), f.Message)
	}
	if c[state.OutcomeInDoubt] > 0 || c[state.OutcomeNotCreated] > 0 {
		fmt.Fprintln(w, "Run payform apply again: items in doubt are settled by their gateway's rule, never sent twice.")
	}
	if c[state.OutcomeUnknown] > 0 {
		fmt.Fprintln(w, "Items of unknown outcome are never sent again automatically: check the gateway, then run payform state resolve.")
	}
}

// renderApplyWarnings lists items that succeeded but deserve a look.
func (a *app) renderApplyWarnings(w io.Writer, warnings []executor.Failure) {
	for i, f := range warnings {
		if i == maxShownDiags {
			fmt.Fprintf(w, "  ... and %d more warnings\n", len(warnings)-i)
			break
		}
		fmt.Fprintf(w, "  %s %s: %s\n", a.ios.Paint(yellow, "!"), f.Address, f.Message)
	}
}

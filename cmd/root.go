package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/payform/payform/internal/failpoint"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/gateways"
)

// Version is payform's version, set at build time with
// -ldflags "-X github.com/payform/payform/cmd.Version=v1.2.3".
var Version = "0.1.0-dev"

// app is what every command shares: the streams, the global flags and the
// environment. Commands read it; they do not keep state in it.
type app struct {
	ios      *IOStreams
	chdir    string
	noColor  bool
	config   string
	state    string
	env      []string
	now      func() time.Time
	gateways []providers.Gateway
	// limiters are the rate limiters of the providers openProviders
	// opened, by provider name, for progress estimates.
	limiters map[string]*providers.Limiter
	// failpoints are PAYFORM_FAILPOINT's, for tests (README): nil unless
	// it is set.
	failpoints *failpoint.Set
	// refresh is what the last plan's refresh learned (makePlan), for
	// the renderings; nil without a refresh.
	refresh *refreshView
}

// Execute runs payform with os.Args and returns the exit code.
func Execute() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, System(), os.Args[1:], os.Environ())
}

// Run runs payform with the given streams, arguments and environment, and
// returns the exit code. Tests call it directly.
func Run(ctx context.Context, ios *IOStreams, args, env []string) int {
	a := &app{ios: ios, env: env, now: time.Now, gateways: gateways.All()}
	fp, err := failpoint.Parse(envValue(env, "PAYFORM_FAILPOINT"))
	if err != nil {
		ios.Errorf("PAYFORM_FAILPOINT: %s", err)
		return exitError
	}
	a.failpoints = fp
	if off := envValue(env, "PAYFORM_TEST_CLOCK_OFFSET"); off != "" {
		// Test-only (README): payform's clock, as a machine whose clock is
		// off would have it.
		d, err := time.ParseDuration(off)
		if err != nil {
			ios.Errorf("PAYFORM_TEST_CLOCK_OFFSET: %s", err)
			return exitError
		}
		a.now = func() time.Time { return time.Now().Add(d) }
	}
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	err = root.ExecuteContext(ctx)
	return exitCode(a, err)
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "payform",
		Short: "Terraform for money: declare payouts in HCL, review the money diff, apply it once",
		Long: `payform sends payouts, takes deposit addresses and creates invoices at payment
gateways from an HCL declaration. "payform plan" shows the money diff against the
state and the gateways; "payform apply" makes the calls, each keyed by your own
merchant key (foreign_id, order_id, ...), so that nothing is ever sent twice.

Exit codes: 0 success; 1 error; 2 plan --detailed-exitcode found changes;
3 fmt --check found unformatted files; 130 interrupted.`,
		Example: `  payform --chdir examples/quickstart apply --auto-approve
  payform plan --out november.plan && payform apply november.plan
  payform sandbox serve`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			a.ios.SetColor(!a.noColor && a.ios.IsTerminal())
			// Like Terraform's -chdir: everything after it, paths in
			// messages included, is relative to DIR.
			if a.chdir != "" {
				if err := os.Chdir(a.chdir); err != nil {
					return fmt.Errorf("--chdir: %w", err)
				}
			}
			return nil
		},
	}
	root.PersistentFlags().StringVar(&a.chdir, "chdir", "", "switch to `DIR` before doing anything else")
	root.PersistentFlags().BoolVar(&a.noColor, "no-color", false, "do not color the output")
	root.PersistentFlags().StringVar(&a.config, "config", "", "read only this configuration `FILE` instead of every *.hcl in the directory")
	root.PersistentFlags().StringVar(&a.state, "state", "", "state file `PATH` (default payform.state.json, or the local backend's path)")
	root.AddCommand(
		newValidateCmd(a, nil), newFmtCmd(a, nil), newPlanCmd(a, nil), newApplyCmd(a, nil), newApproveCmd(a, nil), newShowCmd(a, nil),
		newStateCmd(a), newImportCmd(a, nil), newOutputCmd(a, nil), newCallbackCmd(a), newRefreshCmd(a, nil), newReconcileCmd(a, nil), newAuditCmd(a), newReportCmd(a, nil), newForceUnlockCmd(a, nil), newVersionCmd(a), newSandboxCmd(a),
	)
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Example = "  source <(payform completion bash)\n  payform completion zsh > \"${fpath[1]}/_payform\""
		}
	}
	return root
}

// Exit codes, decided here and nowhere else.
const (
	exitOK          = 0
	exitError       = 1
	exitChanges     = 2
	exitUnformatted = 3
	exitInterrupted = 130
)

// exitErr carries an exit code; with a nil err the message was already
// shown.
type exitErr struct {
	code int
	err  error
}

func (e *exitErr) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

// silent is an error whose message was already rendered.
var silent = &exitErr{code: exitError}

func withCode(code int) error { return &exitErr{code: code} }

func exitCode(a *app, err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitErr
	if errors.As(err, &ee) {
		if ee.err != nil {
			a.ios.Errorf("%s", ee.err)
		}
		return ee.code
	}
	if errors.Is(err, context.Canceled) {
		a.ios.Errorf("interrupted")
		return exitInterrupted
	}
	a.ios.Errorf("%s", err)
	return exitError
}

package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
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
	// warnedBackend is set once --config was checked for a backend it
	// leaves out (warnSkippedBackend).
	warnedBackend bool
}

// Execute runs payform with os.Args and returns the exit code.
func Execute() int {
	ios := System()
	ctx, stop := interrupts(ios)
	defer stop()
	return Run(ctx, ios, os.Args[1:], os.Environ())
}

// interruptNote is what a command that is a server says on Ctrl-C
// instead of the words about gateway calls (serveInterrupts).
var interruptNote atomic.Value

// serveInterrupts makes Ctrl-C say that a server stops.
func serveInterrupts(what string) {
	interruptNote.Store("payform stops " + what + " once the requests under way are answered.")
}

// interrupts is a context cancelled by the first Ctrl-C (SIGINT) or
// SIGTERM, which says at once what payform does about it, as Terraform
// does; a second one says it again rather than being silent. payform never
// abandons a call a gateway is answering: its outcome must be recorded.
func interrupts(ios *IOStreams) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		for n := 1; ; n++ {
			select {
			case <-done:
				return
			case <-sigs:
			}
			// A new line first: the terminal echoed ^C over a progress bar.
			if n == 1 {
				note := "payform is stopping: no new gateway call starts; calls already sent finish and are recorded."
				if s, ok := interruptNote.Load().(string); ok {
					note = s
				}
				fmt.Fprintf(ios.ErrOut, "\n%s %s\n", ios.PaintErr(bold, "Interrupt received."), note)
				cancel()
				continue
			}
			fmt.Fprintf(ios.ErrOut, "\n%s payform is still waiting for the calls already sent to answer, so that their outcomes are recorded. Killing it now is safe too: each call's intent is journaled, and the next payform apply settles those items with the same keys (or names them for payform state resolve).\n", ios.PaintErr(bold, "Interrupt received again."))
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
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
	root.SetArgs(terraformFlags(root, args))
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
			// NO_COLOR (no-color.org): any non-empty value, like --no-color.
			a.ios.SetColor(!a.noColor && envValue(a.env, "NO_COLOR") == "")
			// Like Terraform's -chdir: everything after it, paths in
			// messages included, is relative to DIR.
			if a.chdir != "" {
				if err := os.Chdir(a.chdir); err != nil {
					return fmt.Errorf("--chdir: %s. Check the directory exists", osErr(err))
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
	root.AddCommand(newInitCmd(a, nil))
	root.InitDefaultCompletionCmd()
	guardGroups(root)
	registerCompletions(a, root)
	root.SetFlagErrorFunc(flagError)
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

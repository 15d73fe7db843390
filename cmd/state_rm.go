package cmd

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/payform/payform/state"
)

type stateRmOptions struct {
	addrs       []string
	force       bool
	lockTimeout time.Duration
}

func newStateRmCmd(a *app, runF func(*stateRmOptions) error) *cobra.Command {
	opts := &stateRmOptions{}
	cmd := &cobra.Command{
		Use:   "rm ADDR...",
		Short: "Stop managing instances, keeping their records and keys",
		Long: `Stop managing resource instances without any call: each record moves to the
forgotten list (journaled), and its merchant key stays reserved, so declaring the
block again cannot send the same key twice. An item in doubt is refused unless
--force: its outcome is unknown, and forgetting it does not settle it.

Exit codes: 0 success; 1 error.`,
		Example: `  payform state rm 'payout.vendor["po-7"]'
  payform state rm payout.old_batch`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.addrs = args
			if runF != nil {
				return runF(opts)
			}
			return runStateRm(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().DurationVar(&opts.lockTimeout, "lock-timeout", 0, "wait this long for the state lock")
	cmd.Flags().BoolVar(&opts.force, "force", false, "also forget items in doubt")
	return cmd
}

func runStateRm(ctx context.Context, a *app, opts *stateRmOptions) error {
	store, err := a.openStore(ctx, a.backendOnly(true), "state rm", opts.lockTimeout, false)
	if err != nil {
		return err
	}
	defer store.Close()
	st := store.State()
	var addrs []string
	for _, arg := range opts.addrs {
		matched := false
		for _, r := range st.List() {
			if r.Address == arg || strings.HasPrefix(r.Address, arg+"[") {
				if r.InDoubt() && !opts.force {
					return fmt.Errorf("%s is in doubt (payform cannot tell whether %s made it); settle it first with payform apply, or use --force to forget it anyway (its key stays reserved)", r.Address, r.Provider)
				}
				addrs = append(addrs, r.Address)
				matched = true
			}
		}
		if !matched {
			return fmt.Errorf("%s is not in the state; payform state list shows what is", arg)
		}
	}
	for _, addr := range addrs {
		r := st.Resource(addr)
		if err := store.Record(&state.Entry{Op: state.OpForget, Address: addr, Provider: r.Provider, Key: r.Key,
			Result: &state.Result{Outcome: state.OutcomeForgotten, Note: "removed with payform state rm"}}, true); err != nil {
			return err
		}
		fmt.Fprintf(a.ios.Out, "Removed %s (key %q stays reserved)\n", addr, r.Key)
	}
	return store.Close()
}

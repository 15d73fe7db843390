package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

type stateMvOptions struct {
	src, dst    string
	lockTimeout time.Duration
}

func newStateMvCmd(a *app, runF func(*stateMvOptions) error) *cobra.Command {
	opts := &stateMvOptions{}
	cmd := &cobra.Command{
		Use:   "mv SRC DST",
		Short: "Move a record to another address (after renaming a block)",
		Long: `Move a managed record to another address of the same resource type, journaled,
keeping its merchant key reserved: after renaming a block or its for_each keys,
the record follows and nothing is sent again.

Exit codes: 0 success; 1 error.`,
		Example: `  payform state mv 'payout.vendor["po-7"]' 'payout.suppliers["po-7"]'`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.src, opts.dst = args[0], args[1]
			if runF != nil {
				return runF(opts)
			}
			return runStateMv(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().DurationVar(&opts.lockTimeout, "lock-timeout", 0, "wait this long for the state lock")
	return cmd
}

func runStateMv(ctx context.Context, a *app, opts *stateMvOptions) error {
	src, dst := opts.src, opts.dst
	sa, err := schema.ParseAddr(src)
	if err != nil {
		return err
	}
	da, err := schema.ParseAddr(dst)
	if err != nil {
		return err
	}
	if sa.Type != da.Type {
		return fmt.Errorf("%s is a %s and %s a %s: a record moves only within its resource type", src, sa.Type, dst, da.Type)
	}
	store, err := a.openStore(ctx, a.backendOnly(true), "state mv", opts.lockTimeout, false)
	if err != nil {
		return err
	}
	defer store.Close()
	r := store.State().Resource(src)
	switch {
	case r == nil:
		return fmt.Errorf("%s is not in the state; payform state list shows what is", src)
	case store.State().Resource(dst) != nil:
		return fmt.Errorf("%s is already managed; move it away or remove it first", dst)
	}
	if err := store.Record(&state.Entry{Op: state.OpMove, Address: dst, From: src, Provider: r.Provider, Key: r.Key}, true); err != nil {
		return err
	}
	fmt.Fprintf(a.ios.Out, "Moved %s to %s\n", src, dst)
	return store.Close()
}

package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/payform/payform/state"
)

type forceUnlockOptions struct{ lockID string }

func newForceUnlockCmd(a *app, runF func(*forceUnlockOptions) error) *cobra.Command {
	opts := &forceUnlockOptions{}
	return &cobra.Command{
		Use:   "force-unlock LOCK_ID",
		Short: "Remove the lease of a pg lock whose holder is gone",
		Long: `Remove the lock lease LOCK_ID (the id a "state is locked" message names) of a
pg workspace whose holder's session is gone. It is refused while any session
still holds the lock. A local state needs none: the kernel releases a dead
process's lock.

Exit codes: 0 success; 1 error (including a lock still held).`,
		Example: `  payform force-unlock 6f1c2a9e0b7d4c3a8e5f1d2c3b4a5968`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.lockID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runForceUnlock(cmd.Context(), a, opts)
		},
	}
}

func runForceUnlock(ctx context.Context, a *app, opts *forceUnlockOptions) error {
	backend, err := a.openBackend(ctx, a.backendOnly(true))
	if err != nil {
		return err
	}
	defer closeBackend(backend)
	p, ok := backend.(state.ForceUnlocker)
	if !ok {
		return errors.New("the state is local: its lock dies with the process that holds it, so there is nothing to force")
	}
	if err := p.ForceUnlock(ctx, opts.lockID); err != nil {
		return err
	}
	fmt.Fprintf(a.ios.Out, "Removed lock lease %s of %s.\n", opts.lockID, backend.Describe())
	return nil
}

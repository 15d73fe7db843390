package cmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/payform/payform/state"
)

func newStateCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "state",
		Short:   "Read the state: what payform sent, took and created",
		Example: "  payform state list\n  payform state show 'payout.vendor[\"po-1\"]'\n  payform state rm payout.old_batch\n  payform state mv payout.vendor payout.suppliers",
		Long: `Read the state (list, show) without locking it, or change its records (rm, mv)
under the lock, journaled; no gateway is called.

Exit codes: 0 success; 1 error (including an address that is not in the state).`,
	}
	cmd.AddCommand(newStateListCmd(a, nil), newStateShowCmd(a, nil), newStateRmCmd(a, nil), newStateMvCmd(a, nil),
		newStatePullCmd(a, nil), newStatePushCmd(a, nil), newStateMigrateCmd(a, nil), newStateResolveCmd(a, nil))
	return cmd
}

// readState loads the state without taking the lock.
func (a *app) readState(ctx context.Context) (*state.State, error) {
	store, err := a.openStore(ctx, a.backendOnly(true), "read", 0, true)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	return store.State(), nil
}

package cmd

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/payform/payform/state"
)

// statePullOptions is empty: state pull takes no flags.
type statePullOptions struct{}

func newStatePullCmd(a *app, runF func(*statePullOptions) error) *cobra.Command {
	opts := &statePullOptions{}
	return &cobra.Command{
		Use:   "pull",
		Short: "Print the current state as JSON",
		Long: `Print the current state (the snapshot with every journal entry after it
applied) in the snapshot format, the same bytes from the local and the pg
backend. The state is read without the lock.

Exit codes: 0 success; 1 error.`,
		Example: `  payform state pull > backup.state.json
  payform state pull | jq '.resources | length'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runStatePull(cmd.Context(), a)
		},
	}
}

func runStatePull(ctx context.Context, a *app) error {
	st, err := a.readState(ctx)
	if err != nil {
		return err
	}
	if st.Lineage == "" {
		return errors.New("there is no state yet")
	}
	key, err := a.auditKey()
	if err != nil {
		return err
	}
	data, err := state.EncodeSnapshot(st, key)
	if err != nil {
		return err
	}
	_, err = a.ios.Out.Write(data)
	return err
}

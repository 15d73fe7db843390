package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

type stateListOptions struct{ forgotten bool }

func newStateListCmd(a *app, runF func(*stateListOptions) error) *cobra.Command {
	opts := &stateListOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the managed resource instances",
		Long: `List the addresses of the managed resource instances, one a line, in
address order; --forgotten lists the records no longer managed whose keys stay
reserved. The state is read without locking it.

Exit codes: 0 success (an empty state lists nothing); 1 error.`,
		Example: `  payform state list
  payform state list --forgotten`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runStateList(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.forgotten, "forgotten", false, "list forgotten records instead (no longer managed, keys still reserved)")
	return cmd
}

func runStateList(ctx context.Context, a *app, opts *stateListOptions) error {
	st, err := a.readState(ctx)
	if err != nil {
		return err
	}
	list := st.List()
	if opts.forgotten {
		list = st.ForgottenList()
	}
	for _, r := range list {
		fmt.Fprintln(a.ios.Out, r.Address)
	}
	return nil
}

package cmd

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newStateListCmd(a *app) *cobra.Command {
	var forgotten bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the managed resource instances",
		Example: `  payform state list
  payform state list --forgotten`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.readState(cmd.Context())
			if err != nil {
				return err
			}
			list := st.List()
			if forgotten {
				list = st.ForgottenList()
			}
			for _, r := range list {
				fmt.Fprintln(a.ios.Out, r.Address)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&forgotten, "forgotten", false, "list forgotten records instead (no longer managed, keys still reserved)")
	return cmd
}

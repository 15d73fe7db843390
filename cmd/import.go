package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/payform/payform/executor"
	"github.com/spf13/cobra"
)

type importOptions struct {
	addr, id    string
	vars        varFlags
	lockTimeout time.Duration
}

func newImportCmd(a *app, runF func(*importOptions) error) *cobra.Command {
	opts := &importOptions{}
	cmd := &cobra.Command{
		Use:   "import ADDR ID",
		Short: "Adopt an existing gateway object as a declared instance, without sending",
		Long: `Record the gateway object with id ID as the declared instance ADDR, after
reading it from the gateway and checking that it matches the declaration (key,
amount, currency, address). Nothing is created. Use it after a state was lost, or
for an object made outside payform. A gateway that cannot read objects back
cannot be imported from.

Exit codes: 0 success; 1 error (not declared, already managed, key used by
another record, not found, or different from the declaration).`,
		Example: `  payform import 'payout.vendor["po-7"]' 1187
  payform import 'invoice_batch.november["ord-1001"]' 4512 --var month=2026-11`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.addr, opts.id = args[0], args[1]
			if runF != nil {
				return runF(opts)
			}
			return runImport(cmd.Context(), a, opts)
		},
	}
	opts.vars.register(cmd.Flags())
	cmd.Flags().DurationVar(&opts.lockTimeout, "lock-timeout", 0, "wait this long for the state lock")
	return cmd
}

func runImport(ctx context.Context, a *app, opts *importOptions) error {
	addr, id := opts.addr, opts.id
	ws, err := a.loadWorkspace(ctx, humanView{a}, opts.vars, "import", opts.lockTimeout)
	if err != nil {
		return err
	}
	defer ws.Close()
	var decl = ws.cfg.Resource(addr)
	if decl == nil {
		return fmt.Errorf("%s is not declared in the configuration; import needs its block", addr)
	}
	if err := a.openProviders(ws); err != nil {
		return err
	}
	r, err := executor.Import(ctx, ws.store, ws.provs[decl.Provider.Name()], decl, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.ios.Out, "Imported %s: %s id %s (%s), checked against the gateway; nothing was sent.\n", addr, r.Provider, r.ID, r.Status)
	return ws.Close()
}

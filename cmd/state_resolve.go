package cmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/payform/payform/executor"
	"github.com/payform/payform/providers"
)

type resolveOptions struct {
	addr        string
	vars        varFlags
	id          string
	amount      string
	notCreated  bool
	lockTimeout time.Duration
}

func newStateResolveCmd(a *app, runF func(*resolveOptions) error) *cobra.Command {
	opts := &resolveOptions{}
	cmd := &cobra.Command{
		Use:   "resolve ADDR (--id ID | --not-created)",
		Short: "Settle an item whose outcome payform cannot tell",
		Long: `Settle an in-doubt item, one that payform cannot tell whether the gateway
created (MiraclePay has no merchant key; Coinilla refuses a repeated refnum
without saying which invoice has it). Look at the gateway's dashboard first.

--id ID adopts the gateway's object ID, after reading it back and checking what
the gateway can prove: its key and amount where it reports them, and that it was
not made before payform first sent the item; a mismatch is refused. What the
gateway cannot report (MiraclePay reads back neither a prompt's amount nor its
note; Coinilla no amount) you attest with --amount, having checked it on the
dashboard: it must be the declared amount, and the journal records it as
attested, not checked. --not-created records that the gateway made nothing, so
the next apply sends the key again. Both are journaled with the operator's name
($PAYFORM_ACTOR, or user@host).

Exit codes: 0 success; 1 error (not in doubt, not found, or different).`,
		Example: `  payform state resolve 'invoice_batch.prompts["ord-7"]' --id 3f1c9a2e-8d1b-4e1f-9c7a-0b6d2e4f5a18 --amount 10.00
  PAYFORM_ACTOR=alice payform state resolve 'invoice_batch.coinilla["ord-9"]' --not-created`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.addr = args[0]
			if (opts.id == "") == !opts.notCreated {
				return errors.New("give exactly one of --id ID and --not-created")
			}
			if opts.amount != "" && opts.id == "" {
				return errors.New("--amount attests the object adopted with --id")
			}
			if runF != nil {
				return runF(opts)
			}
			return runStateResolve(cmd.Context(), a, opts)
		},
	}
	opts.vars.register(cmd.Flags())
	cmd.Flags().StringVar(&opts.id, "id", "", "the gateway's `ID` of the object made for this item")
	cmd.Flags().StringVar(&opts.amount, "amount", "", "attest the object's `AMOUNT`, read on the gateway's dashboard, where the gateway cannot report it (journaled as attested)")
	cmd.Flags().BoolVar(&opts.notCreated, "not-created", false, "the gateway made nothing for this item: send it again on the next apply")
	cmd.Flags().DurationVar(&opts.lockTimeout, "lock-timeout", 0, "wait this long for the state lock")
	return cmd
}

func runStateResolve(ctx context.Context, a *app, opts *resolveOptions) error {
	addr := opts.addr
	ws, err := a.loadWorkspace(ctx, humanView{a}, opts.vars, "state resolve", opts.lockTimeout)
	if err != nil {
		return err
	}
	defer ws.Close()
	cfg, store := ws.cfg, ws.store
	if opts.notCreated {
		// Where the gateway can look the key up, the operator's word
		// is checked against it first.
		var prov providers.Provider
		if rec := store.State().Resource(addr); rec != nil {
			if cfg.Provider(rec.Provider) == nil {
				return fmt.Errorf("provider %s of %s is not configured, so payform cannot check at the gateway that nothing was made; configure it and run this again", rec.Provider, addr)
			}
			if err := a.openProviders(ws); err != nil {
				return err
			}
			prov = ws.provs[rec.Provider]
		}
		if err := executor.ResolveNotCreated(ctx, store, prov, addr, a.now()); err != nil {
			return err
		}
		fmt.Fprintf(a.ios.Out, "Settled %s as not created (by %s); the next apply sends it.\n", addr, store.Actor())
		return ws.Close()
	}
	rec := store.State().Resource(addr)
	if rec == nil {
		return fmt.Errorf("%s is not in the state", addr)
	}
	if p := cfg.Provider(rec.Provider); p == nil {
		return fmt.Errorf("provider %s of %s is not configured", rec.Provider, addr)
	}
	if err := a.openProviders(ws); err != nil {
		return err
	}
	r, note, err := executor.ResolveAdopt(ctx, store, ws.provs[rec.Provider], addr, opts.id, executor.Attestation{Amount: opts.amount})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.ios.Out, "Settled %s: adopted %s id %s (%s) (by %s).\n  %s\n", addr, r.Provider, r.ID, r.Status, store.Actor(), note)
	return ws.Close()
}

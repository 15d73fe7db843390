package cmd

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
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
	cmd.AddCommand(newStateListCmd(a), newStateShowCmd(a), newStateRmCmd(a), newStateMvCmd(a),
		newStatePullCmd(a), newStatePushCmd(a), newStateMigrateCmd(a), newStateResolveCmd(a))
	return cmd
}

func newStateRmCmd(a *app) *cobra.Command {
	var lockTimeout time.Duration
	var force bool
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
			store, err := a.openStore(cmd.Context(), a.backendOnly(true), "state rm", lockTimeout, false)
			if err != nil {
				return err
			}
			defer store.Close()
			st := store.State()
			var addrs []string
			for _, arg := range args {
				matched := false
				for _, r := range st.List() {
					if r.Address == arg || strings.HasPrefix(r.Address, arg+"[") {
						if r.InDoubt() && !force {
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
		},
	}
	cmd.Flags().DurationVar(&lockTimeout, "lock-timeout", 0, "wait this long for the state lock")
	cmd.Flags().BoolVar(&force, "force", false, "also forget items in doubt")
	return cmd
}

func newStateMvCmd(a *app) *cobra.Command {
	var lockTimeout time.Duration
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
			src, dst := args[0], args[1]
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
			store, err := a.openStore(cmd.Context(), a.backendOnly(true), "state mv", lockTimeout, false)
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
		},
	}
	cmd.Flags().DurationVar(&lockTimeout, "lock-timeout", 0, "wait this long for the state lock")
	return cmd
}

func newStateListCmd(a *app) *cobra.Command {
	var forgotten bool
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

func newStateShowCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "show ADDR",
		Short: "Show everything recorded about one resource instance",
		Long: `Show one instance's record: its provider, merchant key, amount, the
gateway's id and status, what the gateway reported beside them, and the
history of its attempts. A forgotten record is shown too, marked so. The
state is read without locking it.

Exit codes: 0 success; 1 error (including an address that is not in the state).`,
		Example: `  payform state show 'payout.vendor["po-1"]'
  payform state show payout.single`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.readState(cmd.Context())
			if err != nil {
				return err
			}
			addr := args[0]
			r := st.Resource(addr)
			if r == nil {
				r = st.ForgottenResource(addr)
			}
			if r == nil {
				return fmt.Errorf("%s is not in the state; payform state list shows what is", addr)
			}
			renderResource(a.ios.Out, r, a.statusNotes(cmd.Context(), r)...)
			return nil
		},
	}
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

// renderResource writes one state record as aligned attributes, with
// notes (name, text) after its status.
func renderResource(w io.Writer, r *state.Resource, notes ...[2]string) {
	fmt.Fprintf(w, "# %s", r.Address)
	if !r.ForgottenAt.IsZero() {
		fmt.Fprintf(w, " (forgotten %s: no longer managed, key still reserved)", formatTime(r.ForgottenAt))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "  %s\t= %s\n", k, v)
		}
	}
	row("kind", r.Kind)
	row("provider", r.Provider)
	row("key", fmt.Sprintf("%q", r.Key))
	if r.Amount != "" {
		row("amount", money.FormatString(r.Amount, r.Currency)+" "+r.Currency)
	} else {
		row("currency", r.Currency)
	}
	if r.Kind == string(providers.DepositAddress) && r.Remote["address"] != "" {
		row("address", depositAddress(r.Currency, r.Remote["address"], r.Remote["tag"]))
	}
	attrs := make([]string, 0, len(r.Attrs))
	for k := range r.Attrs {
		attrs = append(attrs, k)
	}
	sort.Strings(attrs)
	for _, k := range attrs {
		row(k, fmt.Sprintf("%q", r.Attrs[k]))
	}
	if r.ID == "" && r.Note != "" {
		row("id", "none: the gateway named no object (see note)")
	} else {
		row("id", r.ID)
	}
	status := r.Status
	if r.RawStatus != "" && r.RawStatus != r.Status {
		status += " (gateway: " + r.RawStatus + ")"
	}
	row("status", status)
	for _, n := range notes {
		row(n[0], n[1])
	}
	remote := make([]string, 0, len(r.Remote))
	for k := range r.Remote {
		remote = append(remote, k)
	}
	sort.Strings(remote)
	for _, k := range remote {
		if r.Kind == string(providers.DepositAddress) && (k == "address" || k == "tag") {
			continue // shown above, together
		}
		row("gateway."+k, fmt.Sprintf("%q", r.Remote[k]))
	}
	for i, sup := range r.Superseded {
		what := sup.Fields["outcome"]
		if a := sup.Fields["address"]; a != "" {
			what = depositAddress(r.Currency, a, sup.Fields["tag"])
		}
		if e := sup.Fields["error"]; e != "" {
			what += " (" + e + ")"
		}
		if sup.ID != "" {
			what = "id " + sup.ID + ": " + what
		}
		row(fmt.Sprintf("superseded[%d]", i), formatTime(sup.At)+": "+what)
	}
	if r.Pending != nil {
		p := r.Pending
		how := "in doubt"
		if p.Manual {
			how = "unknown: needs payform state resolve"
		}
		row("pending", fmt.Sprintf("%s since %s, %d %s, %s", how, formatTime(p.At), p.Attempts, plural(p.Attempts, "attempt", "attempts"), strings.TrimSpace(p.Reason)))
	}
	row("note", r.Note)
	row("plan_id", r.PlanID)
	row("created_at", formatTime(r.CreatedAt))
	row("updated_at", formatTime(r.UpdatedAt))
	tw.Flush()
}

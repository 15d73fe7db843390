package cmd

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/state"
)

type stateShowOptions struct{ addr string }

func newStateShowCmd(a *app, runF func(*stateShowOptions) error) *cobra.Command {
	opts := &stateShowOptions{}
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
			opts.addr = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runStateShow(cmd.Context(), a, opts)
		},
	}
}

func runStateShow(ctx context.Context, a *app, opts *stateShowOptions) error {
	st, err := a.readState(ctx)
	if err != nil {
		return err
	}
	addr := opts.addr
	r := st.Resource(addr)
	if r == nil {
		r = st.ForgottenResource(addr)
	}
	if r == nil {
		return fmt.Errorf("%s is not in the state; payform state list shows what is", addr)
	}
	renderResource(a.ios.Out, r, a.statusNotes(ctx, r)...)
	return nil
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

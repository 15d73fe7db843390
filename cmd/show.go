package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/payform/payform/money"
	"github.com/payform/payform/planner"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/state"
)

type showOptions struct {
	planFile  string
	json      bool
	approvals []string
}

func newShowCmd(a *app, runF func(*showOptions) error) *cobra.Command {
	opts := &showOptions{}
	cmd := &cobra.Command{
		Use:   "show [PLANFILE]",
		Short: "Show a saved plan, or the state",
		Long: `With PLANFILE, show the saved plan as plan showed it and, when its policies ask
for approvals, the approvals found beside it (PLANFILE.*.sig, and --approval
files) and whether they suffice, checked against the allowed_signers the plan was
made with (apply checks them again against the configuration). Without,
summarize the state: every managed resource with its status, and the totals per
currency.

Exit codes: 0 success; 1 error.`,
		Example: `  payform show
  payform show november.plan
  payform show november.plan --approval ~/Downloads/november.plan.bob.sig
  payform show --json november.plan | conftest test -   # policy checks on the plan
  payform show --json > state.json                       # the state, for auditors`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.planFile = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return runShow(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the plan or the state in payform's JSON format (docs/json-format.md)")
	cmd.Flags().StringArrayVar(&opts.approvals, "approval", nil, "count this approval of PLANFILE too, beside those next to it (`FILE`; repeatable)")
	return cmd
}

func runShow(ctx context.Context, a *app, opts *showOptions) error {
	if opts.planFile != "" {
		return a.showPlan(opts.planFile, opts.json, opts.approvals)
	}
	if len(opts.approvals) > 0 {
		return fmt.Errorf("--approval names an approval of a plan: give the plan file too (payform show PLANFILE --approval FILE)")
	}
	st, err := a.readState(ctx)
	if err != nil {
		return err
	}
	if opts.json {
		return writeJSON(a.ios.Out, toJSONState(st))
	}
	renderState(a.ios.Out, st)
	return nil
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// renderState writes one line per managed payout and per deposit address
// (with its tag), and the payout totals per currency, provider and status.
func renderState(w io.Writer, st *state.State) {
	list := st.List()
	if len(list) == 0 {
		fmt.Fprintln(w, "The state is empty.")
		return
	}
	payouts := newTable("", left, left, decimalPoint, left, left, left)
	payouts.row("ADDRESS", "KEY", "AMOUNT", "CURRENCY", "STATUS", "ID")
	pools := newTable("", left, left, left, left, left)
	pools.row("ADDRESS", "FOREIGN_ID", "CURRENCY", "DEPOSIT ADDRESS", "TAG")
	type tkey struct{ provider, currency, status string }
	totals := map[tkey]decimal.Decimal{}
	counts := map[tkey]int{}
	for _, r := range list {
		if r.Kind == string(providers.DepositAddress) {
			tag := r.Remote["tag"]
			if tag != "" {
				tag += " (required)"
			}
			pools.row(r.Address, r.Key, r.Currency, orDash(r.Remote["address"]), tag)
			continue
		}
		id := orDash(r.ID)
		if r.ID == "" && r.Note != "" {
			// Adopted on "already taken" from a gateway that names no
			// object: state show says why.
			id = "- (none given; see state show)"
		}
		payouts.row(r.Address, r.Key, money.FormatString(r.Amount, r.Currency), r.Currency, r.Status, id)
		k := tkey{r.Provider, r.Currency, r.Status}
		d, _ := decimal.NewFromString(r.Amount)
		totals[k] = totals[k].Add(d)
		counts[k]++
	}
	sep := ""
	if len(payouts.rows) > 1 {
		payouts.write(w)
		keys := make([]tkey, 0, len(totals))
		for k := range totals {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			a, b := keys[i], keys[j]
			if a.currency != b.currency {
				return a.currency < b.currency
			}
			if a.provider != b.provider {
				return a.provider < b.provider
			}
			return a.status < b.status
		})
		fmt.Fprintln(w, "\nTotals:")
		tb := newTable("  ", left, left, left, right, decimalPoint)
		tb.row("CURRENCY", "PROVIDER", "STATUS", "ITEMS", "AMOUNT")
		for _, k := range keys {
			tb.row(k.currency, k.provider, k.status, fmt.Sprint(counts[k]), totals[k].String())
		}
		tb.write(w)
		sep = "\n"
	}
	if len(pools.rows) > 1 {
		fmt.Fprint(w, sep)
		pools.write(w)
	}
	if inv := planner.InvoiceTotals(st, nil, nil); len(inv) > 0 {
		fmt.Fprintln(w)
		renderInvoiceTotals(w, inv)
	}
	if n := len(st.ForgottenList()); n > 0 {
		fmt.Fprintf(w, "\n%d forgotten %s (payform state list --forgotten).\n", n, plural(n, "record", "records"))
	}
}

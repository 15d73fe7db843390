package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/payform/payform/executor"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
)

type reconcileOptions struct {
	vars        varFlags
	since       string
	json        bool
	parallelism int
}

func newReconcileCmd(a *app, runF func(*reconcileOptions) error) *cobra.Command {
	opts := &reconcileOptions{}
	cmd := &cobra.Command{
		Use:   "reconcile",
		Short: "Compare what each gateway account holds with the state: strangers and missing records",
		Long: `For every gateway account of the configuration (provider blocks with the same
endpoint and API key are one account), compare the objects the gateway holds
with the state's records, managed and forgotten:

  strangers   objects at the gateway that no record is: sent by someone else
              (another tool, the dashboard), or a record lost
  missing     records whose object the gateway does not know

CoinPay24 and MilaCoins list their invoices, so both are found (the list
begins --since, by default the account's oldest record less two days).
WllxPay cannot list its withdrawals; with v2_lookup = true each record is
looked up, so missing records are found but strangers cannot be. Coinilla,
MiraclePay and WllxPay without v2_lookup can neither list nor look keys up:
they are named, not compared. Objects under the key of an item in doubt are
shown apart: they are what apply or payform state resolve settles it with.

reconcile reads the state without its lock and never writes anything.

Exit codes: 0 the gateways and the state agree where they could be compared;
1 error (an account could not be compared); 2 a stranger or a missing record
was found.`,
		Example: `  payform reconcile
  payform reconcile --since 2026-11-01
  payform reconcile --json | jq '.accounts[] | select(.strangers | length > 0)'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runReconcile(cmd.Context(), a, opts)
		},
	}
	opts.vars.register(cmd.Flags())
	cmd.Flags().StringVar(&opts.since, "since", "", "list the gateways' objects from this `TIME` (2026-11-01, RFC 3339, or a duration back from now: 720h)")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the result as one JSON document (docs/json-format.md)")
	cmd.Flags().IntVar(&opts.parallelism, "parallelism", 10, "lookups in flight at once (gateways that look keys up one by one)")
	return cmd
}

func runReconcile(ctx context.Context, a *app, opts *reconcileOptions) error {
	var since time.Time
	if opts.since != "" {
		t, err := parseSince(opts.since, a.now())
		if err != nil {
			return err
		}
		since = t
	}
	ws, err := a.configWorkspace(opts.vars)
	if err != nil {
		return err
	}
	defer ws.Close()
	cfg := ws.cfg
	if err := a.openProviders(ws); err != nil {
		return err
	}
	st, err := a.readState(ctx)
	if err != nil {
		return err
	}
	rcs := executor.Reconcile(ctx, cfg, st, ws.provs, since, opts.parallelism)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	found, failed := 0, 0
	for _, rc := range rcs {
		found += rc.Discrepancies()
		if rc.Err != nil {
			failed++
		}
	}
	if opts.json {
		writeReconcileJSON(a.ios.Out, rcs, found)
	} else {
		a.renderReconcile(a.ios.Out, cfg, rcs, found, failed)
	}
	switch {
	case found > 0:
		return withCode(exitChanges)
	case failed > 0:
		return silent
	}
	return nil
}

func (a *app) renderReconcile(w io.Writer, cfg *schema.Config, rcs []*executor.Reconciliation, found, failed int) {
	for _, rc := range rcs {
		what := string(rc.Kind) + "s"
		fmt.Fprintf(w, "%s %s (%s, %s): ", a.ios.Paint(bold, rc.Title), what, strings.Join(rc.Providers, ", "), describeMethod(rc))
		switch {
		case rc.Method == executor.NotReconciled:
			fmt.Fprintf(w, "not compared.\n  %s.\n", rc.Note)
		case rc.Method == executor.ByList && rc.Err == nil:
			fmt.Fprintf(w, "%d at the gateway, %d in the state.\n", rc.Listed, rc.Records)
		case rc.Method == executor.ByLookup:
			fmt.Fprintf(w, "%d %s looked up.\n  %s.\n", rc.Records, plural(rc.Records, "record", "records"), rc.Note)
		default:
			fmt.Fprintln(w)
		}
		if rc.Err != nil {
			fmt.Fprintf(w, "  %s %v\n", a.ios.Paint(red+bold, "not compared:"), rc.Err)
		}
		for _, o := range rc.Strangers {
			fmt.Fprintf(w, "  %s %s %q (id %s)  %s  %s: at the gateway, not in the state (sent behind payform's back, or a lost record)\n",
				a.ios.Paint(red+bold, "+ stranger"), schema.KeyAttr(rc.Kind), o.Key, orDash(o.ID), withCurrency(o.Amount.String(), o.Currency), o.Status)
		}
		for _, m := range rc.Missing {
			forgotten := ""
			if m.Forgotten {
				forgotten = " (forgotten)"
			}
			fmt.Fprintf(w, "  %s %s%s (%s %q, id %s)  %s  %s: in the state since %s, the gateway does not know it\n",
				a.ios.Paint(red+bold, "- missing"), m.Address, forgotten, schema.KeyAttr(rc.Kind), m.Key, orDash(m.ID), withCurrency(m.Amount.String(), m.Currency), m.Status, formatTime(m.CreatedAt))
		}
		for _, o := range rc.InDoubt {
			fmt.Fprintf(w, "  %s %s %q (id %s)  %s  %s: under the key of an item in doubt; payform apply (or state resolve) settles it\n",
				a.ios.Paint(yellow, "? in doubt"), schema.KeyAttr(rc.Kind), o.Key, orDash(o.ID), withCurrency(o.Amount.String(), o.Currency), o.Status)
		}
	}
	if len(rcs) > 0 {
		fmt.Fprintln(w)
	}
	switch {
	case found > 0:
		strangers, missing := 0, 0
		for _, rc := range rcs {
			strangers += len(rc.Strangers)
			missing += len(rc.Missing)
		}
		fmt.Fprintf(w, "%s %d %s, %d %s the gateway does not know.\n", a.ios.Paint(bold+red, "Reconcile found discrepancies:"),
			strangers, plural(strangers, "stranger", "strangers"), missing, plural(missing, "record", "records"))
	case failed > 0:
		fmt.Fprintf(w, "%s %d %s could not be compared (see above).\n", a.ios.Paint(bold+yellow, "Reconcile incomplete:"), failed, plural(failed, "account", "accounts"))
	default:
		fmt.Fprintf(w, "%s where they could be compared, the gateways hold what the state records, and nothing more.\n", a.ios.Paint(bold+green, "Reconciled:"))
	}
}

func describeMethod(rc *executor.Reconciliation) string {
	switch rc.Method {
	case executor.ByList:
		if rc.Since.IsZero() {
			return "listed in full"
		}
		return "listed since " + rc.Since.UTC().Format("2006-01-02 15:04 MST")
	case executor.ByLookup:
		return "looked up key by key"
	}
	return "cannot be listed"
}

// reconcileJSON is the document reconcile --json prints.
type reconcileJSON struct {
	FormatVersion string               `json:"format_version"`
	Type          string               `json:"type"`
	Discrepancies int                  `json:"discrepancies"`
	Accounts      []reconcileAccountJS `json:"accounts"`
}

type reconcileAccountJS struct {
	Gateway   string              `json:"gateway"`
	Providers []string            `json:"providers"`
	Kind      string              `json:"kind"`
	Method    string              `json:"method"`
	Since     string              `json:"since,omitempty"`
	Listed    int                 `json:"listed"`
	Records   int                 `json:"records"`
	Strangers []reconcileObjectJS `json:"strangers"`
	Missing   []reconcileRecordJS `json:"missing"`
	InDoubt   []reconcileObjectJS `json:"in_doubt"`
	Error     string              `json:"error,omitempty"`
	Note      string              `json:"note,omitempty"`
}

type reconcileObjectJS struct {
	Key       string `json:"key"`
	ID        string `json:"id"`
	Status    string `json:"status"`
	RawStatus string `json:"raw_status,omitempty"`
	Amount    string `json:"amount,omitempty"`
	Currency  string `json:"currency,omitempty"`
}

type reconcileRecordJS struct {
	Address   string `json:"address"`
	Provider  string `json:"provider"`
	Key       string `json:"key"`
	ID        string `json:"id,omitempty"`
	Status    string `json:"status"`
	Amount    string `json:"amount,omitempty"`
	Currency  string `json:"currency,omitempty"`
	CreatedAt string `json:"created_at"`
	Forgotten bool   `json:"forgotten,omitempty"`
}

func writeReconcileJSON(w io.Writer, rcs []*executor.Reconciliation, found int) {
	doc := reconcileJSON{FormatVersion: JSONFormatVersion, Type: "reconcile", Discrepancies: found, Accounts: []reconcileAccountJS{}}
	for _, rc := range rcs {
		acc := reconcileAccountJS{Gateway: rc.Gateway, Providers: rc.Providers, Kind: string(rc.Kind), Method: rc.Method, Listed: rc.Listed, Records: rc.Records,
			Strangers: []reconcileObjectJS{}, Missing: []reconcileRecordJS{}, InDoubt: []reconcileObjectJS{}, Note: rc.Note}
		if !rc.Since.IsZero() {
			acc.Since = rc.Since.UTC().Format(time.RFC3339)
		}
		if rc.Err != nil {
			acc.Error = rc.Err.Error()
		}
		obj := func(o providers.Object) reconcileObjectJS {
			js := reconcileObjectJS{Key: o.Key, ID: o.ID, Status: string(o.Status), RawStatus: o.RawStatus, Currency: o.Currency}
			if !o.Amount.IsZero() {
				js.Amount = o.Amount.String()
			}
			return js
		}
		for _, o := range rc.Strangers {
			acc.Strangers = append(acc.Strangers, obj(o))
		}
		for _, o := range rc.InDoubt {
			acc.InDoubt = append(acc.InDoubt, obj(o))
		}
		for _, m := range rc.Missing {
			r := reconcileRecordJS{Address: m.Address, Provider: m.Provider, Key: m.Key, ID: m.ID, Status: m.Status, Currency: m.Currency,
				CreatedAt: m.CreatedAt.UTC().Format(time.RFC3339), Forgotten: m.Forgotten}
			if !m.Amount.IsZero() {
				r.Amount = m.Amount.String()
			}
			acc.Missing = append(acc.Missing, r)
		}
		doc.Accounts = append(doc.Accounts, acc)
	}
	out, _ := json.MarshalIndent(doc, "", "  ")
	fmt.Fprintln(w, string(out))
}

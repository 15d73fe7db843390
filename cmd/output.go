package cmd

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/spf13/cobra"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/payform/payform/planner"
	"github.com/payform/payform/schema"
)

type outputOptions struct {
	name   string
	vars   varFlags
	json   bool
	format string
}

func newOutputCmd(a *app, runF func(*outputOptions) error) *cobra.Command {
	opts := &outputOptions{}
	cmd := &cobra.Command{
		Use:   "output [NAME]",
		Short: "Show output values computed from the state",
		Long: `Evaluate the configuration's output blocks against what the state holds:
payout.NAME and deposit_address_pool.NAME are maps of their instances (each with
its foreign_id, currency, address, tag, id and status). Without NAME, every
output is shown; sensitive ones only when asked for by name.

--format csv writes a collection of objects as CSV; for a deposit address pool
the columns are foreign_id, currency, address, tag; for payouts foreign_id,
currency, amount, address, tag, id, status, then any other attribute. An empty
collection writes nothing. For the whole ledger with each item's history, see payform report --format csv.

Exit codes: 0 success; 1 error.`,
		Example: `  payform output
  payform output customer_addresses --json
  payform output customer_addresses --format csv > addresses.csv
  payform output vendor_payouts --format csv > payouts.csv`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.json {
				opts.format = "json"
			}
			switch opts.format {
			case "", "text", "json", "csv":
			default:
				return fmt.Errorf("--format %q: want text, json or csv", opts.format)
			}
			if len(args) == 1 {
				opts.name = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return runOutput(cmd.Context(), a, opts)
		},
	}
	opts.vars.register(cmd.Flags())
	cmd.Flags().BoolVar(&opts.json, "json", false, "print JSON (same as --format json)")
	cmd.Flags().StringVar(&opts.format, "format", "text", "text, json or csv (csv: one output, a collection of objects)")
	return cmd
}

func runOutput(ctx context.Context, a *app, opts *outputOptions) error {
	name := opts.name
	cfg, err := a.loadConfig(opts.vars)
	if err != nil {
		return err
	}
	st, err := a.readState(ctx)
	if err != nil {
		return err
	}
	data := planner.OutputData(st, cfg.Resources)
	if name != "" {
		o := cfg.Output(name)
		if o == nil {
			return fmt.Errorf("no output %q in the configuration", name)
		}
		val, diags := cfg.EvalOutput(o, data)
		a.renderDiags(cfg.Files, diags)
		if diags.HasErrors() {
			return silent
		}
		return writeValue(a.ios.Out, opts.format, val)
	}
	if opts.format == "csv" {
		return fmt.Errorf("--format csv needs an output NAME")
	}
	all := map[string]any{}
	outs := append([]*schema.Output(nil), cfg.Outputs...)
	sort.Slice(outs, func(i, j int) bool { return outs[i].Name < outs[j].Name })
	for _, o := range outs {
		val, diags := cfg.EvalOutput(o, data)
		a.renderDiags(cfg.Files, diags)
		if diags.HasErrors() {
			return silent
		}
		if opts.format == "json" {
			entry := map[string]any{"sensitive": o.Sensitive}
			if !o.Sensitive {
				raw, _ := ctyjson.Marshal(val, val.Type())
				entry["value"] = json.RawMessage(raw)
			}
			all[o.Name] = entry
			continue
		}
		if o.Sensitive {
			fmt.Fprintf(a.ios.Out, "%s = <sensitive>\n", o.Name)
			continue
		}
		fmt.Fprintf(a.ios.Out, "%s = %s\n", o.Name, hclwrite.TokensForValue(val).Bytes())
	}
	if opts.format == "json" {
		b, _ := json.MarshalIndent(all, "", "  ")
		fmt.Fprintln(a.ios.Out, string(b))
	}
	return nil
}

func writeValue(w io.Writer, format string, val cty.Value) error {
	switch format {
	case "json":
		b, err := ctyjson.Marshal(val, val.Type())
		if err != nil {
			return err
		}
		fmt.Fprintln(w, string(b))
	case "csv":
		return writeCSV(w, val)
	default:
		fmt.Fprintf(w, "%s\n", hclwrite.TokensForValue(val).Bytes())
	}
	return nil
}

// poolColumns are the CSV columns of a deposit address pool.
var poolColumns = []string{"foreign_id", "currency", "address", "tag"}

// payoutColumns lead the CSV of payouts: the key, the money and what the
// gateway said of it.
var payoutColumns = []string{"foreign_id", "currency", "amount", "address", "tag", "id", "status"}

// writeCSV writes a collection of objects, one row each in key order.
func writeCSV(w io.Writer, val cty.Value) error {
	ty := val.Type()
	if !(ty.IsMapType() || ty.IsObjectType() || ty.IsListType() || ty.IsTupleType() || ty.IsSetType()) || val.IsNull() {
		return fmt.Errorf("--format csv needs a collection of objects, not %s", ty.FriendlyName())
	}
	var rows []cty.Value
	for it := val.ElementIterator(); it.Next(); {
		_, v := it.Element()
		if !v.Type().IsObjectType() && !v.Type().IsMapType() {
			return fmt.Errorf("--format csv needs a collection of objects; an element is %s", v.Type().FriendlyName())
		}
		rows = append(rows, v)
	}
	if len(rows) == 0 {
		return nil // no rows, no columns to name: an empty file, not a blank line
	}
	cols := columns(rows)
	cw := csv.NewWriter(w)
	if err := cw.Write(cols); err != nil {
		return err
	}
	for _, r := range rows {
		rec := make([]string, len(cols))
		for i, c := range cols {
			rec[i] = cell(r, c)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// columns chooses the CSV columns from the rows' attribute names: a
// deposit address pool's rows (foreign_id, currency, address, tag and no
// amount) get poolColumns; payouts' (foreign_id and amount) get
// payoutColumns, then their other attributes sorted (key, the same as
// foreign_id, left out); anything else every attribute name, sorted.
func columns(rows []cty.Value) []string {
	names := map[string]bool{}
	for _, r := range rows {
		for it := r.ElementIterator(); it.Next(); {
			k, _ := it.Element()
			names[k.AsString()] = true
		}
	}
	has := func(cols ...string) bool {
		for _, c := range cols {
			if !names[c] {
				return false
			}
		}
		return true
	}
	var lead []string
	switch {
	case has(poolColumns...) && !names["amount"]:
		return poolColumns
	case has("foreign_id", "amount"):
		lead = payoutColumns
		delete(names, "key")
	}
	out := append([]string(nil), lead...)
	for _, c := range lead {
		delete(names, c)
	}
	rest := make([]string, 0, len(names))
	for n := range names {
		rest = append(rest, n)
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func cell(obj cty.Value, name string) string {
	var v cty.Value
	if obj.Type().IsObjectType() {
		if !obj.Type().HasAttribute(name) {
			return ""
		}
		v = obj.GetAttr(name)
	} else {
		k := cty.StringVal(name)
		if !obj.HasIndex(k).True() {
			return ""
		}
		v = obj.Index(k)
	}
	if v.IsNull() || !v.IsKnown() {
		return ""
	}
	if v.Type() == cty.String {
		return v.AsString()
	}
	b, _ := ctyjson.Marshal(v, v.Type())
	return string(b)
}

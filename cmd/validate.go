package cmd

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/payform/payform/providers"
)

// kindNoun names a kind in sentences: "payout", "deposit address",
// "invoice".
func kindNoun(k providers.Kind) string { return strings.ReplaceAll(string(k), "_", " ") }

type validateOptions struct{ vars varFlags }

func newValidateCmd(a *app, runF func(*validateOptions) error) *cobra.Command {
	opts := &validateOptions{}
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check the configuration without contacting any gateway",
		Long: `Parse and check the configuration: syntax, variables, required and unknown
attributes, amounts against each currency's precision, currencies, addresses and
duplicate merchant keys. Every problem is reported, with the file and line.
validate needs no credentials and reads no state.

Exit codes: 0 valid; 1 invalid.`,
		Example: `  payform validate
  payform validate --var-file november.hcl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runValidate(a, opts)
		},
	}
	opts.vars.register(cmd.Flags())
	return cmd
}

func runValidate(a *app, opts *validateOptions) error {
	cfg, err := a.loadConfig(opts.vars)
	if err != nil {
		return err
	}
	counts := map[string]int{}
	for _, r := range cfg.Resources {
		counts[kindNoun(r.Kind)]++
	}
	kinds := make([]string, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	fmt.Fprintf(a.ios.Out, "%s The configuration is valid: %d %s", a.ios.Paint(bold+green, "Success!"), len(cfg.Providers), plural(len(cfg.Providers), "provider", "providers"))
	for _, k := range kinds {
		fmt.Fprintf(a.ios.Out, ", %d %s", counts[k], plural(counts[k], k, k+"s"))
	}
	fmt.Fprintln(a.ios.Out, ".")
	return nil
}

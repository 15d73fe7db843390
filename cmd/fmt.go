package cmd

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/payform/payform/schema"
	"github.com/spf13/cobra"
)

type fmtOptions struct {
	paths []string
	check bool
}

func newFmtCmd(a *app, runF func(*fmtOptions) error) *cobra.Command {
	opts := &fmtOptions{}
	cmd := &cobra.Command{
		Use:   "fmt [FILE...]",
		Short: "Rewrite configuration files in the canonical format",
		Long: `Rewrite every *.hcl file of the directory (or the files given) in HCL's
canonical layout: aligned equals signs, consistent indentation.

Exit codes: 0 success (with --check: everything formatted); 1 error (a file
does not parse); 3 with --check: some files need formatting (they are listed).`,
		Example: `  payform fmt
  payform fmt --check   # in CI`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.paths = args
			if runF != nil {
				return runF(opts)
			}
			return runFmt(a, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.check, "check", false, "do not write; list files that need formatting and exit 3 if any")
	return cmd
}

func runFmt(a *app, opts *fmtOptions) error {
	paths := append([]string(nil), opts.paths...)
	if len(paths) == 0 {
		if a.config != "" {
			paths = []string{a.config}
		} else {
			m, err := filepath.Glob(filepath.Join(".", "*.hcl"))
			if err != nil {
				return err
			}
			paths = m
		}
	}
	sort.Strings(paths)
	files := map[string]*hcl.File{}
	var diags hcl.Diagnostics
	var unformatted []string
	for _, p := range paths {
		// Through the file's directory: a symlink out of it is refused,
		// neither read nor written through.
		src, err := schema.ReadConfigFile(p)
		if err != nil {
			return fmt.Errorf("cannot format: %s", osErr(err))
		}
		f, d := hclsyntax.ParseConfig(src, p, hcl.InitialPos)
		files[p] = f
		if d.HasErrors() {
			diags = append(diags, d...)
			continue
		}
		out := hclwrite.Format(src)
		if bytes.Equal(out, src) {
			continue
		}
		unformatted = append(unformatted, p)
		if !opts.check {
			fi, err := os.Stat(p)
			if err != nil {
				return err
			}
			if err := os.WriteFile(p, out, fi.Mode().Perm()); err != nil {
				return err
			}
		}
	}
	if diags.HasErrors() {
		a.renderDiags(files, diags)
		return silent
	}
	for _, p := range unformatted {
		fmt.Fprintln(a.ios.Out, p)
	}
	if opts.check && len(unformatted) > 0 {
		a.ios.Errorf("%d %s formatting: run payform fmt", len(unformatted), plural(len(unformatted), "file needs", "files need"))
		return withCode(exitUnformatted)
	}
	return nil
}

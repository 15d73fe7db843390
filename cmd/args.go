package cmd

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// guardGroups makes every command that only groups others (state, audit,
// callback, sandbox) refuse an unknown subcommand with exit 1 and a
// did-you-mean, as the root does; without arguments it shows its help.
// Cobra's default is to print the help and exit 0, so `payform state lsit`
// looked like success in a script.
func guardGroups(c *cobra.Command) {
	for _, sub := range c.Commands() {
		guardGroups(sub)
	}
	if !c.HasSubCommands() || c.Runnable() || c == c.Root() {
		return
	}
	c.SuggestionsMinimumDistance = 2
	c.Args = cobra.ArbitraryArgs
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
		}
		return fmt.Errorf("%s\n\nRun '%s --help' for its commands", msg, cmd.CommandPath())
	}
}

// terraformFlags rewrites Terraform's single-dash long flags (-var,
// -json, -out=FILE, -detailed-exitcode, -auto-approve) to payform's
// double-dash ones, so that a Terraform user's muscle memory works rather
// than failing with "unknown shorthand flag". Only a word naming one of the
// command's own flags (or a global one) is rewritten; single letters (-h,
// -o) and everything after "--" are left alone.
func terraformFlags(root *cobra.Command, args []string) []string {
	args = rewriteFlags(root, args) // the global ones, so that Find sees the command
	if cmd, _, err := root.Find(args); err == nil && cmd != root {
		args = rewriteFlags(cmd, args)
	}
	return args
}

func rewriteFlags(cmd *cobra.Command, args []string) []string {
	out := make([]string, 0, len(args))
	for i, arg := range args {
		if arg == "--" {
			return append(out, args[i:]...)
		}
		if len(arg) > 2 && arg[0] == '-' && arg[1] != '-' {
			name, _, _ := strings.Cut(arg[1:], "=")
			if len(name) > 1 && cmd.Flag(name) != nil {
				arg = "-" + arg
			}
		}
		out = append(out, arg)
	}
	return out
}

// flagError adds to pflag's "unknown flag" errors the hint a Terraform user
// needs: payform's flags take two dashes.
func flagError(cmd *cobra.Command, err error) error {
	if !strings.Contains(err.Error(), "shorthand") {
		return fmt.Errorf("%w\n\nRun '%s --help' for this command's flags", err, cmd.CommandPath())
	}
	return fmt.Errorf("%w\n\npayform's flags take two dashes (--var, --out FILE); run '%s --help' for this command's flags", err, cmd.CommandPath())
}

// osErr words a file error for a person: the path and what happened
// ("nosuch.json: no such file or directory"), without the Go operation
// ("open", "stat", "chdir") that names nothing the user did.
func osErr(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Path + ": " + pe.Err.Error()
	}
	return err.Error()
}

// completeAddresses completes resource addresses from the state (read
// without locking it): instances, and the blocks they belong to where a
// command takes a block too. Nothing is completed when the state cannot be
// read.
func completeAddresses(a *app, blocks bool) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
		if a.chdir != "" {
			if err := os.Chdir(a.chdir); err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
		}
		a.ios.ErrOut = io.Discard // a completion prints nothing but its words
		st, err := a.readState(cmd.Context())
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		seen := map[string]bool{}
		var out []string
		add := func(s string) {
			if !seen[s] && strings.HasPrefix(s, prefix) {
				seen[s] = true
				out = append(out, s)
			}
		}
		for _, r := range st.List() {
			if blocks {
				if block, _, ok := strings.Cut(r.Address, "["); ok {
					add(block)
				}
			}
			add(r.Address)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// registerCompletions completes resource addresses where commands take
// them: state show, rm, mv and resolve, and every --target.
func registerCompletions(a *app, root *cobra.Command) {
	walk(root, func(c *cobra.Command) {
		switch c.CommandPath() {
		case "payform state show", "payform state resolve":
			c.ValidArgsFunction = completeAddresses(a, false)
		case "payform state rm", "payform state mv":
			c.ValidArgsFunction = completeAddresses(a, true)
		}
		if c.Flags().Lookup("target") != nil {
			_ = c.RegisterFlagCompletionFunc("target", completeAddresses(a, true))
		}
	})
}

func walk(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		walk(sub, fn)
	}
}

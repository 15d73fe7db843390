package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/payform/payform/inbox"
)

type callbackListOptions struct {
	apart bool
	json  bool
}

func newCallbackListCmd(a *app, runF func(*callbackListOptions) error) *cobra.Command {
	opts := &callbackListOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the callback inbox: what was received, verified, kept apart, taken in",
		Long: `List every item of the callback inbox, oldest first: when it came, from which
gateway, which provider block verified it and how, what it says, and whether a
plan, apply or refresh has taken it in yet. Items kept apart (not verified, or
not checkable when they came) are never taken into the state; --apart lists
only them. It reads the inbox without the state lock.

Exit codes: 0 success; 1 error.`,
		Example: `  payform callback list
  payform callback list --apart
  payform callback list --json | jq 'select(.verdict == "accepted")'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runCallbackList(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.apart, "apart", false, "list only the items kept apart")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print one inbox item per line, as JSON (docs/json-format.md)")
	return cmd
}

func runCallbackList(ctx context.Context, a *app, opts *callbackListOptions) error {
	backend, err := a.openBackend(ctx, a.backendOnly(true))
	if err != nil {
		return err
	}
	defer closeBackend(backend)
	box, err := inboxOf(backend, false)
	if err != nil {
		return err
	}
	defer box.Close()
	folded, err := box.Folded(ctx)
	if err != nil {
		return err
	}
	notes, err := box.Notes(ctx)
	if err != nil {
		return err
	}
	tb := newTable("  ", right, left, left, left, left, left)
	tb.row("#", "RECEIVED", "PROVIDER", "VERDICT", "CALLBACK", "STATE")
	n := 0
	enc := json.NewEncoder(a.ios.Out)
	err = box.Items(ctx, 0, func(it *inbox.Item) error {
		note := notes[it.Seq]
		if opts.apart && (it.Verdict == inbox.Accepted && !strings.HasPrefix(note, "kept apart") || it.Seq > folded && it.Verdict == inbox.Accepted) {
			return nil
		}
		n++
		taken := "kept apart: " + it.Reason
		switch {
		case it.Verdict == inbox.Accepted && it.Seq <= folded && note != "":
			taken = note
		case it.Verdict == inbox.Accepted && it.Seq <= folded:
			taken = "taken in"
		case it.Verdict == inbox.Accepted:
			taken = "waiting for the next plan, apply or refresh"
		}
		if opts.json {
			return enc.Encode(struct {
				*inbox.Item
				TakenIn bool   `json:"taken_in"`
				State   string `json:"state"`
			}{it, it.Seq <= folded && it.Verdict == inbox.Accepted && note == "", taken})
		}
		verdict := string(it.Verdict)
		if it.Via != "" {
			verdict += " (" + it.Via + ")"
		}
		tb.row(fmt.Sprint(it.Seq), formatTime(it.ReceivedAt), orDash(it.Provider), verdict, it.Describe(), taken)
		return nil
	})
	if err != nil {
		return err
	}
	if opts.json {
		return nil
	}
	if n == 0 && opts.apart {
		fmt.Fprintf(a.ios.Out, "Nothing in the callback inbox (%s) was kept apart.\n", box.Describe())
		return nil
	}
	if n == 0 {
		fmt.Fprintf(a.ios.Out, "The callback inbox (%s) is empty.\n", box.Describe())
		return nil
	}
	tb.write(a.ios.Out)
	return nil
}

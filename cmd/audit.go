package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/payform/payform/state"
)

func newAuditCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "audit",
		Short:   "Read and verify the journal: who did what, when, under which plan",
		Example: "  payform audit verify\n  payform audit log --since 24h --json",
		Long: `The journal beside the state records every change payform made, each entry
chained to the one before by a SHA-256 hash. audit log lists the entries; audit
verify checks the chain from the first entry, and that the snapshot's recorded
head is on it.`,
	}
	cmd.AddCommand(newAuditLogCmd(a), newAuditVerifyCmd(a))
	return cmd
}

type auditLogOptions struct {
	json    bool
	since   string
	address string
}

func newAuditLogCmd(a *app) *cobra.Command {
	opts := &auditLogOptions{}
	cmd := &cobra.Command{
		Use:   "log",
		Short: "List journal entries: who, when, what, which plan, outcome",
		Long: `List the journal's entries, oldest first, checking the hash chain as it goes.
--since takes a time (2026-11-21, 2026-11-21T10:00:00Z) or a duration back from
now (24h); --address takes an instance or a block (payout.vendor).

Exit codes: 0 success; 1 error (including a broken chain, named).`,
		Example: `  payform audit log
  payform audit log --since 24h --address 'payout.vendor["po-7"]'
  payform audit log --json | jq -r 'select(.op == "outcome") | [.at, .actor, .address, .outcome] | @tsv'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runAuditLog(a, opts) },
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print one JSON object per entry")
	cmd.Flags().StringVar(&opts.since, "since", "", "only entries at or after `T` (a time, or a duration such as 24h)")
	cmd.Flags().StringVar(&opts.address, "address", "", "only entries about `ADDR` (an instance, or every instance of a block)")
	return cmd
}

// auditEntry is an entry as audit log --json prints it.
type auditEntry struct {
	Seq           uint64            `json:"seq"`
	At            time.Time         `json:"at"`
	Actor         string            `json:"actor"`
	PlanID        string            `json:"plan_id,omitempty"`
	Op            state.Op          `json:"op"`
	Address       string            `json:"address,omitempty"`
	From          string            `json:"from,omitempty"`
	Provider      string            `json:"provider,omitempty"`
	Key           string            `json:"key,omitempty"`
	RequestDigest string            `json:"request_digest,omitempty"`
	Amount        string            `json:"amount,omitempty"`
	Currency      string            `json:"currency,omitempty"`
	Outcome       state.Outcome     `json:"outcome,omitempty"`
	ID            string            `json:"id,omitempty"`
	Status        string            `json:"status,omitempty"`
	Error         string            `json:"error,omitempty"`
	Note          string            `json:"note,omitempty"`
	Remote        map[string]string `json:"remote,omitempty"`
	Hash          string            `json:"hash"`
}

func toAuditEntry(e *state.Entry) auditEntry {
	out := auditEntry{Seq: e.Seq, At: e.At, Actor: e.Actor, PlanID: e.PlanID, Op: e.Op, Address: e.Address, From: e.From,
		Provider: e.Provider, Key: e.Key, RequestDigest: e.RequestDigest, Hash: e.Hash}
	if e.Object != nil {
		out.Amount, out.Currency = e.Object.Amount, e.Object.Currency
	}
	if r := e.Result; r != nil {
		out.Outcome, out.ID, out.Status, out.Error, out.Note, out.Remote = r.Outcome, r.ID, r.Status, r.Error, r.Note, r.Remote
	}
	return out
}

func runAuditLog(a *app, opts *auditLogOptions) error {
	var since time.Time
	if opts.since != "" {
		var err error
		if since, err = parseSince(opts.since, a.now()); err != nil {
			return err
		}
	}
	backend, err := a.openBackend(context.Background(), a.backendOnly(true))
	if err != nil {
		return err
	}
	defer closeBackend(backend)
	enc := json.NewEncoder(a.ios.Out)
	tb := newTable("", right, left, left, left, left, left, left)
	tb.row("SEQ", "AT", "ACTOR", "OP", "ADDRESS", "OUTCOME", "PLAN")
	err = backend.Entries(func(e *state.Entry) error {
		if !since.IsZero() && e.At.Before(since) {
			return nil
		}
		if opts.address != "" && e.Address != opts.address && !strings.HasPrefix(e.Address, opts.address+"[") {
			return nil
		}
		if opts.json {
			return enc.Encode(toAuditEntry(e))
		}
		outcome := ""
		if e.Result != nil {
			outcome = string(e.Result.Outcome)
			if e.Result.Error != "" {
				outcome += ": " + e.Result.Error
			}
		}
		plan := e.PlanID
		if len(plan) > 12 {
			plan = plan[:12]
		}
		tb.row(fmt.Sprint(e.Seq), e.At.UTC().Format(time.RFC3339), e.Actor, string(e.Op), e.Address, outcome, plan)
		return nil
	})
	if !opts.json {
		tb.write(a.ios.Out)
	}
	return err
}

// parseSince reads a time or a duration back from now.
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--since %q: give a time (2026-11-21, 2026-11-21T10:00:00Z) or a duration (24h)", s)
}

func newAuditVerifyCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Check the journal's hash chain and the snapshot against it",
		Long: `Check every journal entry from the first: its own hash, its link to the entry
before it, and the sequence; check that the snapshot's recorded head is on the
chain and that the snapshot's checksum holds. The first bad entry is named.

Exit codes: 0 intact; 1 altered, missing or unreadable (named).`,
		Example: `  payform audit verify
  payform audit verify --state /backups/payform.state.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			backend, err := a.openBackend(cmd.Context(), a.backendOnly(true))
			if err != nil {
				return err
			}
			defer closeBackend(backend)
			n, err := state.Verify(backend)
			if err != nil {
				return fmt.Errorf("audit verify: %w", err)
			}
			fmt.Fprintf(a.ios.Out, "%s %s: %d journal %s, hash chain intact from the first; the snapshot's head is on it.\n",
				a.ios.Paint(bold+green, "Verified"), backend.Describe(), n, plural(n, "entry", "entries"))
			return nil
		},
	}
}

package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/payform/payform/money"
	"github.com/payform/payform/state"
)

func newAuditCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "audit",
		Short:   "Read and verify the journal: who did what, when, under which plan",
		Example: "  payform audit verify\n  payform audit log --since 24h --json",
		Long: `The journal beside the state records every change payform made, each entry
chained to the one before by a SHA-256 hash. audit log lists the entries; audit
verify replays them all and checks the snapshot against them; audit head prints
the journal's head, to keep outside the state (a pull-request comment, a ticket)
so that audit verify --head can later prove the history still reaches it.`,
	}
	cmd.AddCommand(newAuditLogCmd(a, nil), newAuditVerifyCmd(a, nil), newAuditHeadCmd(a, nil))
	return cmd
}

type auditLogOptions struct {
	json    bool
	since   string
	address string
}

func newAuditLogCmd(a *app, runF func(*auditLogOptions) error) *cobra.Command {
	opts := &auditLogOptions{}
	cmd := &cobra.Command{
		Use:   "log",
		Short: "List journal entries: who, when, what, which plan, outcome",
		Long: `List the journal's entries, oldest first, checking the hash chain as it goes:
who and when, the operation, the instance, its merchant key, the amount an
intent declared, the outcome and the gateway's status.
--since takes a time (2026-11-21, 2026-11-21T10:00:00Z) or a duration back from
now (24h); --address takes an instance or a block (payout.vendor).

Exit codes: 0 success; 1 error (including a broken chain, named).`,
		Example: `  payform audit log
  payform audit log --since 24h --address 'payout.vendor["po-7"]'
  payform audit log --json | jq -r 'select(.op == "outcome") | [.at, .actor, .address, .outcome] | @tsv'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runAuditLog(cmd.Context(), a, opts)
		},
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
	// Callback names the inbox item a callback entry took in.
	Callback *state.CallbackRef `json:"callback,omitempty"`
	// Approvals are who approved the plan an apply entry starts.
	Approvals []state.Approval `json:"approvals,omitempty"`
	Hash      string           `json:"hash"`
}

func toAuditEntry(e *state.Entry) auditEntry {
	out := auditEntry{Seq: e.Seq, At: e.At, Actor: e.Actor, PlanID: e.PlanID, Op: e.Op, Address: e.Address, From: e.From,
		Provider: e.Provider, Key: e.Key, RequestDigest: e.RequestDigest, Callback: e.Callback, Approvals: e.Approvals, Hash: e.Hash}
	if e.Object != nil {
		out.Amount, out.Currency = e.Object.Amount, e.Object.Currency
	}
	if r := e.Result; r != nil {
		out.Outcome, out.ID, out.Status, out.Error, out.Note, out.Remote = r.Outcome, r.ID, r.Status, r.Error, r.Note, r.Remote
	}
	return out
}

func runAuditLog(ctx context.Context, a *app, opts *auditLogOptions) error {
	var since time.Time
	if opts.since != "" {
		var err error
		if since, err = parseSince(opts.since, a.now()); err != nil {
			return err
		}
	}
	backend, err := a.openBackend(ctx, a.backendOnly(true))
	if err != nil {
		return err
	}
	defer closeBackend(backend)
	enc := json.NewEncoder(a.ios.Out)
	tb := newTable("", right, left, left, left, left, left, right, left, left, left)
	tb.row("SEQ", "AT", "ACTOR", "OP", "ADDRESS", "KEY", "AMOUNT", "OUTCOME", "STATUS", "PLAN")
	err = backend.Entries(ctx, func(e *state.Entry) error {
		if !since.IsZero() && e.At.Before(since) {
			return nil
		}
		if opts.address != "" && e.Address != opts.address && !strings.HasPrefix(e.Address, opts.address+"[") {
			return nil
		}
		if opts.json {
			return enc.Encode(toAuditEntry(e))
		}
		outcome, status, amount := "", "", ""
		if e.Result != nil {
			outcome, status = string(e.Result.Outcome), e.Result.Status
			if e.Result.Error != "" {
				outcome += ": " + e.Result.Error
			}
		}
		if o := e.Object; o != nil && o.Amount != "" {
			amount = money.FormatString(o.Amount, o.Currency) + " " + o.Currency
		}
		if len(e.Approvals) > 0 {
			outcome = "approved by " + approvers(e.Approvals)
		}
		plan := e.PlanID
		if len(plan) > 12 {
			plan = plan[:12]
		}
		tb.row(fmt.Sprint(e.Seq), e.At.UTC().Format(time.RFC3339), e.Actor, string(e.Op), e.Address, e.Key, amount, outcome, status, plan)
		return nil
	})
	if !opts.json {
		tb.write(a.ios.Out)
	}
	return err
}

// approvers names the signers of an apply entry's approvals, each once.
func approvers(as []state.Approval) string {
	var names []string
	for _, a := range as {
		if !slices.Contains(names, a.Principal) {
			names = append(names, a.Principal)
		}
	}
	return strings.Join(names, ", ")
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

type auditVerifyOptions struct{ heads []string }

func newAuditVerifyCmd(a *app, runF func(*auditVerifyOptions) error) *cobra.Command {
	opts := &auditVerifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify [--head SEQ:HASH]...",
		Short: "Replay the whole journal and check the snapshot and the anchored heads against it",
		Long: `Replay every journal entry from the first through the state machine every load
uses: each entry's own hash, its link to the entry before it, its sequence and
time, and that it is a transition payform could have written (an outcome needs a
pending intent, a plan's entries its apply and its actor, ...). Then compare the
state the journal gives with the snapshot, field by field, and check that the
journal still reaches every anchored head: each --head given (as "payform audit
head" printed it, kept outside the state directory), and, on the pg backend,
every head recorded in its append-only heads table. With PAYFORM_AUDIT_KEY set,
every entry's and the snapshot's seal is checked too. The first problem is
named.

Without the audit key, the hash chain proves that the history is internally
consistent and, with an anchored head, that nothing up to that head was changed;
someone with write access to the state could still rewrite the whole history
after the last anchor. With the key, no entry or snapshot can be altered or
forged without it.

Exit codes: 0 intact; 1 altered, missing or unreadable (named).`,
		Example: `  payform audit verify
  payform audit verify --head 1234:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
  payform audit verify --state /backups/payform.state.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runAuditVerify(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.heads, "head", nil, "a journal head `SEQ:HASH` the journal must still reach (repeatable)")
	return cmd
}

func runAuditVerify(ctx context.Context, a *app, opts *auditVerifyOptions) error {
	anchors, err := parseHeads(opts.heads)
	if err != nil {
		return err
	}
	key, err := a.auditKey()
	if err != nil {
		return err
	}
	backend, err := a.openBackend(ctx, a.backendOnly(true))
	if err != nil {
		return err
	}
	defer closeBackend(backend)
	rep, err := state.Verify(ctx, backend, key, anchors)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	a.renderVerify(backend.Describe(), rep)
	return nil
}

// renderVerify says what audit verify proved.
func (a *app) renderVerify(what string, rep *state.Report) {
	fmt.Fprintf(a.ios.Out, "%s %s: %d journal %s replayed from the first, every one a transition payform writes; the snapshot (at entry %d) is what they give.\n",
		a.ios.Paint(bold+green, "Verified"), what, rep.Entries, plural(rep.Entries, "entry", "entries"), rep.Snapshot)
	if rep.Head.Seq > 0 {
		fmt.Fprintf(a.ios.Out, "Head: %s\n", rep.Head)
	}
	switch {
	case rep.KeyChecked && rep.Sealed > 0:
		fmt.Fprintf(a.ios.Out, "Seals: %d sealed %s checked with PAYFORM_AUDIT_KEY", rep.Sealed, plural(rep.Sealed, "entry", "entries"))
		if rep.Unsealed > 0 {
			fmt.Fprintf(a.ios.Out, "; %d older %s unsealed", rep.Unsealed, plural(rep.Unsealed, "entry is", "entries are"))
		}
		fmt.Fprintln(a.ios.Out, ".")
	case rep.Sealed > 0:
		fmt.Fprintf(a.ios.Out, "Seals: %d %s sealed but not checked: set PAYFORM_AUDIT_KEY to check them.\n", rep.Sealed, plural(rep.Sealed, "entry is", "entries are"))
	case rep.KeyChecked:
		fmt.Fprintln(a.ios.Out, "Seals: none; the journal was written without PAYFORM_AUDIT_KEY.")
	}
	if n := len(rep.Anchors); n > 0 {
		fmt.Fprintf(a.ios.Out, "Anchors: the journal reaches all %d anchored %s (the last at entry %d).\n", n, plural(n, "head", "heads"), rep.Anchors[n-1].Seq)
	}
}

type auditHeadOptions struct{ json bool }

func newAuditHeadCmd(a *app, runF func(*auditHeadOptions) error) *cobra.Command {
	opts := &auditHeadOptions{}
	cmd := &cobra.Command{
		Use:   "head",
		Short: "Print the journal's head (SEQ:HASH) to keep outside the state",
		Long: `Print the journal's last entry as SEQ:HASH. Keep it somewhere the state's
writers cannot change (a pull-request comment, a commit, a ticket): "payform
audit verify --head SEQ:HASH" later proves that the journal still reaches that
entry, unchanged, with everything before it. apply prints the new head when it
ends.

Exit codes: 0 success; 1 error.`,
		Example: `  payform audit head
  payform audit verify --head "$(payform audit head)"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runAuditHead(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the head as JSON (seq, hash, at)")
	return cmd
}

func runAuditHead(ctx context.Context, a *app, opts *auditHeadOptions) error {
	st, err := a.readState(ctx)
	if err != nil {
		return err
	}
	if st.JournalSeq == 0 {
		return errors.New("the journal has no entries yet")
	}
	h := state.Head{Seq: st.JournalSeq, Hash: st.JournalHash, At: st.JournalAt}
	if opts.json {
		return writeJSON(a.ios.Out, h)
	}
	fmt.Fprintln(a.ios.Out, h)
	return nil
}

// parseHeads reads --head SEQ:HASH values, the anchors audit verify and
// report check the journal against.
func parseHeads(heads []string) ([]state.Head, error) {
	var anchors []state.Head
	for _, h := range heads {
		head, err := state.ParseHead(h)
		if err != nil {
			return nil, err
		}
		anchors = append(anchors, head)
	}
	return anchors, nil
}

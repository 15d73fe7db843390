package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/payform/payform/internal/atomicfile"
	"github.com/payform/payform/report"
)

type reportOptions struct {
	since, until string
	format       string
	out          string
	heads        []string
}

func newReportCmd(a *app, runF func(*reportOptions) error) *cobra.Command {
	opts := &reportOptions{}
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write a report for auditors: totals, failures, the ledger and the journal check",
		Long: `Write one self-contained HTML page about a period, made from the state and its
journal: the journal check (audit verify's verdict, with PAYFORM_AUDIT_KEY and
--head as audit verify takes them, and the journal's head), the
items that failed, were cancelled, underpaid, refused or are in doubt (first,
with their amounts), the totals sent, invoiced and paid per currency and per
day as charts, the status breakdown, the totals per provider, the plans
applied, and the full ledger (address, key, gateway id, amount, currency,
status and its history, who, when, plan) to sort and filter. The page loads
nothing from anywhere. --format csv writes the ledger as CSV instead.

--since and --until take a time (2026-11-01, 2026-11-01T10:00:00Z) or a
duration back from now (720h); --until is exclusive, and a date alone means the
end of that day. Without them the report covers everything. The file is
written with mode 0600, like the state: it holds the same information.

Exit codes: 0 success; 1 error, or the journal check failed (the report is
still written, and says so at the top).`,
		Example: `  payform report --since 2026-11-01 --until 2026-11-30 --out november.html
  payform report --since 720h --format csv > ledger.csv
  payform report --state /backups/payform.state.json --out audit.html
  payform report --since 2026-12-01 --head "$(cat last-report.head)" --out december.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runReport(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().StringVar(&opts.since, "since", "", "cover from `T` on (a time, or a duration back from now)")
	cmd.Flags().StringVar(&opts.until, "until", "", "cover up to `T`, exclusive (a date alone: through that day)")
	cmd.Flags().StringVar(&opts.format, "format", "html", "html, or csv for the ledger alone")
	cmd.Flags().StringVarP(&opts.out, "out", "o", "", "write to `FILE` (default: standard output)")
	cmd.Flags().StringArrayVar(&opts.heads, "head", nil, "a journal head `SEQ:HASH` the journal must still reach, as for audit verify (repeatable)")
	return cmd
}

func runReport(ctx context.Context, a *app, opts *reportOptions) error {
	var write func(io.Writer, *report.Model) error
	switch opts.format {
	case "html":
		write = report.WriteHTML
	case "csv":
		write = report.WriteCSV
	default:
		return fmt.Errorf("--format %q: want html or csv", opts.format)
	}
	if opts.out == "" && opts.format == "html" && a.ios.IsTerminal() {
		return errors.New("the HTML report is a whole page: write it to a file with --out FILE, or redirect standard output")
	}
	period, err := reportPeriod(opts, a.now())
	if err != nil {
		return err
	}
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
	m, err := report.FromBackend(ctx, backend, report.Options{Period: period, Now: a.now(), AuditKey: key, Anchors: anchors})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if opts.out == "" {
		if err := write(a.ios.Out, m); err != nil {
			return err
		}
	} else if err := writeReportFile(opts.out, func(w io.Writer) error { return write(w, m) }); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if opts.out != "" {
		fmt.Fprintf(a.ios.ErrOut, "Wrote %s: %d %s in the ledger, %d %s attention.\n", opts.out,
			len(m.Ledger), plural(len(m.Ledger), "item", "items"), len(m.Attention), plural(len(m.Attention), "needs", "need"))
	}
	if !m.Check.OK {
		return fmt.Errorf("the journal check failed: %s (the report says so at the top)", m.Check.Error)
	}
	if opts.out != "" {
		fmt.Fprintf(a.ios.ErrOut, "Journal verified: %d %s, head %d:%s.\n",
			m.Check.Entries, plural(m.Check.Entries, "entry", "entries"), m.Check.HeadSeq, m.Check.HeadHash)
	}
	return nil
}

// reportPeriod reads --since and --until.
func reportPeriod(opts *reportOptions, now time.Time) (report.Period, error) {
	var p report.Period
	var err error
	if opts.since != "" {
		if p.Since, err = parseSince(opts.since, now); err != nil {
			return p, err
		}
	}
	if opts.until != "" {
		if d, derr := time.Parse(time.DateOnly, opts.until); derr == nil {
			p.Until = d.AddDate(0, 0, 1) // through that day
		} else if p.Until, err = parseSince(opts.until, now); err != nil {
			return p, fmt.Errorf("--until %q: give a time (2026-11-30, 2026-11-30T10:00:00Z) or a duration back from now (24h)", opts.until)
		}
	}
	if !p.Since.IsZero() && !p.Until.IsZero() && !p.Since.Before(p.Until) {
		return p, fmt.Errorf("--since %s is not before --until %s: the period is empty", opts.since, opts.until)
	}
	return p, nil
}

// writeReportFile writes path atomically (a reader never sees half a
// report), mode 0600.
func writeReportFile(path string, write func(io.Writer) error) error {
	return atomicfile.WriteFunc(path, write)
}

// Package report makes payform's report for auditors: what was sent,
// invoiced and paid in a period, what failed, was cancelled, underpaid,
// refused or is in doubt, per provider, the full ledger with each item's
// history from the journal, and the journal check (state.Verify) with the
// journal's head.
//
// Build computes a Model from the state, a walk of its journal and the
// check's verdict (FromBackend does all three from a state.Backend);
// WriteHTML renders it as one self-contained page (inline CSS, SVG charts
// and a little JavaScript to sort and filter the ledger; nothing is
// loaded from anywhere) and WriteCSV writes the ledger. The package reads
// state only through its public API and knows nothing of plans, commands
// or gateways' clients; cmd/report.go is the command.
package report

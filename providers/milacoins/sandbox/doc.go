// Package sandbox emulates the MilaCoins API at the paths
// gateways/NOTES.md settles (currencies, wallets, invoices, payment
// links, the invoice list and the request log under /api/v1), checking
// X-api-key, X-time and X-Sig as the page describes and answering its
// error catalogue. Invoices move from timestamps, and payment links' GET
// callbacks follow their final statuses (due.go). Every mutation is
// journalled through an emulator.Journal before the answer is sent, and
// New rebuilds the state from it.
//
// It answers what MilaCoins' page documents and nothing more. What it
// does where the page is silent, and what Options.Strict turns off, is in
// docs/sandboxes.md (MilaCoins).
package sandbox

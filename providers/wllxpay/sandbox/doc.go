// Package sandbox emulates WllxPay, the CoinsPaid v1 white-label: POST
// /api/v1/withdrawal/make and /api/v1/addresses/take (optionally
// CoinsPaid's v2 GET /api/v2/transactions/info and POST
// /api/v2/accounts/list), with X-Processing-Key /
// X-Processing-Signature authentication, the documented error bodies and
// signed callbacks: a deposit's, and a withdrawal's at every change of its
// status, forced through the admin API or made by the clock (type
// "withdrawal", with its foreign_id; withdrawal_callback.go), retried
// until answered 200 on the vendor's schedule. Every mutation is
// journalled through an emulator.Journal before the answer is sent, and
// New rebuilds the state from it; the admin API sets balances, currencies
// and statuses.
//
// It answers what WllxPay's page documents and nothing more. What it does
// where the page is silent, and what Options.Strict turns off, is in
// docs/sandboxes.md (WllxPay).
package sandbox

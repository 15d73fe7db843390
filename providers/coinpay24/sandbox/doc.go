// Package sandbox emulates CoinPay24's v1 invoice API, mounted at
// /coinpay24: POST /v1/invoices/create, /v1/invoices/{id}/checkout,
// /v1/invoices/{id} and /v1/invoices (also GET), with api_key as a
// field, the documented limits, statuses computed from timestamps, and
// payment callbacks signed with verify_hash on every status change,
// retried on the documented schedule. Every mutation is journalled
// through an emulator.Journal before the answer is sent, and New rebuilds
// the state from it; the admin API sets statuses and shows callbacks, Pay
// simulates customers.
//
// It answers what CoinPay24's page documents and nothing more. What it
// does where the page is silent, and what Options.Strict turns off, is in
// docs/sandboxes.md (CoinPay24).
package sandbox

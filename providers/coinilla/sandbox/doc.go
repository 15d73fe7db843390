// Package sandbox emulates Coinilla's API 1.0: POST /pay (func=1) makes
// an invoice keyed by refnum, POST /verify answers func=3 (invoice and
// refnum) and func=4 (trans_id), GET /pay?invoice=ID shows a minimal
// payment page, and the buyer's return forms are POSTed to return_url,
// fail_url or unconfirm_url. Requests are form fields authenticated by
// apikey. Every mutation is journalled through an emulator.Journal before
// the answer is sent, and New rebuilds the state from it; statuses follow
// from timestamps.
//
// It answers what Coinilla's page documents and nothing more. What it
// does where the page is silent is in docs/sandboxes.md (Coinilla).
package sandbox

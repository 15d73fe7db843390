// Package coinilla is payform's client for Coinilla's API 1.0: invoices
// through POST /pay (func=1) keyed by refnum, always sent with
// duplicate_refnum=0 so that Coinilla refuses a repeated refnum, and
// status through POST /verify (func=3 by invoice id and refnum; func=4 by
// trans_id). Requests are form-encoded and authenticated by the apikey
// field; answers are JSON and, by the vendor's habit, HTTP 200 even when
// they carry an `error` text.
//
// Failures are classified (providers.Class): an `error` text that says
// the refnum is taken ("duplicate refnum", "refnum already exists" ...,
// matched by meaning because the vendor documents no text) is Duplicate,
// any other `error` text is Rejected (Auth when it is about the apikey);
// 429 and failures before a
// connection was made (providers.SendTrace) are Retryable; 5xx, cut
// connections, timeouts, a 200 that does not decode, a 200 with neither
// an error nor a 64-hex invoice id, and an error beside a 64-hex invoice
// id are Ambiguous.
//
// Coinilla cannot look an invoice up by refnum alone, so Lookup is
// unsupported; Refresh verifies each known invoice, and leaves out one
// Coinilla does not know. Check verifies an invoice that does not exist
// (64 zeros), which proves the apikey and creates nothing. verify only says paid, paid-0 or notpaid: paid-0
// (unconfirmed) maps to pending, and notpaid to pending unless the
// gateway's `error` beside it says the invoice expired, was cancelled or
// was underpaid — the notes payform's emulator gives (see sandbox).
//
// The buyer's return to return_url, unconfirm_url or fail_url is a
// browser POST that nobody signs: VerifyReturn checks its shape only, and
// Client.ConfirmReturn verifies it and applies the vendor's acceptance
// rule (Accepts). Coinilla sends no server callback, so the provider is
// not a providers.CallbackVerifier. The pending URL (unconfirm_url) is
// the invoice field pending_url. The emulator is in the sandbox
// subpackage.
package coinilla

// Package sandbox emulates WllxPay, the CoinsPaid v1 white-label: POST
// /api/v1/withdrawal/make and /api/v1/addresses/take, optionally the
// CoinsPaid v2 GET /api/v2/transactions/info lookup, with their
// X-Processing-Key / X-Processing-Signature (HMAC-SHA512 of the raw body)
// authentication and their documented error bodies. Withdrawals are
// "processing" until ConfirmAfter has passed, then "confirmed"; the admin
// API sets balances, enabled currencies and forced statuses. Every
// mutation is journalled through an emulator.Journal before the answer is
// sent, and New rebuilds the state from it.
//
// Choices where the vendor is silent (gateways/NOTES.md lists the
// sources):
//   - a taken foreign_id is answered 400 {"foreign_id":"The Foreign ID has
//     already been taken."}, error_code "foreign_id_taken", before any
//     other validation, so a resend of a committed request always learns
//     it was committed; then field validation (400, every field at once,
//     error_code "validation_error"), a currency not enabled (400
//     "forbidden_currency"), the balance (422 "not_enough_balance");
//   - no fee is charged: currency_fee only names the chain's native coin;
//     a forced error or cancelled status does not refund the balance;
//   - every addresses/take makes a new address; for XRP it is the
//     merchant's one account with a new numeric tag (sent as a string,
//     like all of the vendor's values), unique per take;
//   - a withdrawal tag is accepted only for tag currencies (XRP), as an
//     unsigned 32-bit integer;
//   - JSON numbers are accepted where strings are documented (foreign_id,
//     amount, tag), taken as their literal text;
//   - an unknown path is 403 "No key header" without a key header (as the
//     vendor answers invalid URLs) and 404 {"error":"Not found","code":
//     "not_found"} with one; the disabled v2 path is an unknown path;
//     a wrong method is 405 {"error":"Method Not Allowed","code":
//     "method_not_allowed"}; a body over 1 MiB is 413;
//   - v2 answers "processing" or "confirmed" (not CoinsPaid's
//     "not_confirmed"), maps error to "cancelled", and reports not found
//     under the field that was looked up;
//   - the 429 body is {"errors":{"rate_limit":"error code: 1015"},
//     "error_code":"rate_limited"}, since the vendor's sample
//     {"errors":{"error code: 1015"}} is not JSON;
//   - a ledger object's create_requests counts every authenticated create
//     request that named its key, accepted or refused (a body that is not
//     JSON names no key); refusals are journalled too;
//   - a failure to journal answers 500 {"error":"Internal Server Error"}
//     and changes nothing; deposit addresses show status "active" in the
//     ledger.
package sandbox

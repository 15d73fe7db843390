// Package milacoins is payform's client for MilaCoins invoices: plain
// invoices (POST /api/v1/invoices) and payment links (POST
// /api/v1/invoices/payment-link, chosen when an invoice declares
// success_url and cancel_url), keyed by externalID; lookups and status
// refreshes through GET /api/v1/transactions/invoices/ and
// /transactions/invoices/{id}. The base URL is the host; under `payform
// sandbox serve` it is http://HOST/milacoins. The emulator is in the
// sandbox subpackage.
//
// Every request carries X-api-key, X-time (integer seconds) and X-Sig,
// the lowercase hex HMAC-SHA256 of X-time + METHOD + the request path as
// sent (the base URL's path prefix included, so /milacoins/api/v1/...
// under the sandbox server) with its raw query + the exact body bytes.
// Bodies are compact JSON without HTML escaping, as JSON.stringify writes
// them; amounts are JSON numbers written from the exact decimal. Query
// values are escaped except for letters, digits, "-._~:,", so the raw and
// decoded query read alike. Redirects are never followed.
//
// Check lists the wallets (GET /api/v1/wallets), signed like every call,
// and refuses a block whose wallet option the account does not have.
//
// Failures are classified: 403 (4301, 4303, 4304; Auth for 4301 and
// 4304, the key refused) and 401 validation
// (1001-1007, 1600-1603), 404 and other 4xx are Rejected with the
// gateway's message; 401/1601 DB_DUPLICATE is Duplicate; 429 or 4302 and
// failures before a connection was made (providers.SendTrace) are
// Retryable; 5xx, 3xx, cut connections, timeouts and undecodable 2xx
// answers are Ambiguous. The client never paces itself: payform does.
//
// Choices where the vendor is silent (gateways/NOTES.md):
//   - the wallet is the invoice's wallet field, else the provider
//     block's wallet option, else the invoice currency;
//   - callback_url and customer_email exist only on payment links, and a
//     payment link needs both URLs: other combinations are refused before
//     sending; expires_at (RFC 3339) is sent as expiredAt unchanged;
//   - the create answer has no status: a new invoice is pending, raw
//     status "init" (payment link) or "new" (plain), as the sandbox starts
//     them; payment_url and expires_at come from that answer only (lists
//     do not carry them, so adopted invoices have neither);
//   - Lookup lists by externalID from Query.Since less 24 hours, reads
//     every page, and returns the newest invoice with the key; a failed
//     or short page is an error, never absence;
//   - Refresh lists with limit=500 from the refs' earliest CreatedAt less
//     an hour to their latest plus an hour, matching by id (else by key,
//     newest); refs it did not see are read by id (404/1604 or 401/1600
//     DB_CAST: left out) or looked up by key;
//   - statuses: init, new, waitingForConfirmation → pending; completed and
//     paidLate → paid; underPaid, overPaid → underpaid, overpaid; invalid
//     → invalid (MilaCoins uses it for expired and cancelled alike);
//   - paid_amount is walletCredited when the wallet is the invoice
//     currency, else networkAmountReceived converted by exchangeRate and
//     rounded to the currency's places (see PaidAmount);
//   - no rate limit is documented, so Gateway.Limits is empty.
package milacoins

// Package sandbox emulates the MilaCoins API at the paths
// gateways/NOTES.md settles: GET /api/v1/currencies and /api/v1/wallets,
// POST /api/v1/invoices and /api/v1/invoices/payment-link, GET
// /api/v1/transactions/invoices/ (limit, page, from, to, wallet,
// externalID, status, type) and /transactions/invoices/{id}, GET
// /api/v1/logs/ and /logs/{id}, each with or without a trailing slash. It
// checks X-api-key, X-time (within Skew, fractional seconds accepted when
// signed as sent) and X-Sig over the literal request URI and body bytes,
// and answers the vendor's error catalogue, {requestID, name, message,
// code}, with its statuses, 401 for validation included. Invoices move
// from timestamps, no background work; every mutation is journalled
// before the answer and New rebuilds the state from the journal.
//
// Choices where the vendor is silent:
//   - a request meets the rate limit (none by default; a fixed window
//     when set, 429/4302 with Retry-After), the 1 MiB body bound (1602),
//     authentication (4304 for key or signature, 4303 for X-time), the
//     route (404/404 NOT_FOUND, also for a known path with another
//     method), then validation;
//   - the signed path is the URI as received, /milacoins prefix included;
//     LenientPath also takes it without its leading slash and relative to
//     the mount point, as the vendor's JavaScript sample signs it;
//   - create validation reports one error: a field not taken (1002, first
//     by name), then in documented order a required field missing, null
//     or "" (1003) or of the wrong JSON type (1001), the wallet (1006),
//     the currency (1007), then 1602 DB_INVALID_INPUT for the amount (> 0,
//     within the currency's places), expiredAt (ISO 8601, else 1001; in
//     the past, 1602) and URLs; StrictExternalID then refuses a repeated
//     externalID (1601). A body not sent as JSON is {}, as Express reads
//     it. Payment links take expiredAt too ("as above", NOTES);
//   - list queries: an unknown parameter is 1002, limit above 500 is cut
//     to 500, page counts from 1, from and to are inclusive (a date alone
//     is midnight UTC), type is invoice or paymentLink (1004), statuses
//     are checked against the enum (1005); newest first. An id that is not
//     24 hex digits is 401/1600 DB_CAST;
//   - the create answer is 200 with expiredAt and createdAt in epoch
//     milliseconds and url https://milacoins.sandbox.invalid/pay/ID; list
//     documents have createdAt as toISOString writes it, refund null, and
//     zero amounts, an empty network and a null exchangeRate until paid;
//   - invoice ids are 8 hex digits of seconds and 16 of a journalled
//     sequence (receiptID is 100000 + it); request and log ids add a
//     random per-process part;
//   - statuses: init (payment link) or new (invoice); invalid at expiredAt
//     (Expiry, 60 minutes, when not given); once paid,
//     waitingForConfirmation for ConfirmAfter (10 s), then completed,
//     underPaid or overPaid, or paidLate for a payment at or after
//     expiredAt; a status forced through the admin API wins;
//   - Pay takes one payment per invoice, in Payment.Currency or else the
//     wallet when it is crypto, else USDT, at fixed sandbox prices;
//     walletCredited is credited at once; exchangeRate is the price of the
//     network coin in the invoice currency;
//   - callbacks are GETs of the expanded callbackUrl (values
//     query-escaped) with no body or signature: complete when a payment
//     arrives (before its confirmations) or a paid status is forced,
//     cancel when invalid is forced; nothing at expiry; retried after 1, 5
//     and 15 minutes, 1 and 6 hours (CallbackScale divides them);
//   - the request log keeps, in memory, the last 10,000 requests that
//     carried the right key (refused ones included), key masked;
//   - create_requests counts every create request naming an externalID,
//     refused ones included; a failure to journal answers 500
//     INTERNAL_ERROR and changes nothing.
package sandbox

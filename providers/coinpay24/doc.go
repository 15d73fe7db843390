// Package coinpay24 is payform's client for CoinPay24 invoices. It speaks
// the v1 API as the vendor's curl examples do: every call a form-encoded
// POST with api_key as a field. Create is POST /invoices/create, followed
// by POST /invoices/{id}/checkout when the invoice declares a
// pay_currency; Client.Invoice reads one by id; Lookup and Refresh page
// through POST /invoices. VerifyCallback checks a payment callback's
// verify_hash, and the provider is a providers.CallbackVerifier for
// `payform callback verify`. Check reads one invoice of the list (POST
// /invoices, per_page=1). The emulator is in the sandbox subpackage.
//
// Errors are classified (providers.Class): 401 (with Auth), 404, 422 and
// other 4xx are Rejected, 429 Retryable with its Retry-After, failures before a
// connection was made Retryable (providers.SendTrace), 5xx and every
// other failure Ambiguous.
// No rate limiting happens here: payform paces calls with Gateway.Limits.
//
// Choices where the vendor and gateways/NOTES.md are silent:
//   - 408 is Retryable; 503 is Ambiguous like every 5xx; a 422 whose
//     errors.order_id says "already taken" (an account that refuses
//     repeated order_ids) is Duplicate; error_message is the message,
//     with CoinGate's "message" and "error" read when it is missing;
//   - a 2xx create answer with neither id nor payment_url is Ambiguous;
//     with a payment_url but no id it is a success without an id;
//   - a pay_currency that is not one of the gateway's crypto currencies
//     is Rejected before anything is sent; a checkout that fails after
//     the create succeeded leaves the invoice as created, with the reason
//     in Fields[FieldCheckoutError];
//   - underpaid_amount and overpaid_amount are read as amounts in
//     pay_currency (CoinGate's meaning), so paid_amount is reported only
//     where it is exact: the price of a paid invoice, or the price less
//     or plus the difference when the shopper paid in the price currency;
//   - "completed", which the vendor's plugins test for, is paid; "invalid"
//     with an underpaid_amount (a short payment whose time ran out) is
//     underpaid; "pending" stays pending whatever it received; a status
//     word CoinPay24 does not document is pending, so it is read again;
//   - list scans ask for created_at[from] = the UTC day before the
//     earliest moment of interest (slack for the gateway's time zone),
//     no created_at[to], 100 a page, newest first; a scan proves absence
//     only if every page came back, each the page asked for, none empty
//     before the last, and together at least total_invoices;
//   - Refresh matches a ref by id, or, when it has none, by order_id
//     (the newest invoice with it).
package coinpay24

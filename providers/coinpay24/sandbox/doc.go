// Package sandbox emulates CoinPay24's v1 invoice API, mounted at
// /coinpay24: POST /v1/invoices/create, /v1/invoices/{id}/checkout,
// /v1/invoices/{id} and /v1/invoices (the list), with api_key as a body
// field, the documented limits, statuses computed from timestamps, and
// signed payment callbacks on every status change, retried on the
// documented schedule. Every mutation is journalled through an
// emulator.Journal before the answer is sent, and New rebuilds the state
// from it. The admin API (admin.go) sets statuses and shows callbacks;
// Pay simulates customers.
//
// Choices where the vendor and gateways/NOTES.md are silent:
//   - every endpoint is POST only (the list's heading says GET, its
//     example posts); bodies may be form-encoded (also with no
//     Content-Type, as curl -d sends), multipart or a JSON object (numbers
//     taken as their literal text, an object one level deep flattened to
//     created_at[from]); of a repeated form field the last counts, as in
//     PHP; the query string is not read;
//   - a request meets the route (404), the method (405), the body (413,
//     400), api_key (401), the rate limits (429), then the endpoint; errors
//     are {"error_message","errors"}, and a 422's error_message repeats
//     every field's error; an unknown or non-numeric invoice id is 404;
//   - create: order_id required (at most 255 characters), price_amount or
//     amount (if both, equal), above zero within the currency's
//     precision, price_currency an exact upper-case code of the rate
//     table, title at most 150 characters, description 1,000, URLs http or
//     https; with StrictOrderID a used order_id is refused first;
//   - ids count from 1; payment_url has the vendor's shape with a token
//     derived from the id (the sandbox has no payment page); amounts are
//     written with a decimal place ("10.0"), zero as "0", times with
//     "+00:00"; pay_*, expire_at, payment_address and the under/overpaid
//     amounts appear only after checkout, as in the vendor's examples;
//   - checkout only of a new invoice; pay_amount is the price at the fixed
//     rate table (rates.go, US dollars per unit) rounded up to the pay
//     currency's precision; the address is money.GenerateAddress over
//     "coinpay24/ID/CURRENCY";
//   - statuses: new, pending after checkout, paid once a payment arrives,
//     expired at created_at + Expiry when unpaid; invalid, canceled and
//     refunded only through the admin API, and they stay; confirming is
//     never used. A partial payment is paid with underpaid_amount, an
//     over payment paid with overpaid_amount, both in the pay currency;
//     a late payment of an unexpired invoice expires it at once, then
//     pays it;
//   - the list: per_page 1 to 100 (422 beyond, not clamped), dates are
//     whole UTC days, both ends included, ties in created_at by id;
//   - limits are sliding windows over authenticated requests admitted (a
//     401 or 429 does not count) and over invoices made; they restart
//     empty with the process; Retry-After is the wait for the window;
//   - create_requests counts every authenticated create request with an
//     order_id, refused or not;
//   - callbacks carry the example's names (txn_id, not id) plus
//     payment_address, expire_at and the under/overpaid amounts after
//     checkout, no settlement fields; none for the creation itself; each
//     is delivered on its own, so order is not guaranteed; 1 send and 40
//     retries; a redirect is never followed; private networks are not
//     refused (a sandbox's merchants live there); an expiry's callback
//     goes at the first request after it or from a timer, and its sending
//     is journalled so a restart neither repeats nor forgets it, but
//     retries in flight end with the process;
//   - a failure to journal answers 500 and changes nothing.
package sandbox

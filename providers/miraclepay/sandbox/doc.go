// Package sandbox emulates MiraclePay's External Payments API: POST
// /external/payments/prompt, GET /external/payments/prompt/:id and GET
// /external/blockchains/active, behind HTTP Basic authentication with the
// documented 401s, answering errors in NestJS's {"statusCode","message",
// "error"} shape. A prompt is pending until it expires (Expiry, 24 h) or
// ends through Pay or the admin API; statuses follow from timestamps.
// Every mutation is journalled through an emulator.Journal before the
// answer is sent, and New rebuilds the state from it.
//
// Choices where the vendor is silent (gateways/NOTES.md lists the
// sources):
//   - a request meets the route (404 "Cannot METHOD /path", before
//     authentication, as NestJS does), the Authorization header (401s in
//     the vendor's order: header, client id, key, user active, merchant
//     admin), then for a create: the JSON body (another content type reads
//     as empty; malformed JSON is 400 "Unexpected token in JSON body"),
//     DTO validation (400, every class-validator message at once, as an
//     array: amount a positive number with at most 2 decimals and no
//     exponent, blockchainIds a non-empty array of strings, payer
//     merchant|customer, note a string of at most 1000 characters,
//     redirectUrl a string of at most 2048; null and an empty redirectUrl
//     count as absent; unknown properties are ignored), "Main branch not
//     found", "Invalid or inactive blockchain IDs: …", the payment
//     addresses ("No payment addresses configured" when none of the ids
//     has one, "Missing payment addresses for some blockchains" when some
//     lack one), then redirectUrl: "Invalid redirect URL format" unless an
//     absolute http(s) URL with a host, "No redirect domains configured",
//     "Redirect URL domain not allowed" unless its host name equals an
//     allowed domain (case aside; any port; no subdomains);
//   - a created prompt is 201; the commission is CommissionPercent (3) of
//     the amount rounded half up to cents and always reported; it is added
//     to prompt.amount only when the customer pays it (100.50 → 103.52,
//     "3.02"); ids are UUID v4 from Options.Entropy; checkoutUrl is
//     CheckoutURL + "?sessionId=" + id; redirectUrl is echoed or null;
//   - GET answers the vendor's four fields plus amount, commissionAmount,
//     payer and note (as the create answer and the dashboard show them),
//     so that an in-doubt prompt can be checked before it is adopted; blockchainId is the
//     chain paid on, else the first one allowed;
//   - Pay: full and over → successful, partial → unsuccessful, late →
//     refused (the checkout closes at expiry; the prompt stays expired);
//     the admin API can end a pending prompt as successful, unsuccessful
//     or cancelled, and change the account (active, merchant admin, main
//     branch); an ended prompt never changes again;
//   - the blockchains answer is [{id, name, active}]: by default the seven
//     production ids plus btc-test and eth-test, with payment addresses
//     for the production ones only; allowed domains default to the page's examples
//     (shop.example.com, store.mysite.com, checkout.yourdomain.com), each
//     a fully qualified domain name as the page requires;
//   - the ledger key is the word after "payform:" in the note, else the
//     note, else the prompt id; create_requests counts every
//     authenticated create for that key, accepted or refused (a refused
//     request without a note names no key and is not counted);
//   - 429 is not documented; the fault injector's generic body is sent;
//     a failure to journal answers 500 and changes nothing.
package sandbox

// Package miraclepay is payform's client for MiraclePay's External
// Payments API: invoices are payment prompts made by POST
// /external/payments/prompt and read by GET /external/payments/prompt/:id,
// with HTTP Basic authentication (client id : API key) and JSON bodies;
// GET /external/blockchains/active lists the networks (Client.Blockchains;
// Check calls it, which proves the credentials and creates nothing).
//
// MiraclePay has no merchant key: every POST makes a new prompt, and a
// prompt can be read only by its id. So the kind's in-doubt strategy is
// Manual, Lookup is unsupported, and the merchant key is written into the
// note as "payform:KEY" (then the description, after a space) so that a
// person can find the prompt in the dashboard.
//
// Choices where the vendor is silent: the amount is a JSON number written
// from the exact decimal; the payer defaults to "merchant" (the customer
// is asked for exactly the declared amount) and blockchains are required
// (refused here without a call, as is a currency other than USD); the
// created object keeps the declared amount, with the commission
// (commission_amount) and what the customer pays (total_amount) in its
// fields. Errors are NestJS bodies whose message is a string or an array
// (joined by "; "); 4xx are Rejected (401 with Auth), 429 Retryable, 5xx Ambiguous. A
// transport failure is Retryable only before a connection was made (a
// failed dial, DNS lookup or TLS handshake; providers.SendTrace): any
// later one, a timeout included, may have made a prompt.
// A GET 404 leaves the prompt out of Refresh. GET answers id,
// blockchainId, status and createdAt only, so a refreshed prompt carries
// neither the key (the ref's is echoed) nor the amount (KindSupport.Unread
// says so), and created_at in Fields. Statuses: pending →
// pending, successful → paid, unsuccessful → invalid, expired → expired,
// cancelled → cancelled, anything else → pending. The emulator is in the
// sandbox subpackage.
package miraclepay

// Package wllxpay is payform's client for WllxPay (a white-label of the
// CoinsPaid v1 API): payouts through withdrawal/make and deposit addresses
// through addresses/take, each request signed with HMAC-SHA512 over the raw
// body. It classifies every failure (providers.Class): 403 authentication
// (with Auth) and 400/422 validation are Rejected, "The Foreign ID has already been
// taken." is Duplicate, 429 and failures before a connection was made
// (providers.SendTrace) are Retryable, and everything else that may have
// been processed (timeouts, cut connections, 5xx) is Ambiguous.
//
// A payout's destination tag is sent in withdrawal/make although the v1
// page's request table does not list it (docs/sandboxes.md says why), and
// the created object's Tag is the answer's echo, never the tag sent.
//
// v1 cannot look anything up; the undocumented v2 transactions/info lookup
// and the v2 accounts/list balances (Balances) are used only when the
// provider block sets v2_lookup = true. So Check can prove the
// credentials only with v2_lookup (it looks up a foreign_id nobody
// uses); without it, it only reaches the endpoint, with an unsigned GET
// WllxPay answers 403 "No key header". The emulator is in the sandbox
// subpackage.
package wllxpay

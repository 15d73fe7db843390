// Package providers is the contract between payform's planner and the
// payment gateways: the Provider interface (which calls are idempotent,
// what "not found" means), the error classes every gateway maps its
// failures to, and the Gateway descriptor that says how a provider block is
// configured and which of the gateway's own rules (CheckInvoice,
// CheckOption) payform enforces before anything is sent. Optional
// capabilities are small interfaces probed through the wrappers:
// Balancer, CallbackVerifier, CallbackConfirmer, and Checker, the one
// read-only call that proves an endpoint and its credentials (Check;
// CanLookup and CanReadBalances tell what a provider can do without a
// call), for `payform init`.
//
// Each gateway lives in its own subpackage with its HTTP client
// (providers/wllxpay) and its emulator (providers/wllxpay/sandbox).
// providers/gateways lists them all; providers/emulator holds what the
// emulators share (faults, ledger, persistence). Retry and settle_time
// wrap a Provider (retry.go, WithSettle); rate limits are a Limiter per
// gateway account (ratelimit.go) whose transport every request goes
// through and whose WithRateLimit wrapper marks creates (limited.go),
// remembering sends across runs in a SendLog (providers/sendlog keeps
// one in a file). This package knows nothing of plans or state.
package providers

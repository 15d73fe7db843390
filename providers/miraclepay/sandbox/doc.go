// Package sandbox emulates MiraclePay's External Payments API: POST
// /external/payments/prompt, GET /external/payments/prompt/:id and GET
// /external/blockchains/active, behind HTTP Basic authentication with the
// documented 401s, answering errors in NestJS's {"statusCode","message",
// "error"} shape. A prompt is pending until it expires (24 h) or ends
// through Pay or the admin API. Every mutation is journalled through an
// emulator.Journal before the answer is sent, and New rebuilds the state
// from it.
//
// It answers what MiraclePay's page documents and nothing more (GET
// answers id, blockchainId, status and createdAt only). What it does
// where the page is silent is in docs/sandboxes.md (MiraclePay).
package sandbox

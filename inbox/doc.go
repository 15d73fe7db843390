// Package inbox keeps the callbacks gateways send, between the moment
// `payform callback serve` (or `payform callback ingest`) receives one and
// the moment a command that holds the state lock takes it into the state.
//
// A Receiver verifies each request the vendor's way, through Verifiers
// that inbox/verifier makes from the provider blocks' clients (a
// signature; or, for gateways that sign nothing, the object read back
// from the gateway), and makes every verified one durable in a Store
// before it answers 200: a gateway that
// got its 200 never sends the callback again, so nothing is answered
// that could still be lost. What cannot be verified is kept apart
// (Verdict rejected or unconfirmed) and never taken into the state.
//
// Stores: Local (a JSON-lines file beside the local state, fsynced) here;
// state/pg keeps the inbox in a table. Neither takes the state lock: the
// inbox is written while plans and applies run, and executor.Fold takes
// it into the state, under the lock, as journaled callback entries. This
// package knows nothing of the state, of plans or of gateways (the state
// backends use it).
package inbox

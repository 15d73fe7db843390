// Package state owns payform's record of what it sent: the State model
// (managed and forgotten resources, reserved keys, consumed plans), the
// hash-chained journal every change is written to first, the snapshot
// that is rewritten atomically at the end of a command, and the
// workspace lock.
//
// Loading is snapshot + replay of the journal entries after it, once the
// hash chain up to the snapshot's head checks out; a torn last journal
// line is skipped with a warning, anything else that does not check out
// is a *CorruptError and is never repaired silently. Backends (Local here,
// state/pg for PostgreSQL) store the bytes; Store is what commands use.
// This package knows nothing of gateways or plans.
package state

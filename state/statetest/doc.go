// Package statetest is the conformance suite every state backend passes
// (Local in package state, PostgreSQL in state/pg): record, close and
// load give the exact state; replay equals live; the lock; a writer on a
// stale state; compare-and-swap; a write torn by a crash; tampering with
// the journal and the snapshot, with and without an audit key; anchored
// heads; push, import and retire; plan records; many pages of entries;
// checkpoints. A backend joins with a Suite (a fresh workspace, a way to
// kill a store, to lose its lock and to tear its last write, raw access
// to the stored bytes for tampering) and Run; its refusals' exact
// messages are kept in a golden file beside its test.
package statetest

// Package pg is the PostgreSQL state backend: state.Backend with Local's
// semantics and Local's bytes, for teams and CI. A workspace's snapshot is
// one row of the workspaces table and each journal line one row of the
// journal table, stored exactly as Local writes them, so state moves
// between backends unchanged (Import, Retire) and the hash chain verifies
// the same way everywhere. It passes the suite in state/statetest.
//
// The workspace lock is a session advisory lock on a dedicated
// connection, plus a visible lease row; journal commits go through that
// session and are group-committed; snapshot writes compare-and-swap on
// serial. The schema is created and migrated on first use (migrate.go).
//
// SendLog keeps the rate limiters' recent sends in the sendlog table, per
// gateway account and shared by the schema's workspaces, so that a run on
// another machine starts with the windows earlier runs filled; cmd adapts
// it to providers.SendLog, which this package does not import, and runs
// the send-log conformance suite against it.
//
// Encodings, the hash chain and replay belong to package state; this
// package stores bytes and checks the links between rows. Commands and
// flags (backend "pg", state migrate, force-unlock) live in cmd/.
package pg

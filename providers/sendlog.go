package providers

import "time"

// SendLog remembers when requests left payform, per gateway account, so
// that a run started after another (killed mid-window, or just finished)
// begins with the windows the earlier one filled, and the gateway's
// counter is not tripped across a restart.
//
// A Limiter records every request twice under one ID: before it leaves
// (Done zero) and once its answer came (Done set). The first record must
// be durable against the process being killed before the request is
// sent, so that no request ever left unrecorded; the second only shortens
// what the next run waits (a send without an answer counts as under way
// for the client's timeout). Implementations are safe for concurrent use.
//
// providers/sendlog keeps one in a local file beside the state; a shared
// backend (PostgreSQL) implements the same two calls on a table keyed by
// (account, id), and passes sendlog/sendlogtest.
type SendLog interface {
	// Load returns the account's sends whose latest time (Done, else At)
	// is at or after since, oldest first.
	Load(account string, since time.Time) ([]Send, error)
	// Record adds a send, or sets the Done of the send with its ID.
	Record(account string, s Send) error
}

// Send is one request as a SendLog keeps it.
type Send struct {
	ID     string    // unique within the log
	At     time.Time // when it left payform
	Done   time.Time // when its answer (or failure) came; zero while under way
	Create bool      // counted by creates-only limits
}

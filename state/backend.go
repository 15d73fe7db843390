package state

import (
	"context"
	"fmt"
	"time"
)

// Backend stores one workspace's snapshot and journal. Implementations:
// Local (files beside each other) and, later, pg.
type Backend interface {
	// Lock takes the workspace's exclusive lock for the whole command,
	// waiting up to timeout. A lock held by a dead process is free.
	Lock(ctx context.Context, info LockInfo, timeout time.Duration) (Unlocker, error)
	// Load reads the snapshot and replays the journal entries after it.
	// It returns (nil, nil, nil) when the workspace has no state yet.
	// Warnings are for survivable oddities (a torn last journal line).
	Load() (*State, []string, error)
	// OpenJournal prepares appends after st's journal head, removing a
	// torn last line if there is one. It writes st as the first snapshot
	// when the workspace has none, so the lineage exists before any entry.
	OpenJournal(st *State) (Journal, error)
	// WriteSnapshot replaces the snapshot atomically.
	WriteSnapshot(st *State) error
	// Entries calls fn for every journal entry from the first, checking
	// the chain; it stops at the first error, naming the bad entry.
	Entries(fn func(*Entry) error) error
	// Describe names the storage for messages ("payform.state.json").
	Describe() string
}

// Journal appends entries to the hash chain.
type Journal interface {
	// Write assigns e's Seq, Prev and Hash and writes it. It returns
	// before the entry is durable; call Sync for that.
	Write(e *Entry) error
	// Sync returns once every entry up to seq is durable. Concurrent
	// callers share one fsync (group commit).
	Sync(seq uint64) error
	// Head returns the last entry written: its seq, hash and the offset
	// just after it (for backends that have offsets).
	Head() (seq uint64, hash string, offset int64)
	Close() error
}

// Unlocker releases a lock.
type Unlocker interface{ Unlock() error }

// LockInfo says who holds a lock, shown to whoever waits for it.
type LockInfo struct {
	ID        string    `json:"id"`
	Operation string    `json:"operation"`
	Who       string    `json:"who"`
	PID       int       `json:"pid"`
	Version   string    `json:"version"`
	Created   time.Time `json:"created"`
}

// LockedError is returned when the lock could not be taken in time.
type LockedError struct {
	Path   string
	Holder *LockInfo // nil when the holder's info could not be read
	Waited time.Duration
}

func (e *LockedError) Error() string {
	if e.Holder == nil {
		return fmt.Sprintf("state %s is locked by another payform process (waited %s)", e.Path, e.Waited)
	}
	h := e.Holder
	return fmt.Sprintf("state %s is locked by %s (pid %d) since %s, running %q (lock id %s; waited %s)",
		e.Path, h.Who, h.PID, h.Created.UTC().Format(time.RFC3339), h.Operation, h.ID, e.Waited)
}

// CorruptError reports state that payform refuses to read. It is never
// repaired silently.
type CorruptError struct {
	What   string // file or table
	Seq    uint64 // the bad journal entry, 0 for the snapshot
	Line   int    // 1-based journal line, 0 when unknown
	Reason string
}

func (e *CorruptError) Error() string {
	switch {
	case e.Seq != 0 && e.Line != 0:
		return fmt.Sprintf("%s: entry %d (line %d) is corrupt: %s", e.What, e.Seq, e.Line, e.Reason)
	case e.Seq != 0:
		return fmt.Sprintf("%s: entry %d is corrupt: %s", e.What, e.Seq, e.Reason)
	case e.Line != 0:
		return fmt.Sprintf("%s: line %d is corrupt: %s", e.What, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s is corrupt: %s", e.What, e.Reason)
}

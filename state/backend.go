package state

import (
	"context"
	"fmt"
	"time"
)

// Backend stores one workspace's snapshot and journal. Implementations:
// Local (files beside each other) and state/pg (PostgreSQL). Every
// backend passes the suite in state/statetest.
//
// Optional capabilities are small interfaces of their own (Puller,
// Pusher, Importer, Retirer, ForceUnlocker, HeadKeeper), probed once by
// the commands that need them.
type Backend interface {
	// Lock takes the workspace's exclusive lock for the whole command,
	// waiting up to timeout. A lock held by a dead process is free.
	Lock(ctx context.Context, info LockInfo, timeout time.Duration) (Unlocker, error)
	// Load reads the snapshot and replays the journal entries after it.
	// It returns (nil, nil, nil) when the workspace has no state yet, and
	// a *MovedError for a state that was migrated away. Warnings are for
	// survivable oddities (a torn last journal line).
	Load(ctx context.Context) (*State, []string, error)
	// OpenJournal prepares appends after st's journal head, removing a
	// torn last line if there is one. It writes st as the first snapshot
	// when the workspace has none, so the lineage exists before any entry.
	OpenJournal(ctx context.Context, st *State) (Journal, error)
	// WriteSnapshot replaces the snapshot atomically.
	WriteSnapshot(ctx context.Context, st *State) error
	// Entries calls fn for every journal entry from the first, checking
	// the chain; it stops at the first error, naming the bad entry.
	Entries(ctx context.Context, fn func(*Entry) error) error
	// Describe names the storage for messages ("payform.state.json").
	Describe() string
}

// Puller returns the snapshot's bytes exactly as stored.
type Puller interface {
	Pull(ctx context.Context) ([]byte, error)
}

// Pusher replaces the snapshot with data (`state push`). Implementations
// refuse a snapshot of another lineage or an older serial unless force,
// and always refuse one that is not what replaying the journal gives.
type Pusher interface {
	Push(ctx context.Context, data []byte, force bool) error
}

// Importer takes a whole state from another backend (`state migrate`):
// the snapshot bytes and every journal entry, verbatim. The workspace
// must have no state (or only a tombstone pointing at src).
type Importer interface {
	Import(ctx context.Context, src Backend) error
}

// Retirer leaves a tombstone once the state moved elsewhere: every later
// command on this workspace refuses, naming where it went.
type Retirer interface {
	Retire(ctx context.Context, to MovedTo) error
}

// ForceUnlocker removes a dead holder's lock lease.
type ForceUnlocker interface {
	ForceUnlock(ctx context.Context, id string) error
}

// HeadKeeper keeps the journal heads of past commands where the runners
// cannot rewrite them (pg: an append-only table), so that audit verify
// can check the journal still reaches every one.
type HeadKeeper interface {
	// RecordHead appends a head.
	RecordHead(ctx context.Context, h Head) error
	// Heads calls fn for every head recorded, oldest first.
	Heads(ctx context.Context, fn func(Head) error) error
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

// Checker is implemented by locks that can tell whether they are still
// held (a lock file replaced or removed under a holder is not).
type Checker interface{ Check() error }

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

// MovedError refuses a state that was migrated to another backend.
type MovedError struct {
	What string
	To   MovedTo
}

func (e *MovedError) Error() string {
	return fmt.Sprintf("%s was moved to %s on %s by %s: it is kept only as a tombstone, and no command uses it. Point the payform block's backend at %s.",
		e.What, e.To.Backend, e.To.At.UTC().Format(time.RFC3339), e.To.By, e.To.Backend)
}

// Head names one journal entry: what `payform audit head` prints and
// `audit verify --head` checks the journal still reaches.
type Head struct {
	Seq   uint64    `json:"seq"`
	Hash  string    `json:"hash"`
	At    time.Time `json:"at,omitzero"`
	Actor string    `json:"actor,omitempty"`
}

func (h Head) String() string { return fmt.Sprintf("%d:%s", h.Seq, h.Hash) }

// ParseHead reads SEQ:HASH.
func ParseHead(s string) (Head, error) {
	var h Head
	var hash string
	if _, err := fmt.Sscanf(s, "%d:%s", &h.Seq, &hash); err != nil || len(hash) != 64 || h.Seq == 0 {
		return Head{}, fmt.Errorf("%q is not a journal head: give SEQ:HASH as payform audit head prints it (e.g. 1234:9f86d081884c7d65...)", s)
	}
	for _, c := range hash {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return Head{}, fmt.Errorf("%q is not a journal head: the hash is 64 lower-case hex digits", s)
		}
	}
	h.Hash = hash
	return h, nil
}

package inbox

import "context"

// Store keeps the inbox's items. Implementations: Local (a file beside
// the local state) and state/pg (a table). Items are never changed or
// removed: the inbox is evidence, like the journal.
type Store interface {
	// Add makes it durable and gives it its Seq and, for an accepted one,
	// returns only once it is durable (fsync, or committed). An accepted
	// item that repeats one already kept (the same DedupeKey) is not kept
	// twice: Add returns the first one's seq and false, once that one is
	// durable. Items kept apart (rejected, unconfirmed) may be written
	// without waiting for the disk, and their bodies cut: no gateway is
	// told they were taken.
	Add(ctx context.Context, it *Item) (seq uint64, added bool, err error)
	// Items calls fn for every item after seq, oldest first.
	Items(ctx context.Context, after uint64, fn func(*Item) error) error
	// Folded is the seq of the last item the state has taken in (0:
	// none); SetFolded records it, once the entries it led to are
	// durable, with a note for each item up to it that was read but led
	// to no entry (kept apart, a repeat, an older status): the notes are
	// kept with the earlier ones, and Notes returns them all.
	Folded(ctx context.Context) (uint64, error)
	SetFolded(ctx context.Context, seq uint64, notes map[uint64]string) error
	Notes(ctx context.Context) (map[uint64]string, error)
	// Describe names the storage for messages.
	Describe() string
	Close() error
}

// MaxApartBody bounds the body kept for an item kept apart: a flood of
// forged requests cannot fill the disk with their bodies.
const MaxApartBody = 16 << 10

package pg

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/payform/payform/state"
)

// ErrChanged is wrapped by a snapshot or journal write that lost a race:
// the workspace is no longer what this Backend loaded.
var ErrChanged = errors.New("the state was changed by another writer")

// WriteSnapshot replaces the snapshot, compare-and-swap on serial: it
// succeeds only while the workspace still holds the serial this Backend
// last loaded or wrote (or, for a new workspace, no state at all).
// Otherwise the error wraps ErrChanged.
func (b *Backend) WriteSnapshot(ctx context.Context, st *state.State) error {
	data, err := state.EncodeSnapshot(st, b.audit)
	if err != nil {
		return err
	}
	ctx, cancel := b.opCtx(ctx)
	defer cancel()
	err = b.writeTx(ctx, func(tx pgx.Tx) error { return b.putSnapshot(ctx, tx, st, data) })
	if err != nil {
		return b.fail("writing the snapshot", err)
	}
	b.snapSeen(true, st.Serial)
	return nil
}

// putSnapshot stores data, st's encoding, with the compare-and-swap.
func (b *Backend) putSnapshot(ctx context.Context, tx pgx.Tx, st *state.State, data []byte) error {
	if err := b.onChain(ctx, tx, st); err != nil {
		return err
	}
	b.mu.Lock()
	exists, serial := b.snapExists, b.snapSerial
	b.mu.Unlock()
	if !exists {
		tag, err := tx.Exec(ctx, b.q(`INSERT INTO {s}.workspaces (name, lineage, serial, snapshot) VALUES ($1, $2, $3, $4)
ON CONFLICT (name) DO NOTHING`), b.workspace, st.Lineage, int64(st.Serial), data)
		if err == nil && tag.RowsAffected() == 0 {
			err = b.changed(ctx, tx, "no state")
		}
		return err
	}
	tag, err := tx.Exec(ctx, b.q(`UPDATE {s}.workspaces SET serial = $2, snapshot = $3, updated_at = now()
WHERE name = $1 AND serial = $4 AND lineage = $5`), b.workspace, int64(st.Serial), data, int64(serial), st.Lineage)
	if err == nil && tag.RowsAffected() == 0 {
		err = b.changed(ctx, tx, fmt.Sprintf("serial %d of lineage %s", serial, st.Lineage))
	}
	return err
}

// changed is the compare-and-swap failure; loaded says what this
// Backend expected.
func (b *Backend) changed(ctx context.Context, q queryRower, loaded string) error {
	var lineage string
	var serial int64
	found := "no state"
	if q.QueryRow(ctx, b.q(`SELECT lineage, serial FROM {s}.workspaces WHERE name = $1`), b.workspace).Scan(&lineage, &serial) == nil {
		found = fmt.Sprintf("serial %d of lineage %s", serial, lineage)
	}
	return fmt.Errorf("%w: the workspace holds %s, this command loaded %s; run it again", ErrChanged, found, loaded)
}

// onChain checks that st's journal head is on the workspace's journal: a
// snapshot never names entries the journal does not hold, nor sits on
// another lineage's journal.
func (b *Backend) onChain(ctx context.Context, q queryRower, st *state.State) error {
	if st.JournalSeq == 0 {
		var prev string
		err := q.QueryRow(ctx, b.q(`SELECT prev FROM {s}.journal WHERE workspace = $1 AND seq = 1`), b.workspace).Scan(&prev)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return nil
		case err != nil:
			return err
		case prev != state.GenesisHash(st.Lineage):
			return fmt.Errorf("the workspace's journal belongs to another lineage than the snapshot's (%s)", st.Lineage)
		}
		return nil
	}
	var hash string
	err := q.QueryRow(ctx, b.q(`SELECT hash FROM {s}.journal WHERE workspace = $1 AND seq = $2`), b.workspace, int64(st.JournalSeq)).Scan(&hash)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("the snapshot includes journal entries up to %d, which the workspace's journal does not hold", st.JournalSeq)
	case err != nil:
		return err
	case hash != st.JournalHash:
		return fmt.Errorf("the snapshot's journal head (entry %d) differs from the workspace's entry %d: it belongs to another history", st.JournalSeq, st.JournalSeq)
	}
	return nil
}

// Pull returns the snapshot bytes exactly as stored. Journal entries
// after the snapshot (a command that was killed) are not in them; Load
// replays those.
func (b *Backend) Pull(ctx context.Context) ([]byte, error) {
	var data []byte
	err := b.main.do(func(c *pgx.Conn) error {
		return c.QueryRow(ctx, b.q(`SELECT snapshot FROM {s}.workspaces WHERE name = $1`), b.workspace).Scan(&data)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, &state.NoStateError{What: b.Describe()}
	}
	return data, b.fail("reading the snapshot", err)
}

// Push replaces the snapshot with data, stored verbatim. It refuses a
// snapshot of another lineage, or one whose serial is not newer than the
// workspace's, unless force. Even with force it refuses a snapshot that is
// not what replaying the workspace's journal up to its head gives: a
// snapshot never hides, replaces or invents journal entries.
func (b *Backend) Push(ctx context.Context, data []byte, force bool) error {
	st, err := state.DecodeSnapshot("the pushed snapshot", data, b.audit)
	if err != nil {
		return err
	}
	if !force {
		var lineage string
		var serial int64
		err := b.main.do(func(c *pgx.Conn) error {
			return c.QueryRow(ctx, b.q(`SELECT lineage, serial FROM {s}.workspaces WHERE name = $1`), b.workspace).Scan(&lineage, &serial)
		})
		switch {
		case err == nil && lineage != st.Lineage:
			return b.fail("pushing the snapshot", fmt.Errorf("refused: the snapshot is of lineage %s, the workspace holds lineage %s (another state); force replaces it", st.Lineage, lineage))
		case err == nil && st.Serial <= uint64(serial):
			return b.fail("pushing the snapshot", fmt.Errorf("refused: the snapshot's serial %d is not newer than the workspace's %d; force replaces it", st.Serial, serial))
		case err != nil && !errors.Is(err, pgx.ErrNoRows):
			return b.fail("pushing the snapshot", err)
		}
	}
	if _, err := state.CheckSnapshot(ctx, b, data, b.audit); err != nil {
		return b.fail("pushing the snapshot", fmt.Errorf("refused, even with force: %w", err))
	}
	err = b.writeTx(ctx, func(tx pgx.Tx) error {
		var lineage string
		var serial int64
		err := tx.QueryRow(ctx, b.q(`SELECT lineage, serial FROM {s}.workspaces WHERE name = $1 FOR UPDATE`), b.workspace).Scan(&lineage, &serial)
		exists := err == nil
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if exists && !force {
			if lineage != st.Lineage {
				return fmt.Errorf("refused: the snapshot is of lineage %s, the workspace holds lineage %s (another state); force replaces it", st.Lineage, lineage)
			}
			if st.Serial <= uint64(serial) {
				return fmt.Errorf("refused: the snapshot's serial %d is not newer than the workspace's %d; force replaces it", st.Serial, serial)
			}
		}
		if err := b.onChain(ctx, tx, st); err != nil {
			return fmt.Errorf("refused, even with force: %w; payform never discards journal entries", err)
		}
		if exists {
			_, err = tx.Exec(ctx, b.q(`UPDATE {s}.workspaces SET lineage = $2, serial = $3, snapshot = $4, updated_at = now() WHERE name = $1`),
				b.workspace, st.Lineage, int64(st.Serial), data)
		} else {
			_, err = tx.Exec(ctx, b.q(`INSERT INTO {s}.workspaces (name, lineage, serial, snapshot) VALUES ($1, $2, $3, $4)`),
				b.workspace, st.Lineage, int64(st.Serial), data)
		}
		return err
	})
	if err != nil {
		return b.fail("pushing the snapshot", err)
	}
	b.snapSeen(true, st.Serial)
	return nil
}

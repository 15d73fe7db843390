package pg

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/payform/payform/state"
)

// Moving state between backends copies the snapshot bytes and every
// journal line verbatim, so the hash chain, the seals, the snapshot's
// checksum and its journal offset stay valid. An entry whose line cannot
// be rebuilt byte for byte (a field this payform does not know) is
// refused rather than altered. The caller holds the source's lock, so that
// it does not change meanwhile; the destination is written under its own
// lock, in one transaction.

// Import copies src's state into this workspace, in one transaction. The
// workspace must have no state, or only a tombstone of src's lineage (a
// state moving back), whose journal must then be the start of src's.
func (b *Backend) Import(ctx context.Context, src state.Backend) error {
	if src == state.Backend(b) {
		return fmt.Errorf("%s: cannot import a workspace into itself", b.Describe())
	}
	data, err := state.RawSnapshot(ctx, src)
	if err != nil {
		return err
	}
	st, err := state.DecodeSnapshot(src.Describe(), data, b.audit)
	if err != nil {
		return err
	}
	err = b.writeTx(ctx, func(tx pgx.Tx) error {
		var have []byte
		err := tx.QueryRow(ctx, b.q(`SELECT snapshot FROM {s}.workspaces WHERE name = $1 FOR UPDATE`), b.workspace).Scan(&have)
		exists := err == nil
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		var held uint64 // journal entries the workspace holds already
		if exists {
			_, derr := state.DecodeSnapshot(b.Describe(), have, b.audit)
			var me *state.MovedError
			if !errors.As(derr, &me) {
				return errors.New("refused: the workspace already has state; import only into an empty workspace")
			}
			var lineage string
			if err := tx.QueryRow(ctx, b.q(`SELECT lineage FROM {s}.workspaces WHERE name = $1`), b.workspace).Scan(&lineage); err != nil {
				return err
			}
			if lineage != st.Lineage {
				return fmt.Errorf("refused: the workspace holds the tombstone of lineage %s, not %s", lineage, st.Lineage)
			}
			var n int64
			if err := tx.QueryRow(ctx, b.q(`SELECT coalesce(max(seq), 0) FROM {s}.journal WHERE workspace = $1`), b.workspace).Scan(&n); err != nil {
				return err
			}
			held = uint64(n)
			if _, err := tx.Exec(ctx, b.q(`UPDATE {s}.workspaces SET serial = $2, snapshot = $3, updated_at = now() WHERE name = $1`),
				b.workspace, int64(st.Serial), data); err != nil {
				return err
			}
		} else if _, err := tx.Exec(ctx, b.q(`INSERT INTO {s}.workspaces (name, lineage, serial, snapshot) VALUES ($1, $2, $3, $4)`),
			b.workspace, st.Lineage, int64(st.Serial), data); err != nil {
			return err
		}
		var batch []row
		var end int64
		err = src.Entries(ctx, func(e *state.Entry) error {
			line, err := state.EncodeVerbatim(e)
			if err != nil {
				return err
			}
			end += int64(len(line))
			if e.Seq <= held {
				var hash string
				if err := tx.QueryRow(ctx, b.q(`SELECT hash FROM {s}.journal WHERE workspace = $1 AND seq = $2`), b.workspace, int64(e.Seq)).Scan(&hash); err != nil {
					return err
				}
				if hash != e.Hash {
					return fmt.Errorf("refused: %s's journal entry %d differs from the one the workspace holds", src.Describe(), e.Seq)
				}
				return nil
			}
			batch = append(batch, row{seq: e.Seq, prev: e.Prev, hash: e.Hash, line: line, end: end, at: e.At})
			if len(batch) < pageRows {
				return nil
			}
			err = b.insertRows(ctx, tx, batch)
			batch = batch[:0]
			return err
		})
		if err == nil && len(batch) > 0 {
			err = b.insertRows(ctx, tx, batch)
		}
		if err != nil {
			return err
		}
		if err := b.onChain(ctx, tx, st); err != nil {
			return &state.CorruptError{What: src.Describe(), Reason: err.Error()}
		}
		return nil
	})
	if err != nil {
		return b.fail("importing from "+src.Describe(), err)
	}
	b.snapSeen(true, st.Serial)
	if _, err := state.CheckSnapshot(ctx, b, data, b.audit); err != nil {
		return b.fail("importing from "+src.Describe(), err)
	}
	return nil
}

// Retire replaces the workspace's snapshot with a tombstone that says
// where the state went; the journal stays, for auditors. Every later Load
// refuses with a *state.MovedError.
func (b *Backend) Retire(ctx context.Context, to state.MovedTo) error {
	data, err := b.Pull(ctx)
	if err != nil {
		return err
	}
	tomb, err := state.Tombstone(b.Describe(), data, to, b.audit)
	if err != nil {
		return err
	}
	err = b.writeTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, b.q(`UPDATE {s}.workspaces SET serial = serial + 1, snapshot = $2, updated_at = now() WHERE name = $1`), b.workspace, tomb)
		return err
	})
	return b.fail("retiring the workspace", err)
}

// RecordHead appends a journal head to the heads table, which refuses
// updates and deletes by trigger: a runner that can only write the
// journal cannot rewrite the history a recorded head anchors.
func (b *Backend) RecordHead(ctx context.Context, h state.Head) error {
	ctx, cancel := b.opCtx(ctx)
	defer cancel()
	err := b.writeTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, b.q(`INSERT INTO {s}.heads (workspace, seq, hash, at, actor) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (workspace, seq) DO NOTHING`), b.workspace, int64(h.Seq), h.Hash, h.At, h.Actor)
		return err
	})
	return b.fail("recording the journal head", err)
}

// Heads calls fn for every recorded head, oldest first.
func (b *Backend) Heads(ctx context.Context, fn func(state.Head) error) error {
	var heads []state.Head
	err := b.main.do(func(c *pgx.Conn) error {
		ctx, cancel := b.opCtx(ctx)
		defer cancel()
		rows, err := c.Query(ctx, b.q(`SELECT seq, hash, at, actor FROM {s}.heads WHERE workspace = $1 ORDER BY seq`), b.workspace)
		if err != nil {
			return err
		}
		heads, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (state.Head, error) {
			var h state.Head
			var seq int64
			err := r.Scan(&seq, &h.Hash, &h.At, &h.Actor)
			h.Seq = uint64(seq)
			return h, err
		})
		return err
	})
	if err != nil {
		return b.fail("reading the journal heads", err)
	}
	for _, h := range heads {
		if err := fn(h); err != nil {
			return err
		}
	}
	return nil
}

// RecordPlan appends a plan record to the plans table, which refuses
// updates and deletes by trigger.
func (b *Backend) RecordPlan(ctx context.Context, r state.PlanRecord) error {
	line, err := state.EncodePlanRecord(r, b.audit)
	if err != nil {
		return err
	}
	ctx, cancel := b.opCtx(ctx)
	defer cancel()
	err = b.writeTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, b.q(`INSERT INTO {s}.plans (workspace, plan_id, line) VALUES ($1, $2, $3)`), b.workspace, r.PlanID, line)
		return err
	})
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" { // unique_violation on (workspace, plan_id)
		return fmt.Errorf("%s: plan %s is already recorded; a plan is recorded once, when it is saved", b.Describe(), r.PlanID)
	}
	return b.fail("recording the plan", err)
}

// PlanRecord returns planID's record, nil when there is none.
func (b *Backend) PlanRecord(ctx context.Context, planID string) (*state.PlanRecord, error) {
	var line []byte
	err := b.main.do(func(c *pgx.Conn) error {
		ctx, cancel := b.opCtx(ctx)
		defer cancel()
		return c.QueryRow(ctx, b.q(`SELECT line FROM {s}.plans WHERE workspace = $1 AND plan_id = $2`), b.workspace, planID).Scan(&line)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, b.fail("reading the plan record", err)
	}
	r, err := state.DecodePlanRecord(line, b.audit)
	if err != nil {
		return nil, &state.CorruptError{What: b.Describe() + " plans", Reason: err.Error()}
	}
	return r, nil
}

package pg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/payform/payform/inbox"
)

// Inbox returns the workspace's callback inbox: the inbox table. It is
// not the workspace's lock: `payform callback serve` writes it while
// plans and applies run, on the Backend's main connection.
func (b *Backend) Inbox() inbox.Store { return &pgInbox{b: b} }

type pgInbox struct{ b *Backend }

var _ inbox.Store = (*pgInbox)(nil)

func (x *pgInbox) Describe() string { return x.b.Describe() + " inbox" }

// Close is a no-op: the Backend owns the connections.
func (x *pgInbox) Close() error { return nil }

// Add inserts it under the inbox's advisory lock, so that seqs follow
// commit order and a reader never sees seq N+1 before N. A repeat of an
// accepted item is found by its dedupe key. Every item is committed
// before Add returns.
func (x *pgInbox) Add(ctx context.Context, it *inbox.Item) (uint64, bool, error) {
	b := x.b
	ctx, cancel := b.opCtx(ctx)
	defer cancel()
	key := it.DedupeKey()
	var seq uint64
	added := false
	err := b.main.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, advisoryKey("inbox", b.schema, b.workspace)); err != nil {
			return err
		}
		if key != "" {
			err := tx.QueryRow(ctx, b.q(`SELECT seq FROM {s}.inbox WHERE workspace = $1 AND dedupe = $2`), b.workspace, key).Scan(&seq)
			if err == nil {
				return nil
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		if err := tx.QueryRow(ctx, b.q(`SELECT coalesce(max(seq), 0) + 1 FROM {s}.inbox WHERE workspace = $1`), b.workspace).Scan(&seq); err != nil {
			return err
		}
		if it.Verdict != inbox.Accepted {
			it.Request.Truncate(inbox.MaxApartBody)
		}
		it.Seq = seq
		line, err := json.Marshal(it)
		if err != nil {
			return err
		}
		var dedupe *string
		if key != "" {
			dedupe = &key
		}
		_, err = tx.Exec(ctx, b.q(`INSERT INTO {s}.inbox (workspace, seq, received_at, verdict, dedupe, item) VALUES ($1, $2, $3, $4, $5, $6)`),
			b.workspace, seq, it.ReceivedAt, string(it.Verdict), dedupe, line)
		added = err == nil
		return err
	})
	if err != nil {
		return 0, false, b.fail("keeping a callback in the inbox", err)
	}
	return seq, added, nil
}

// inboxPage bounds the rows Items reads at once; fn runs between pages,
// never while a query holds the connection.
const inboxPage = 500

// Items calls fn for every item after seq, oldest first.
func (x *pgInbox) Items(ctx context.Context, after uint64, fn func(*inbox.Item) error) error {
	b := x.b
	for {
		var page []*inbox.Item
		err := func() error {
			qctx, cancel := b.opCtx(ctx)
			defer cancel()
			return b.main.do(func(c *pgx.Conn) error {
				rows, err := c.Query(qctx, b.q(`SELECT seq, item FROM {s}.inbox WHERE workspace = $1 AND seq > $2 ORDER BY seq LIMIT $3`), b.workspace, after, inboxPage)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var seq uint64
					var line []byte
					if err := rows.Scan(&seq, &line); err != nil {
						return err
					}
					var it inbox.Item
					if err := json.Unmarshal(line, &it); err != nil || it.Seq != seq {
						return fmt.Errorf("inbox item %d is not payform's: %v", seq, err)
					}
					page = append(page, &it)
				}
				return rows.Err()
			})
		}()
		if err != nil {
			return b.fail("reading the inbox", err)
		}
		for _, it := range page {
			if err := fn(it); err != nil {
				return err
			}
			after = it.Seq
		}
		if len(page) < inboxPage {
			return nil
		}
	}
}

// Folded reads the inbox_folded row (0 without one).
func (x *pgInbox) Folded(ctx context.Context) (uint64, error) {
	b := x.b
	ctx, cancel := b.opCtx(ctx)
	defer cancel()
	var seq uint64
	err := b.main.do(func(c *pgx.Conn) error {
		err := c.QueryRow(ctx, b.q(`SELECT seq FROM {s}.inbox_folded WHERE workspace = $1`), b.workspace).Scan(&seq)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	return seq, b.fail("reading how far the inbox was taken in", err)
}

// SetFolded records how far the state took the inbox in, and the notes,
// in one transaction.
func (x *pgInbox) SetFolded(ctx context.Context, seq uint64, notes map[uint64]string) error {
	b := x.b
	ctx, cancel := b.opCtx(ctx)
	defer cancel()
	err := b.main.tx(ctx, func(tx pgx.Tx) error {
		for k, v := range notes {
			if _, err := tx.Exec(ctx, b.q(`INSERT INTO {s}.inbox_notes (workspace, seq, note) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`), b.workspace, k, v); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, b.q(`INSERT INTO {s}.inbox_folded (workspace, seq) VALUES ($1, $2)
ON CONFLICT (workspace) DO UPDATE SET seq = excluded.seq, at = now()`), b.workspace, seq)
		return err
	})
	return b.fail("recording how far the inbox was taken in", err)
}

// Notes reads every note.
func (x *pgInbox) Notes(ctx context.Context) (map[uint64]string, error) {
	b := x.b
	ctx, cancel := b.opCtx(ctx)
	defer cancel()
	out := map[uint64]string{}
	err := b.main.do(func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, b.q(`SELECT seq, note FROM {s}.inbox_notes WHERE workspace = $1`), b.workspace)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var seq uint64
			var note string
			if err := rows.Scan(&seq, &note); err != nil {
				return err
			}
			out[seq] = note
		}
		return rows.Err()
	})
	return out, b.fail("reading the inbox's notes", err)
}

package pg

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/payform/payform/state"
)

// pageRows bounds the journal rows read per query.
const pageRows = 1000

// Load reads the snapshot and replays the journal rows after its head
// through a state.Replayer, in one read-only transaction. It returns
// (nil, nil, nil) when the workspace has no state. There are no
// warnings: a row is committed whole or not at all.
func (b *Backend) Load(ctx context.Context) (*state.State, []string, error) {
	ctx, cancel := b.opCtx(ctx)
	defer cancel()
	var st *state.State
	var serial int64
	err := b.main.readTx(ctx, func(tx pgx.Tx) error {
		var lineage string
		var data []byte
		err := tx.QueryRow(ctx, b.q(`SELECT lineage, serial, snapshot FROM {s}.workspaces WHERE name = $1`), b.workspace).Scan(&lineage, &serial, &data)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		s, sealed, err := state.DecodeSealed(b.Describe(), data, b.audit)
		if err != nil {
			return err
		}
		if s.Lineage != lineage || s.Serial != uint64(serial) {
			return &state.CorruptError{What: b.Describe(), Reason: fmt.Sprintf("the workspace row says lineage %s serial %d, its snapshot lineage %s serial %d", lineage, serial, s.Lineage, s.Serial)}
		}
		if err := b.replay(ctx, tx, s, sealed); err != nil {
			return err
		}
		st = s
		return nil
	})
	if err != nil {
		return nil, nil, b.fail("loading the state", err)
	}
	b.snapSeen(st != nil, uint64(serial))
	if st == nil {
		return nil, nil, nil
	}
	return st, nil, nil
}

// replay checks the journal rows the snapshot includes and applies the
// ones after its head.
func (b *Backend) replay(ctx context.Context, tx pgx.Tx, st *state.State, sealed bool) error {
	c := &chain{b: b, hash: state.GenesisHash(st.Lineage)}
	if st.JournalSeq > 0 {
		if err := b.checkHistory(ctx, tx, c, st, sealed); err != nil {
			return err
		}
		st.JournalOffset = c.end
	}
	rp := state.NewReplayer(st, b.Describe()+" journal", b.audit, sealed)
	fetch := func(from uint64) ([]row, error) { return b.page(ctx, tx, from, pageRows) }
	return b.walk(c, fetch, func(e *state.Entry, r row) error {
		err := rp.Add(e, r.end)
		var ce *state.CorruptError
		if errors.As(err, &ce) && ce.Seq != 0 && ce.Line == 0 {
			ce.What = b.journalName()
		}
		return err
	})
}

// checkHistory walks the rows the snapshot includes, from the first:
// each one's hash must check out (state.ChainLine, without decoding it,
// as Local's loads check their history) and link to the one before, and
// the last must be the snapshot's head, sealed with the key if the
// snapshot is (state.CheckHeadSeal). A row altered anywhere in the
// history is refused by every load, not only by audit verify, naming it.
// c ends at the snapshot's head.
func (b *Backend) checkHistory(ctx context.Context, tx pgx.Tx, c *chain, st *state.State, sealed bool) error {
	for c.seq < st.JournalSeq {
		rows, err := b.page(ctx, tx, c.seq+1, int(min(pageRows, st.JournalSeq-c.seq)))
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			break
		}
		for _, r := range rows {
			if r.seq != st.JournalSeq && c.skip(r) {
				continue
			}
			e, err := c.next(r) // says what is wrong, or decodes the head
			if err != nil {
				return err
			}
			if e.Seq == st.JournalSeq {
				if err := state.CheckHeadSeal(b.Describe(), b.audit, sealed, e); err != nil {
					return err
				}
			}
		}
	}
	switch {
	case c.seq != st.JournalSeq:
		return b.corrupt(st.JournalSeq, "it is missing, but the snapshot includes the journal up to it")
	case c.hash != st.JournalHash:
		return b.corrupt(c.seq, "it differs from the entry the snapshot recorded")
	}
	return nil
}

// skip advances c over r without decoding it, when r follows c and its
// line hashes to its hash column.
func (c *chain) skip(r row) bool {
	seq, prev, hash, ok := state.ChainLine(r.line)
	if !ok || seq != r.seq || prev != r.prev || hash != r.hash ||
		r.seq != c.seq+1 || r.prev != c.hash || r.end != c.end+int64(len(r.line)) {
		return false
	}
	c.seq, c.hash, c.end = r.seq, r.hash, r.end
	return true
}

// Entries calls fn for every journal entry from the first, checking the
// chain; it stops at the first error, naming the bad entry. fn runs
// between reads, so it may use the Backend.
func (b *Backend) Entries(ctx context.Context, fn func(*state.Entry) error) error {
	var lineage string
	err := b.main.do(func(c *pgx.Conn) error {
		ctx, cancel := b.opCtx(ctx)
		defer cancel()
		return c.QueryRow(ctx, b.q(`SELECT lineage FROM {s}.workspaces WHERE name = $1`), b.workspace).Scan(&lineage)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return &state.NoStateError{What: b.Describe()}
	}
	if err != nil {
		return b.fail("reading the journal", err)
	}
	fetch := func(from uint64) (rows []row, err error) {
		err = b.main.do(func(c *pgx.Conn) error {
			ctx, cancel := b.opCtx(ctx)
			defer cancel()
			rows, err = b.page(ctx, c, from, pageRows)
			return err
		})
		return rows, err
	}
	err = b.walk(&chain{b: b, hash: state.GenesisHash(lineage)}, fetch, func(e *state.Entry, _ row) error { return fn(e) })
	return b.fail("reading the journal", err)
}

// chain is the head of a journal walk: each row must follow it.
type chain struct {
	b    *Backend
	seq  uint64
	hash string
	end  int64
}

// walk calls fn for the rows after c's head, in order, checking each one
// follows the one before.
func (b *Backend) walk(c *chain, fetch func(from uint64) ([]row, error), fn func(*state.Entry, row) error) error {
	for {
		rows, err := fetch(c.seq + 1)
		if err != nil {
			return err
		}
		for _, r := range rows {
			e, err := c.next(r)
			if err != nil {
				return err
			}
			if err := fn(e, r); err != nil {
				return err
			}
		}
		if len(rows) < pageRows {
			return nil
		}
	}
}

// next checks that r follows the head, and advances it.
func (c *chain) next(r row) (*state.Entry, error) {
	e, err := c.b.decode(r)
	switch {
	case err != nil:
		return nil, err
	case e.Seq != c.seq+1:
		return nil, c.b.corrupt(e.Seq, fmt.Sprintf("sequence number %d follows %d: entries are missing", e.Seq, c.seq))
	case e.Prev != c.hash:
		return nil, c.b.corrupt(e.Seq, "it does not link to the entry before it (prev hash mismatch): an entry was altered, removed or inserted")
	case r.end != c.end+int64(len(r.line)):
		return nil, c.b.corrupt(e.Seq, fmt.Sprintf("its end_off is %d, not %d (the previous end_off plus the line's length)", r.end, c.end+int64(len(r.line))))
	}
	c.seq, c.hash, c.end = e.Seq, e.Hash, r.end
	return e, nil
}

// decode parses a row's line, checking the entry's own hash and that the
// row's columns say the same as the line.
func (b *Backend) decode(r row) (*state.Entry, error) {
	e, err := state.DecodeEntry(r.line, b.audit)
	if err != nil {
		return nil, b.corrupt(r.seq, err.Error())
	}
	if e.Seq != r.seq || e.Prev != r.prev || e.Hash != r.hash {
		return nil, b.corrupt(r.seq, "the row's seq, prev or hash column differs from its line")
	}
	return e, nil
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// page reads up to limit journal rows from seq from on.
func (b *Backend) page(ctx context.Context, q querier, from uint64, limit int) ([]row, error) {
	rows, err := q.Query(ctx, b.q(`SELECT seq, prev, hash, line, end_off, at FROM {s}.journal
WHERE workspace = $1 AND seq >= $2 ORDER BY seq LIMIT $3`), b.workspace, int64(from), limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(cr pgx.CollectableRow) (row, error) {
		var r row
		var seq int64
		err := cr.Scan(&seq, &r.prev, &r.hash, &r.line, &r.end, &r.at)
		r.seq = uint64(seq)
		return r, err
	})
}

// corrupt reports a bad journal entry.
func (b *Backend) corrupt(seq uint64, reason string) error {
	return &state.CorruptError{What: b.journalName(), Seq: seq, Reason: reason}
}

// journalName names the journal in errors ("pg:payform/default journal").
func (b *Backend) journalName() string { return b.Describe() + " journal" }

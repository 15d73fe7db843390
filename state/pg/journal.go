package pg

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/payform/payform/state"
)

// row is one journal row: an entry's line and what is derived from it.
type row struct {
	seq  uint64
	prev string
	hash string
	line []byte // newline included
	end  int64  // end_off: the byte offset after line in a local journal file
	at   time.Time
}

// journal appends to a workspace's journal. Write encodes and queues an
// entry; Sync commits everything queued in one transaction, shared by
// every caller waiting at the time (group commit). Entries nobody syncs
// are committed by a background flush within flushDelay plus one commit.
type journal struct {
	b      *Backend
	commit func(ctx context.Context, rows []row) error

	mu         sync.Mutex
	cond       *sync.Cond // on mu: a commit finished
	seq        uint64     // the head: last entry written
	hash       string
	end        int64
	queue      []row  // written, not yet committing
	committed  uint64 // every entry up to here is committed
	committing bool
	err        error // sticky: after a failed commit nothing more is accepted
	closed     bool

	kick chan struct{} // an entry is waiting
	stop chan struct{}
	done chan struct{}
}

var _ state.Journal = (*journal)(nil)

// OpenJournal prepares appends after st's journal head. It writes st as
// the first snapshot when the workspace has none, and refuses when the
// workspace's journal or lineage is not the one st was loaded from.
// Commits go through the lock's session when this Backend holds the
// lock.
func (b *Backend) OpenJournal(ctx context.Context, st *state.State) (state.Journal, error) {
	ctx, cancel := b.opCtx(ctx)
	defer cancel()
	var first []byte // the first snapshot, when this call writes it
	var end int64
	err := b.writeTx(ctx, func(tx pgx.Tx) error {
		var lineage string
		err := tx.QueryRow(ctx, b.q(`SELECT lineage FROM {s}.workspaces WHERE name = $1 FOR UPDATE`), b.workspace).Scan(&lineage)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			data, err := state.EncodeSnapshot(st, b.audit)
			if err != nil {
				return err
			}
			first = data
			return b.putSnapshot(ctx, tx, st, data)
		case err != nil:
			return err
		case lineage != st.Lineage:
			return fmt.Errorf("%w: the workspace holds lineage %s, not %s", ErrChanged, lineage, st.Lineage)
		}
		var seq int64
		var hash string
		err = tx.QueryRow(ctx, b.q(`SELECT seq, hash, end_off FROM {s}.journal WHERE workspace = $1 ORDER BY seq DESC LIMIT 1`), b.workspace).Scan(&seq, &hash, &end)
		if errors.Is(err, pgx.ErrNoRows) {
			seq, err = 0, nil
		}
		if err != nil {
			return err
		}
		if uint64(seq) != st.JournalSeq || (seq > 0 && hash != st.JournalHash) {
			return fmt.Errorf("%w: the journal ends at entry %d, the loaded state at entry %d", ErrChanged, seq, st.JournalSeq)
		}
		return nil
	})
	if err != nil {
		return nil, b.fail("opening the journal", err)
	}
	if first != nil {
		b.snapSeen(true, st.Serial)
	}
	hash := st.JournalHash
	if st.JournalSeq == 0 {
		hash = state.GenesisHash(st.Lineage)
	}
	j := &journal{b: b, seq: st.JournalSeq, hash: hash, end: end, committed: st.JournalSeq,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	j.cond = sync.NewCond(&j.mu)
	b.mu.Lock()
	if held := b.held; held != nil {
		// Only the lock's session may commit: if it is lost, so is the
		// right to write.
		j.commit = func(ctx context.Context, rows []row) error {
			return held.sess.do(func(c *pgx.Conn) error { return b.insertRows(ctx, c, rows) })
		}
	} else {
		j.commit = func(ctx context.Context, rows []row) error {
			return b.writeTx(ctx, func(tx pgx.Tx) error { return b.insertRows(ctx, tx, rows) })
		}
	}
	b.journals[j] = true
	b.mu.Unlock()
	go j.flushLoop(b.flushDelay)
	return j, nil
}

// Write assigns e's Seq and Prev, encodes it with state.EncodeEntry and
// queues its line. It returns before the entry is committed.
func (j *journal) Write(e *state.Entry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return j.err
	}
	if j.closed {
		return fmt.Errorf("%s: the journal is closed", j.b.Describe())
	}
	e.Seq, e.Prev = j.seq+1, j.hash
	line, err := state.EncodeEntry(e, j.b.audit)
	if err != nil {
		return err
	}
	j.end += int64(len(line))
	j.queue = append(j.queue, row{seq: e.Seq, prev: e.Prev, hash: e.Hash, line: line, end: j.end, at: e.At})
	j.seq, j.hash = e.Seq, e.Hash
	select {
	case j.kick <- struct{}{}:
	default:
	}
	return nil
}

// Sync returns once every entry up to seq is committed. One caller
// commits everything queued; the others wait for that commit or take the
// next one.
func (j *journal) Sync(seq uint64) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if seq > j.seq {
		return fmt.Errorf("%s: sync of journal entry %d, which was never written (the head is %d)", j.b.Describe(), seq, j.seq)
	}
	for {
		if j.err != nil {
			return j.err
		}
		if j.committed >= seq {
			return nil
		}
		if j.committing {
			j.cond.Wait()
			continue
		}
		rows := j.queue
		j.queue = nil
		j.committing = true
		j.mu.Unlock()
		ctx, cancel := j.b.opCtx(context.Background())
		err := j.commit(ctx, rows)
		cancel()
		j.mu.Lock()
		j.committing = false
		if err != nil {
			j.err = j.b.fail(fmt.Sprintf("committing journal entries %d-%d (no further entries are accepted; the next run settles what was in flight)", rows[0].seq, rows[len(rows)-1].seq), err)
		} else {
			j.committed = rows[len(rows)-1].seq
		}
		j.b.mu.Lock()
		j.b.commits++
		j.b.mu.Unlock()
		j.cond.Broadcast()
	}
}

// Head returns the last entry written: seq, hash and end_off.
func (j *journal) Head() (uint64, string, int64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.seq, j.hash, j.end
}

// Close commits every entry written and stops the background flush.
func (j *journal) Close() error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return j.err
	}
	j.closed = true
	seq := j.seq
	j.mu.Unlock()
	close(j.stop)
	<-j.done
	err := j.Sync(seq)
	j.b.mu.Lock()
	delete(j.b.journals, j)
	j.b.mu.Unlock()
	return err
}

// flushLoop commits entries that nobody syncs (outcomes) within delay of
// their Write.
func (j *journal) flushLoop(delay time.Duration) {
	defer close(j.done)
	for {
		select {
		case <-j.stop:
			return
		case <-j.kick:
		}
		t := time.NewTimer(delay)
		select {
		case <-j.stop:
			t.Stop()
			return
		case <-t.C:
		}
		j.mu.Lock()
		seq := j.seq
		j.mu.Unlock()
		_ = j.Sync(seq) // a failure is sticky: the next Write or Sync reports it
	}
}

type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// insertRows appends rows with one multi-row INSERT: one statement, one
// transaction, whatever the number of rows.
func (b *Backend) insertRows(ctx context.Context, q execer, rows []row) error {
	n := len(rows)
	seqs, prevs, hashes := make([]int64, n), make([]string, n), make([]string, n)
	lines, ends, ats := make([][]byte, n), make([]int64, n), make([]time.Time, n)
	for i, r := range rows {
		seqs[i], prevs[i], hashes[i], lines[i], ends[i], ats[i] = int64(r.seq), r.prev, r.hash, r.line, r.end, r.at
	}
	tag, err := q.Exec(ctx, b.q(`INSERT INTO {s}.journal (workspace, seq, prev, hash, line, end_off, at)
SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bytea[], $6::bigint[], $7::timestamptz[])`),
		b.workspace, seqs, prevs, hashes, lines, ends, ats)
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "23505" { // unique_violation: another writer took these seqs
			return fmt.Errorf("%w: journal entry %d exists already", ErrChanged, rows[0].seq)
		}
		return err
	}
	if tag.RowsAffected() != int64(n) {
		return fmt.Errorf("inserted %d journal rows of %d", tag.RowsAffected(), n)
	}
	return nil
}

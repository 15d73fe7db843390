package pg

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Send is one request a rate limiter sent, as the sendlog table keeps
// it. Its fields are providers.Send's, in the same order, so that cmd
// converts one into the other; this package does not import providers
// (the state knows no gateway).
type Send struct {
	ID     string    // unique within the account
	At     time.Time // when it left payform
	Done   time.Time // when its answer came; zero while under way
	Create bool      // counted by creates-only limits
}

// SendLogOptions configure a SendLog.
type SendLogOptions struct {
	// Keep is how long a send is kept after its answer: at least the
	// longest window of any gateway, of any run sharing the schema (a
	// Load asking for a longer one keeps that long). An hour and ten
	// minutes when zero.
	Keep time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// SendLog keeps the rate limiters' sends in the sendlog table, so that
// a run on another machine (another CI runner) starts with the windows
// the runs before it filled, wherever they ran: providers.SendLog on
// PostgreSQL (cmd adapts its Send). The table is the schema's, shared by
// its workspaces, keyed by a digest of the account and the send's id,
// since the gateway counts per account.
//
// Each Record is one statement, committed before it returns: a send is
// in the table before its request leaves, whatever happens to the
// process afterwards. Times are the process's clock, so runners sharing
// a schema keep their clocks in step (NTP): the limiters' margin (1% of
// a window) covers small differences, not a clock minutes off.
//
// The table is bounded by the longest window: every Load, and every
// pruneEvery records, deletes the sends answered longer ago than Keep
// (or the longest window Load asked for, if longer), of every account.
//
// The log connects on its first Load or Record, on a connection of its
// own (named "payform sendlog" in pg_stat_activity), creating or
// migrating the schema as Open does; Close closes it. It is safe for
// concurrent use.
type SendLog struct {
	cfg  Config
	keep time.Duration
	now  func() time.Time

	pruneEvery int // records between two prunes; tests shorten it

	mu      sync.Mutex
	b       *Backend // nil until connected
	closed  bool
	retain  time.Duration // the longest window Load asked for
	records int           // since the last prune
}

// OpenSendLog returns the send log of cfg's schema; cfg.Workspace only
// names the connection. Nothing is connected until the first Load or
// Record.
func OpenSendLog(cfg Config, opts SendLogOptions) *SendLog {
	l := &SendLog{cfg: cfg, keep: opts.Keep, now: opts.Now, pruneEvery: 1000}
	if l.keep <= 0 {
		l.keep = 70 * time.Minute
	}
	if l.now == nil {
		l.now = time.Now
	}
	return l
}

var errSendLogClosed = errors.New("send log: closed")

// Load returns the account's sends whose Done (else At) is at or after
// since, oldest first, after deleting the sends no window needs any
// more.
func (l *SendLog) Load(account string, since time.Time) ([]Send, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.retain = max(l.retain, l.now().Sub(since))
	b, err := l.connect()
	if err != nil {
		return nil, err
	}
	if err := l.prune(b); err != nil {
		return nil, err
	}
	ctx, cancel := b.opCtx(context.Background())
	defer cancel()
	var out []Send
	err = b.main.do(func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, b.q(`SELECT id, sent_at, done_at, is_create FROM {s}.sendlog
WHERE account = $1 AND greatest(sent_at, done_at) >= $2 ORDER BY sent_at, id COLLATE "C"`), accountDigest(account), since)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s Send
			var done *time.Time
			if err := rows.Scan(&s.ID, &s.At, &done, &s.Create); err != nil {
				return err
			}
			if done != nil {
				s.Done = *done
			}
			out = append(out, s)
		}
		return rows.Err()
	})
	return out, b.fail("reading the send log", err)
}

// Record adds a send (s.Done zero), or sets the Done of the account's
// send with s.ID (nothing when it is gone: its answer no longer
// matters). Times are rounded up to the microsecond: later is the safe
// side for a rate limit.
func (l *SendLog) Record(account string, s Send) error {
	if s.ID == "" {
		return errors.New("send log: a send without an id")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, err := l.connect()
	if err != nil {
		return err
	}
	ctx, cancel := b.opCtx(context.Background())
	defer cancel()
	err = b.main.do(func(c *pgx.Conn) error {
		var err error
		if s.Done.IsZero() {
			_, err = c.Exec(ctx, b.q(`INSERT INTO {s}.sendlog (account, id, sent_at, is_create) VALUES ($1, $2, $3, $4)
ON CONFLICT (account, id) DO UPDATE SET sent_at = excluded.sent_at, done_at = NULL, is_create = excluded.is_create`),
				accountDigest(account), s.ID, ceilMicro(s.At), s.Create)
		} else {
			_, err = c.Exec(ctx, b.q(`UPDATE {s}.sendlog SET done_at = $3 WHERE account = $1 AND id = $2`),
				accountDigest(account), s.ID, ceilMicro(s.Done))
		}
		return err
	})
	if err != nil {
		return b.fail("keeping a send in the send log", err)
	}
	l.records++
	if l.records >= l.pruneEvery {
		return l.prune(b)
	}
	return nil
}

// Close closes the log's connection; Load and Record fail afterwards.
func (l *SendLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.b == nil {
		return nil
	}
	err := l.b.Close()
	l.b = nil
	return err
}

// connect opens the log's connection the first time it is needed, and
// again after a failed attempt. Called with l.mu held.
func (l *SendLog) connect() (*Backend, error) {
	if l.closed {
		return nil, errSendLogClosed
	}
	if l.b != nil {
		return l.b, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := open(ctx, l.cfg, "payform sendlog")
	if err != nil {
		return nil, err
	}
	l.b = b
	return b, nil
}

// prune deletes the sends of every account answered longer ago than the
// log keeps them. Called with l.mu held.
func (l *SendLog) prune(b *Backend) error {
	ctx, cancel := b.opCtx(context.Background())
	defer cancel()
	before := l.now().Add(-max(l.keep, l.retain))
	err := b.main.do(func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, b.q(`DELETE FROM {s}.sendlog WHERE greatest(sent_at, done_at) < $1`), before)
		return err
	})
	if err != nil {
		return b.fail("pruning the send log", err)
	}
	l.records = 0
	return nil
}

// accountDigest is how the table names an account: the first 16 hex
// digits of its SHA-256 (two accounts that share one only make each
// other wait longer).
func accountDigest(account string) string {
	sum := sha256.Sum256([]byte(account))
	return hex.EncodeToString(sum[:8])
}

// ceilMicro is t rounded up to PostgreSQL's precision, the microsecond
// (pgx would drop the nanoseconds: earlier, the unsafe side).
func ceilMicro(t time.Time) time.Time {
	if r := t.Round(0).Truncate(time.Microsecond); r.Before(t.Round(0)) {
		return r.Add(time.Microsecond)
	}
	return t.Round(0)
}

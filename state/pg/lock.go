package pg

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/payform/payform/state"
)

// The workspace lock is a session advisory lock on a dedicated
// connection: PostgreSQL drops it when that session ends, so a killed
// payform never leaves it behind. Beside it, a lease row says who holds
// it, for whoever waits; it is touched every few seconds and deleted on
// unlock. The lock's session also carries the journal commits, so a
// process that lost its session cannot commit.

// lease is a held workspace lock.
type lease struct {
	b    *Backend
	id   string
	sess *session
	stop chan struct{}
	done chan struct{}
	once sync.Once
	err  error
}

// Lock takes the workspace lock for the whole command, polling until
// timeout; then it fails with a *state.LockedError naming the holder from
// its lease.
func (b *Backend) Lock(ctx context.Context, info state.LockInfo, timeout time.Duration) (state.Unlocker, error) {
	conn, err := b.connect(ctx, "payform lock")
	if err != nil {
		return nil, err
	}
	release := func() { conn.Close(context.Background()) }
	start := time.Now()
	for {
		var ok bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, b.key).Scan(&ok); err != nil {
			release()
			return nil, b.fail("taking the lock", err)
		}
		if ok {
			break
		}
		waited := time.Since(start)
		if waited >= timeout {
			holder := b.holder(ctx, conn)
			release()
			return nil, &state.LockedError{Path: b.Describe(), Holder: holder, Waited: waited.Round(time.Millisecond)}
		}
		select {
		case <-ctx.Done():
			release()
			return nil, ctx.Err()
		case <-time.After(min(b.lockPoll, timeout-waited)):
		}
	}
	since := info.Created
	if since.IsZero() {
		since = time.Now()
	}
	_, err = conn.Exec(ctx, b.q(`
INSERT INTO {s}.lock_leases (workspace, lock_id, who, operation, pid, version, since, heartbeat, backend_pid)
VALUES ($1, $2, $3, $4, $5, $6, $7, now(), pg_backend_pid())
ON CONFLICT (workspace) DO UPDATE SET lock_id = excluded.lock_id, who = excluded.who,
	operation = excluded.operation, pid = excluded.pid, version = excluded.version,
	since = excluded.since, heartbeat = excluded.heartbeat, backend_pid = excluded.backend_pid`),
		b.workspace, info.ID, info.Who, info.Operation, info.PID, info.Version, since)
	if err != nil {
		release() // ends the session, and the advisory lock with it
		return nil, b.fail("writing the lock lease", err)
	}
	l := &lease{b: b, id: info.ID, sess: &session{conn: conn}, stop: make(chan struct{}), done: make(chan struct{})}
	go l.beat()
	b.mu.Lock()
	b.held = l
	b.mu.Unlock()
	return l, nil
}

// heldBy selects the sessions holding the workspace's advisory lock;
// hi and lo are the parameters carrying the key's halves (keyHalves).
func heldBy(hi, lo string) string {
	return `SELECT pid FROM pg_locks
WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND classid = ` + hi + ` AND objid = ` + lo + `
	AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`
}

func (b *Backend) keyHalves() (uint32, uint32) { return uint32(uint64(b.key) >> 32), uint32(b.key) }

// holder reads the lease of the session that holds the lock; nil when
// there is none (the holder has not written it yet, or it is stale).
func (b *Backend) holder(ctx context.Context, q queryRower) *state.LockInfo {
	hi, lo := b.keyHalves()
	var info state.LockInfo
	var pid int32
	err := q.QueryRow(ctx, b.q(`SELECT lock_id, who, operation, pid, version, since FROM {s}.lock_leases
WHERE workspace = $1 AND backend_pid IN (`+heldBy("$2", "$3")+`)`), b.workspace, hi, lo).
		Scan(&info.ID, &info.Who, &info.Operation, &pid, &info.Version, &info.Created)
	if err != nil {
		return nil
	}
	info.PID = int(pid)
	return &info
}

// beat touches the lease until the lock is released.
func (l *lease) beat() {
	defer close(l.done)
	t := time.NewTicker(l.b.heartbeat)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		ctx, cancel := l.b.opCtx(context.Background())
		// A failure means the session is gone; journal commits report it.
		_ = l.sess.do(func(c *pgx.Conn) error {
			_, err := c.Exec(ctx, l.b.q(`UPDATE {s}.lock_leases SET heartbeat = now() WHERE workspace = $1 AND lock_id = $2`), l.b.workspace, l.id)
			return err
		})
		cancel()
	}
}

// Unlock deletes the lease and releases the lock by ending its session.
func (l *lease) Unlock() error {
	l.once.Do(func() {
		close(l.stop)
		<-l.done
		b := l.b
		b.mu.Lock()
		if b.held == l {
			b.held = nil
		}
		b.mu.Unlock()
		ctx, cancel := b.opCtx(context.Background())
		defer cancel()
		err := l.sess.do(func(c *pgx.Conn) error {
			if _, err := c.Exec(ctx, b.q(`DELETE FROM {s}.lock_leases WHERE workspace = $1 AND lock_id = $2`), b.workspace, l.id); err != nil {
				return err
			}
			var ok bool
			if err := c.QueryRow(ctx, `SELECT pg_advisory_unlock($1)`, b.key).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return errors.New("this session no longer held it")
			}
			return nil
		})
		l.sess.close()
		if err != nil {
			// The session was lost: the lock went with it, but the lease
			// may remain. Remove it if it is still ours.
			_ = b.main.do(func(c *pgx.Conn) error {
				_, err := c.Exec(ctx, b.q(`DELETE FROM {s}.lock_leases WHERE workspace = $1 AND lock_id = $2`), b.workspace, l.id)
				return err
			})
			l.err = fmt.Errorf("%s: releasing the lock: %w (its session was lost; whatever was not committed is settled on the next run)", b.Describe(), err)
		}
	})
	return l.err
}

// ForceUnlock removes the lease left by a holder whose session is gone.
// It is refused while any session holds the workspace's advisory lock:
// stop that process instead. lockID must match the lease.
func (b *Backend) ForceUnlock(ctx context.Context, lockID string) error {
	hi, lo := b.keyHalves()
	err := b.main.do(func(c *pgx.Conn) error {
		var pid int32
		err := c.QueryRow(ctx, heldBy("$1", "$2")+` LIMIT 1`, hi, lo).Scan(&pid)
		if err == nil {
			return b.stillHeld(ctx, c, pid)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
			var ok bool
			if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, b.key).Scan(&ok); err != nil {
				return err
			}
			if !ok { // taken since the check above
				return b.stillHeld(ctx, tx, 0)
			}
			var id string
			err := tx.QueryRow(ctx, b.q(`SELECT lock_id FROM {s}.lock_leases WHERE workspace = $1 FOR UPDATE`), b.workspace).Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) {
				return errors.New("there is no lock lease to remove")
			}
			if err != nil {
				return err
			}
			if id != lockID {
				return fmt.Errorf("the lease has lock id %s, not %s", id, lockID)
			}
			_, err = tx.Exec(ctx, b.q(`DELETE FROM {s}.lock_leases WHERE workspace = $1 AND lock_id = $2`), b.workspace, lockID)
			return err
		})
	})
	return b.fail("force-unlocking", err)
}

// stillHeld is ForceUnlock's refusal.
func (b *Backend) stillHeld(ctx context.Context, q queryRower, pid int32) error {
	who := "another session"
	if h := b.holder(ctx, q); h != nil {
		who = fmt.Sprintf("%s (pid %d) since %s, running %q (lock id %s)", h.Who, h.PID, h.Created.UTC().Format(time.RFC3339), h.Operation, h.ID)
	}
	if pid != 0 {
		who += fmt.Sprintf(" on PostgreSQL backend %d", pid)
	}
	return fmt.Errorf("refused: the lock is held by %s, whose session is alive; stop that process (or end its session with pg_terminate_backend) instead", who)
}

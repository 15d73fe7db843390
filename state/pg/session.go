package pg

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// session is one connection used by one goroutine at a time.
type session struct {
	mu   sync.Mutex
	conn *pgx.Conn // nil once closed
}

var errSessionClosed = errors.New("the connection is closed")

func (s *session) do(fn func(*pgx.Conn) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return errSessionClosed
	}
	return fn(s.conn)
}

func (s *session) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	return s.do(func(c *pgx.Conn) error { return pgx.BeginFunc(ctx, c, fn) })
}

// readTx runs fn in a read-only transaction that sees one snapshot of
// the database.
func (s *session) readTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return s.do(func(c *pgx.Conn) error {
		return pgx.BeginTxFunc(ctx, c, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
	})
}

func (s *session) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.conn.Close(ctx)
		s.conn = nil
	}
}

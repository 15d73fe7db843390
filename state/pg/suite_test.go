package pg

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/payform/payform/state"
	"github.com/payform/payform/state/statetest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestSuite runs the backend conformance suite on PostgreSQL: a fresh
// schema per workspace, dropped at the end; tampering goes through an
// admin connection that disables the append-only triggers around it.
func TestSuite(t *testing.T) {
	testDSN(t)
	statetest.Run(t, statetest.Suite{
		New: func(t *testing.T) statetest.Workspace {
			schema := testSchema(t)
			return statetest.Workspace{
				Open: func(t *testing.T, key state.Key) state.Backend {
					b, err := Open(context.Background(), Config{ConnString: testDSN(t), Schema: schema, AuditKey: key})
					if err != nil {
						t.Fatalf("Open: %v", err)
					}
					t.Cleanup(func() { b.Close() })
					return b
				},
				Raw: &tables{conn: adminConn(t), schema: schema, workspace: DefaultWorkspace},
			}
		},
		Kill:     func(t *testing.T, s *state.Store) { kill(t, s.Backend().(*Backend)) },
		LoseLock: func(t *testing.T, s *state.Store) { terminate(t, lockPID(t, s.Backend().(*Backend))) },
		Tear:     tear,
		Changed:  ErrChanged,
		Golden:   "testdata/statetest.golden",
		Update:   *update,
	})
}

// tables is raw access to a workspace's rows, as the owner of the tables
// has it.
type tables struct {
	conn              *pgx.Conn
	schema, workspace string
}

func (r *tables) Snapshot(t *testing.T) []byte {
	t.Helper()
	var data []byte
	if err := r.conn.QueryRow(context.Background(), `SELECT snapshot FROM `+r.schema+`.workspaces WHERE name = $1`, r.workspace).Scan(&data); err != nil {
		t.Fatalf("reading the snapshot: %v", err)
	}
	return data
}

// SetSnapshot stores data and the lineage and serial it claims.
func (r *tables) SetSnapshot(t *testing.T, data []byte) {
	t.Helper()
	var head struct {
		Lineage string `json:"lineage"`
		Serial  int64  `json:"serial"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		t.Fatalf("SetSnapshot: %v", err)
	}
	_, err := r.conn.Exec(context.Background(), `UPDATE `+r.schema+`.workspaces SET snapshot = $2, lineage = $3, serial = $4 WHERE name = $1`,
		r.workspace, data, head.Lineage, head.Serial)
	if err != nil {
		t.Fatalf("writing the snapshot: %v", err)
	}
}

func (r *tables) Journal(t *testing.T) [][]byte {
	t.Helper()
	rows, err := r.conn.Query(context.Background(), `SELECT line FROM `+r.schema+`.journal WHERE workspace = $1 ORDER BY seq`, r.workspace)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// SetJournal replaces every row: each line's seq, prev, hash and at
// columns are what the line says (its position, for a line that is not
// an entry), end_off runs on from the lines before.
func (r *tables) SetJournal(t *testing.T, lines [][]byte) {
	t.Helper()
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, r.conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `ALTER TABLE `+r.schema+`.journal DISABLE TRIGGER USER`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM `+r.schema+`.journal WHERE workspace = $1`, r.workspace); err != nil {
			return err
		}
		var end int64
		for i, line := range lines {
			var e struct {
				Seq  int64     `json:"seq"`
				Prev string    `json:"prev"`
				Hash string    `json:"hash"`
				At   time.Time `json:"at"`
			}
			if json.Unmarshal(line, &e) != nil {
				e.Seq, e.At = int64(i+1), time.Now()
			}
			end += int64(len(line))
			if _, err := tx.Exec(ctx, `INSERT INTO `+r.schema+`.journal (workspace, seq, prev, hash, line, end_off, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				r.workspace, e.Seq, e.Prev, e.Hash, line, end, e.At); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `ALTER TABLE `+r.schema+`.journal ENABLE TRIGGER USER`)
		return err
	})
	if err != nil {
		t.Fatalf("rewriting the journal: %v", err)
	}
}

// tear records e on s with the journal's commit made as a crash leaves
// it: the INSERT of e's row is made inside its transaction, on the lock's
// session, and that session is killed (pg_terminate_backend, waiting for
// it to end) before the transaction commits. Then s is killed. Nothing is
// left for a load to warn of.
func tear(t *testing.T, s *state.Store, e *state.Entry) bool {
	t.Helper()
	b := s.Backend().(*Backend)
	admin := adminConn(t)
	b.mu.Lock()
	held := b.held
	journals := len(b.journals)
	b.mu.Unlock()
	if held == nil || journals != 1 {
		t.Fatalf("tear: the store holds the lock: %v, with %d journals open; want it held, with one", held != nil, journals)
	}
	var inserted, killed bool
	for j := range b.journals {
		j.mu.Lock()
		j.commit = func(ctx context.Context, rows []row) error {
			return held.sess.do(func(c *pgx.Conn) error {
				tx, err := c.Begin(ctx)
				if err != nil {
					return err
				}
				if err := b.insertRows(ctx, tx, rows); err != nil {
					return err
				}
				inserted = true
				// The crash: the session ends with the INSERT made and
				// not committed.
				err = admin.QueryRow(context.Background(), `SELECT pg_terminate_backend($1, 5000)`, int32(c.PgConn().PID())).Scan(&killed)
				if err != nil || !killed {
					return errors.Join(errors.New("tear: the lock's session did not end"), err)
				}
				return tx.Commit(ctx)
			})
		}
		j.mu.Unlock()
	}
	err := s.Record(e, true)
	if !inserted || !killed || err == nil {
		t.Fatalf("tear: Record = %v after the INSERT (made: %v) and the kill of its session (%v); want an error after both", err, inserted, killed)
	}
	kill(t, b)
	return false
}

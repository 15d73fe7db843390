package pg

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/payform/payform/state"
)

// Defaults for Config.
const (
	DefaultSchema    = "payform"
	DefaultWorkspace = "default"
)

// Config says where a workspace's state lives.
type Config struct {
	// ConnString is a PostgreSQL URL or key=value string; empty means the
	// libpq environment (PGHOST, PGUSER, ...). It may hold a password, so
	// it never appears in errors or in Describe.
	ConnString string
	// Workspace names one state within the schema (default "default").
	Workspace string
	// Schema holds payform's tables (default "payform"); it is created
	// and migrated on first use.
	Schema string
	// AuditKey seals every entry and snapshot written and checks every
	// seal read (PAYFORM_AUDIT_KEY); nil seals nothing.
	AuditKey state.Key
}

// Backend keeps one workspace's state in PostgreSQL. It implements
// state.Backend with Local's semantics and bytes: the snapshot and every
// journal line are stored exactly as Local would write them.
//
// A Backend is safe for concurrent use; it holds one connection for
// reads and snapshot writes and, while locked, a second one for the
// lock, the lease heartbeat and journal commits.
type Backend struct {
	schema    string
	workspace string
	conf      *pgx.ConnConfig
	named     bool     // the connection string sets application_name
	secrets   []string // scrubbed from every connection error
	key       int64    // the workspace's advisory lock key
	audit     state.Key
	main      *session

	// Tunables; tests shorten them.
	lockPoll   time.Duration // how often Lock retries
	heartbeat  time.Duration // how often a held lease is touched
	flushDelay time.Duration // how long unsynced entries may wait
	opTimeout  time.Duration // bound on one database operation

	mu         sync.Mutex // guards the fields below
	held       *lease
	journals   map[*journal]bool
	snapExists bool   // the workspace had a snapshot when last loaded or written
	snapSerial uint64 // its serial: the compare-and-swap expectation
	commits    int    // journal transactions, for tests and benchmarks
}

var (
	_ state.Backend       = (*Backend)(nil)
	_ state.Puller        = (*Backend)(nil)
	_ state.Pusher        = (*Backend)(nil)
	_ state.Importer      = (*Backend)(nil)
	_ state.Retirer       = (*Backend)(nil)
	_ state.ForceUnlocker = (*Backend)(nil)
	_ state.HeadKeeper    = (*Backend)(nil)
	_ state.PlanRecorder  = (*Backend)(nil)
)

var (
	schemaName    = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)
	workspaceName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
)

// Open connects, creates or migrates the schema, and returns the backend
// for cfg's workspace. It does not lock or read the workspace.
func Open(ctx context.Context, cfg Config) (*Backend, error) {
	return open(ctx, cfg, "payform")
}

// open is Open with its connection named app in pg_stat_activity.
func open(ctx context.Context, cfg Config, app string) (*Backend, error) {
	if cfg.Schema == "" {
		cfg.Schema = DefaultSchema
	}
	if cfg.Workspace == "" {
		cfg.Workspace = DefaultWorkspace
	}
	if !schemaName.MatchString(cfg.Schema) || strings.HasPrefix(cfg.Schema, "pg_") {
		return nil, fmt.Errorf("pg backend: schema %q is not a valid name: use lower-case letters, digits and underscores (at most 63, not starting with a digit or pg_)", cfg.Schema)
	}
	if !workspaceName.MatchString(cfg.Workspace) {
		return nil, fmt.Errorf("pg backend: workspace %q is not a valid name: use letters, digits, '.', '_' and '-' (at most 64, starting with a letter or digit)", cfg.Workspace)
	}
	conf, err := pgx.ParseConfig(cfg.ConnString)
	if err != nil {
		// The parser's message quotes the string: never show it.
		return nil, errors.New("pg backend: the connection string is not valid (it is not shown, as it may hold a password); expected postgres://user@host:port/database?sslmode=... or key=value pairs")
	}
	_, named := conf.RuntimeParams["application_name"]
	b := &Backend{
		schema:     cfg.Schema,
		workspace:  cfg.Workspace,
		conf:       conf,
		secrets:    []string{cfg.ConnString, conf.Password},
		named:      named,
		key:        advisoryKey("workspace", cfg.Schema, cfg.Workspace),
		audit:      cfg.AuditKey,
		lockPoll:   50 * time.Millisecond,
		heartbeat:  5 * time.Second,
		flushDelay: 10 * time.Millisecond,
		opTimeout:  time.Minute,
		journals:   map[*journal]bool{},
	}
	conn, err := b.connect(ctx, app)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, conn, cfg.Schema); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("%s: %w", b.Describe(), err)
	}
	b.main = &session{conn: conn}
	return b, nil
}

// Describe names the workspace: "pg:SCHEMA/WORKSPACE".
func (b *Backend) Describe() string { return "pg:" + b.schema + "/" + b.workspace }

// Close flushes any journal still open, releases the lock if this
// Backend holds it, and closes the connections.
func (b *Backend) Close() error {
	b.mu.Lock()
	journals := make([]*journal, 0, len(b.journals))
	for j := range b.journals {
		journals = append(journals, j)
	}
	held := b.held
	b.mu.Unlock()
	var errs []error
	for _, j := range journals {
		errs = append(errs, j.Close())
	}
	if held != nil {
		errs = append(errs, held.Unlock())
	}
	b.main.close()
	return errors.Join(errs...)
}

// connect opens a new connection, named app in pg_stat_activity unless
// the connection string names it. Its errors never quote the connection
// string or the password.
func (b *Backend) connect(ctx context.Context, app string) (*pgx.Conn, error) {
	conf := b.conf.Copy()
	if !b.named {
		conf.RuntimeParams["application_name"] = app + " " + b.Describe()
	}
	conn, err := pgx.ConnectConfig(ctx, conf)
	if err == nil {
		return conn, nil
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s: connecting to PostgreSQL: %w", b.Describe(), ctx.Err())
	}
	msg := err.Error()
	for _, s := range b.secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "xxxxx")
		}
	}
	// The original error is not wrapped: it carries the configuration,
	// password included.
	return nil, fmt.Errorf("%s: connecting to PostgreSQL: %s", b.Describe(), msg)
}

// q fills the schema into a statement: {s}.journal is "schema".journal.
func (b *Backend) q(sql string) string {
	return strings.ReplaceAll(sql, "{s}", pgx.Identifier{b.schema}.Sanitize())
}

// opCtx bounds one database operation: by ctx (Ctrl-C stops a load) and
// by opTimeout.
func (b *Backend) opCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, b.opTimeout)
}

// fail names the workspace and the operation in err, except for the
// typed errors callers inspect, which name it themselves.
func (b *Backend) fail(what string, err error) error {
	var ce *state.CorruptError
	var le *state.LockedError
	if err == nil || errors.As(err, &ce) || errors.As(err, &le) {
		return err
	}
	return fmt.Errorf("%s: %s: %w", b.Describe(), what, err)
}

// snapSeen records the snapshot serial this Backend last loaded or wrote.
func (b *Backend) snapSeen(exists bool, serial uint64) {
	b.mu.Lock()
	b.snapExists, b.snapSerial = exists, serial
	b.mu.Unlock()
}

// writeTx runs fn in one transaction that holds the workspace lock: on
// the lock's session when this Backend holds the lock, otherwise on the
// main session after pg_try_advisory_xact_lock, failing with a
// *state.LockedError when another session holds it.
func (b *Backend) writeTx(ctx context.Context, fn func(pgx.Tx) error) error {
	b.mu.Lock()
	held := b.held
	b.mu.Unlock()
	if held != nil {
		return held.sess.tx(ctx, fn)
	}
	return b.main.tx(ctx, func(tx pgx.Tx) error {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, b.key).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return &state.LockedError{Path: b.Describe(), Holder: b.holder(ctx, tx)}
		}
		return fn(tx)
	})
}

// advisoryKey is a 64-bit advisory lock key for the parts.
func advisoryKey(parts ...string) int64 {
	sum := sha256.Sum256([]byte("payform\x00" + strings.Join(parts, "\x00")))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

package pg

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// migration is one step of the schema, applied once, in order.
type migration struct {
	version int
	name    string
	sql     string // {s} is the quoted schema
}

// migrations, oldest first. Never edit one that has shipped: add a new
// one.
var migrations = []migration{
	{1, "workspaces, journal and lock leases", `
CREATE TABLE {s}.workspaces (
	name       text PRIMARY KEY,
	lineage    text NOT NULL,
	serial     bigint NOT NULL CHECK (serial >= 0),
	snapshot   bytea NOT NULL,          -- the snapshot bytes, exactly as Local writes them
	updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE {s}.journal (
	workspace text NOT NULL REFERENCES {s}.workspaces (name),
	seq       bigint NOT NULL CHECK (seq > 0),
	prev      text NOT NULL,
	hash      text NOT NULL,
	line      bytea NOT NULL,            -- the journal line, newline included, exactly as Local writes it
	end_off   bigint NOT NULL,           -- the byte offset after the line in a local journal file
	at        timestamptz NOT NULL,      -- the entry's "at"
	PRIMARY KEY (workspace, seq)
);

-- The journal is append-only: changing or removing an entry takes a
-- deliberate ALTER TABLE ... DISABLE TRIGGER, and the hash chain still
-- shows it.
CREATE FUNCTION {s}.journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the payform journal is append-only: % refused', TG_OP;
END
$$;
CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON {s}.journal
	FOR EACH ROW EXECUTE FUNCTION {s}.journal_append_only();
CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON {s}.journal
	FOR EACH STATEMENT EXECUTE FUNCTION {s}.journal_append_only();

CREATE TABLE {s}.lock_leases (
	workspace   text PRIMARY KEY,
	lock_id     text NOT NULL,
	who         text NOT NULL,
	operation   text NOT NULL,
	pid         integer NOT NULL,
	version     text NOT NULL,
	since       timestamptz NOT NULL,
	heartbeat   timestamptz NOT NULL,
	backend_pid integer NOT NULL         -- the PostgreSQL session holding the advisory lock
);
`},
	{2, "journal heads", `
-- Journal heads recorded at the end of every command that wrote entries:
-- append-only, so that a runner cannot rewrite the history a head anchors
-- without a deliberate ALTER TABLE ... DISABLE TRIGGER (grant runners
-- INSERT and SELECT only, and keep table ownership elsewhere).
CREATE TABLE {s}.heads (
	workspace   text NOT NULL,
	seq         bigint NOT NULL CHECK (seq > 0),
	hash        text NOT NULL,
	at          timestamptz NOT NULL,
	actor       text NOT NULL,
	recorded_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace, seq)
);
CREATE TRIGGER heads_append_only BEFORE UPDATE OR DELETE ON {s}.heads
	FOR EACH ROW EXECUTE FUNCTION {s}.journal_append_only();
CREATE TRIGGER heads_no_truncate BEFORE TRUNCATE ON {s}.heads
	FOR EACH STATEMENT EXECUTE FUNCTION {s}.journal_append_only();
`},
	{3, "plan records", `
-- What payform recorded of every plan file it wrote: apply refuses a plan
-- file that does not match its record. Append-only, as the journal.
CREATE TABLE {s}.plans (
	workspace   text NOT NULL,
	plan_id     text NOT NULL,
	line        bytea NOT NULL,          -- the record, exactly as state.EncodePlanRecord writes it
	recorded_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace, plan_id)
);
CREATE TRIGGER plans_append_only BEFORE UPDATE OR DELETE ON {s}.plans
	FOR EACH ROW EXECUTE FUNCTION {s}.journal_append_only();
CREATE TRIGGER plans_no_truncate BEFORE TRUNCATE ON {s}.plans
	FOR EACH STATEMENT EXECUTE FUNCTION {s}.journal_append_only();
`},
	{4, "callback inbox", `
-- The callbacks payform callback serve received, one row per item,
-- exactly as a local inbox line: append-only, like the journal, since
-- they are the evidence the journal's callback entries name. seq is
-- given under an advisory lock, so that items number in commit order.
CREATE TABLE {s}.inbox (
	workspace   text NOT NULL,
	seq         bigint NOT NULL CHECK (seq > 0),
	received_at timestamptz NOT NULL,
	verdict     text NOT NULL,           -- accepted, rejected, unconfirmed
	dedupe      text,                    -- an accepted item's gateway, account, type, id and status; NULL otherwise
	item        bytea NOT NULL,          -- the item's JSON, as a local inbox line without its newline
	PRIMARY KEY (workspace, seq)
);
CREATE UNIQUE INDEX inbox_dedupe ON {s}.inbox (workspace, dedupe) WHERE dedupe IS NOT NULL;
CREATE TRIGGER inbox_append_only BEFORE UPDATE OR DELETE ON {s}.inbox
	FOR EACH ROW EXECUTE FUNCTION {s}.journal_append_only();
CREATE TRIGGER inbox_no_truncate BEFORE TRUNCATE ON {s}.inbox
	FOR EACH STATEMENT EXECUTE FUNCTION {s}.journal_append_only();

-- How far the state has taken the inbox in, written by the command that
-- holds the workspace's lock once the entries it led to are committed.
CREATE TABLE {s}.inbox_folded (
	workspace text PRIMARY KEY,
	seq       bigint NOT NULL CHECK (seq >= 0),
	at        timestamptz NOT NULL DEFAULT now()
);

-- What taking an item in did when it led to no journal entry (kept
-- apart, a repeat, an older status), the first time it was read.
CREATE TABLE {s}.inbox_notes (
	workspace text NOT NULL,
	seq       bigint NOT NULL,
	note      text NOT NULL,
	PRIMARY KEY (workspace, seq)
);
`},
	{5, "send log", `
-- When the rate limiters' requests left payform and when their answers
-- came, per gateway account, so that a run on any machine starts with
-- the windows earlier runs filled (providers.SendLog). Shared by the
-- schema's workspaces, as the gateway's counters are per account. Not
-- evidence: rows older than the longest window are deleted.
CREATE TABLE {s}.sendlog (
	account   text NOT NULL,             -- a digest of the limiter's account identity, never a secret
	id        text NOT NULL,             -- the limiter's id for the request
	sent_at   timestamptz NOT NULL,      -- when it left, rounded up to the microsecond
	done_at   timestamptz,               -- when its answer came; NULL while under way
	is_create boolean NOT NULL,          -- counted by creates-only limits
	PRIMARY KEY (account, id)
);
CREATE INDEX sendlog_latest ON {s}.sendlog (greatest(sent_at, done_at));
`},
}

// migrate brings schema up to the newest version. The check is one query
// when nothing is to do; otherwise the missing migrations run in one
// transaction after pg_advisory_xact_lock, so two processes never
// migrate at once.
func migrate(ctx context.Context, conn *pgx.Conn, schema string) error {
	latest := migrations[len(migrations)-1].version
	qs := pgx.Identifier{schema}.Sanitize()
	v, err := schemaVersion(ctx, conn, qs)
	if err != nil {
		return err
	}
	if v == latest {
		return nil
	}
	if v > latest {
		return tooNew(v, latest)
	}
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, advisoryKey("migrate", schema)); err != nil {
			return fmt.Errorf("migrating the schema: %w", err)
		}
		ddl := `CREATE SCHEMA IF NOT EXISTS ` + qs + `;
CREATE TABLE IF NOT EXISTS ` + qs + `.migrations (
	version    integer PRIMARY KEY,
	name       text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
)`
		if _, err := tx.Exec(ctx, ddl); err != nil {
			return fmt.Errorf("creating the schema: %w", err)
		}
		v, err := schemaVersion(ctx, tx, qs) // another process may have migrated meanwhile
		if err != nil {
			return err
		}
		if v > latest {
			return tooNew(v, latest)
		}
		for _, m := range migrations[v:] {
			if _, err := tx.Exec(ctx, strings.ReplaceAll(m.sql, "{s}", qs)); err != nil {
				return fmt.Errorf("applying migration %d (%s): %w", m.version, m.name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO `+qs+`.migrations (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
				return fmt.Errorf("recording migration %d: %w", m.version, err)
			}
		}
		return nil
	})
}

type queryRower interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// schemaVersion is the newest applied migration, 0 when the schema or
// its migrations table does not exist.
func schemaVersion(ctx context.Context, q queryRower, qs string) (int, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, qs+".migrations").Scan(&exists); err != nil {
		return 0, fmt.Errorf("reading the schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM `+qs+`.migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("reading the schema version: %w", err)
	}
	return v, nil
}

func tooNew(v, latest int) error {
	return fmt.Errorf("the schema is at version %d; this payform knows up to %d: upgrade payform", v, latest)
}

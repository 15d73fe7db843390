package pg

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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

// migrate brings schema up to the newest version. A current schema
// costs one query and no DDL, so a role that may only read and write
// payform's tables (README, "State") runs payform on a schema its owner
// migrated. Otherwise only the schema's owner, a member of that role or
// a superuser migrates (a role that may create the schema, when it does
// not exist, becomes its owner); any other role is refused, saying what
// to do. The missing migrations run in one transaction under an advisory
// lock, so two processes never migrate at once, and as the schema's
// owner (SET LOCAL ROLE), so that every table belongs to it whoever
// migrates.
func migrate(ctx context.Context, conn *pgx.Conn, schema string) error {
	latest := migrations[len(migrations)-1].version
	qs := pgx.Identifier{schema}.Sanitize()
	v, err := schemaVersion(ctx, conn, schema, qs)
	if err != nil {
		return err
	}
	if v == latest {
		return nil
	}
	if v > latest {
		return tooNew(v, latest)
	}
	if _, err := mayMigrate(ctx, conn, schema, v); err != nil {
		return err
	}
	// A session lock, and a transaction begun after it: the catalog
	// caches are brought up to date when a transaction starts, so the
	// check below sees the tables of a process that migrated while this
	// one waited (inside one transaction the lookups could still miss
	// them). The lock dies with the session if the unlock is not reached.
	key := advisoryKey("migrate", schema)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return fmt.Errorf("migrating the schema: %w", err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, key)
	}()
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		v, err := schemaVersion(ctx, tx, schema, qs) // another process may have migrated meanwhile
		if err != nil {
			return err
		}
		if v >= latest {
			if v > latest {
				return tooNew(v, latest)
			}
			return nil
		}
		own, err := mayMigrate(ctx, tx, schema, v)
		if err != nil {
			return err
		}
		ddl, what := `CREATE SCHEMA `+qs, "creating the schema"
		if own.exists {
			ddl, what = `SET LOCAL ROLE `+pgx.Identifier{own.owner}.Sanitize(), "taking the role of the schema's owner, "+own.owner
		}
		if _, err := tx.Exec(ctx, ddl); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		ddl = `CREATE TABLE IF NOT EXISTS ` + qs + `.migrations (
	version    integer PRIMARY KEY,
	name       text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
)`
		if _, err := tx.Exec(ctx, ddl); err != nil {
			return fmt.Errorf("creating the migrations table: %w", err)
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

// ownership is what migrate needs to know of the schema and the role
// payform connects as.
type ownership struct {
	user   string // current_user
	exists bool   // the schema exists
	owner  string // its owner, when it exists
}

// mayMigrate reads who owns schema and refuses, naming what to do, when
// the connected role may not bring it from version v to the newest: the
// schema exists and the role neither owns it nor is a member of its
// owner, or it does not exist and the role may not create it.
func mayMigrate(ctx context.Context, q queryRower, schema string, v int) (ownership, error) {
	var o ownership
	var member, create bool
	err := q.QueryRow(ctx, `SELECT current_user, n.nspname IS NOT NULL, coalesce(pg_get_userbyid(n.nspowner), ''),
	coalesce(pg_has_role(n.nspowner, 'MEMBER'), false), has_database_privilege(current_database(), 'CREATE')
FROM (SELECT 1) AS one LEFT JOIN pg_namespace n ON n.nspname = $1`, schema).Scan(&o.user, &o.exists, &o.owner, &member, &create)
	if err != nil {
		return o, fmt.Errorf("reading the schema's owner: %w", err)
	}
	switch {
	case o.exists && !member:
		behind := fmt.Sprintf("the schema %s is at version %d and this payform needs %s", schema, v, pending(v))
		if v == 0 {
			behind = fmt.Sprintf("the schema %s has none of payform's tables yet", schema)
		}
		return o, fmt.Errorf("%s, and role %s may not migrate it: it is not the schema's owner (%s) nor a member of that role. "+
			"Run payform once as %s or a member of it (payform init will do), then grant %s the privileges on the new tables that README's \"State\" section lists",
			behind, o.user, o.owner, o.owner, o.user)
	case !o.exists && !create:
		return o, fmt.Errorf("the schema %s does not exist, and role %s may not create it: "+
			"create it for the role that is to own payform's tables (CREATE SCHEMA %s AUTHORIZATION payform_owner), "+
			"run payform once as a member of that role or a superuser (payform init will do), then grant %s the privileges README's \"State\" section lists",
			schema, o.user, schema, o.user)
	}
	return o, nil
}

// pending names the migrations after version v: "version 5 (send log)".
func pending(v int) string {
	var names []string
	for _, m := range migrations[v:] {
		names = append(names, fmt.Sprintf("%d (%s)", m.version, m.name))
	}
	if len(names) == 1 {
		return "version " + names[0]
	}
	return "versions " + strings.Join(names, ", ")
}

type queryRower interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// schemaVersion is the newest applied migration, 0 when the schema or
// its migrations table does not exist. A role refused the schema or
// the table is told what it lacks.
func schemaVersion(ctx context.Context, q queryRower, schema, qs string) (int, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, qs+".migrations").Scan(&exists); err != nil {
		return 0, readRefused(schema, err)
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM `+qs+`.migrations`).Scan(&v); err != nil {
		return 0, readRefused(schema, err)
	}
	return v, nil
}

// readRefused explains a refusal to read the schema version.
func readRefused(schema string, err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42501" /* insufficient_privilege */ {
		return fmt.Errorf("reading the schema version: %w: grant the role payform connects as USAGE on schema %s and the privileges on its tables that README's \"State\" section lists", err, schema)
	}
	return fmt.Errorf("reading the schema version: %w", err)
}

func tooNew(v, latest int) error {
	return fmt.Errorf("the schema is at version %d; this payform knows up to %d: upgrade payform", v, latest)
}

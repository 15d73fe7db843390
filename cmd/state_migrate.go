package cmd

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
	"github.com/payform/payform/state/pg"
)

type migrateOptions struct {
	to          string
	path        string
	connStr     string
	workspace   string
	schema      string
	lockTimeout time.Duration
}

func newStateMigrateCmd(a *app, runF func(*migrateOptions) error) *cobra.Command {
	opts := &migrateOptions{}
	cmd := &cobra.Command{
		Use:   "migrate --to pg|local",
		Short: "Move the state and its whole journal to another backend",
		Long: `Copy the state and every journal entry, byte for byte, from the configured
backend to another one, under the source's lock; the journal's hash chain is
checked on the way. Then point the payform block's backend at the new place.

--to pg writes to the workspace given by --conn-str (or PAYFORM_PG_CONN_STR),
--workspace and --schema; --to local writes to --path, which must hold no state.

Exit codes: 0 success; 1 error.`,
		Example: `  PAYFORM_PG_CONN_STR=postgres://payform@db/payform payform state migrate --to pg --workspace treasury
  payform state migrate --to local --path payform.state.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runMigrate(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().StringVar(&opts.to, "to", "", "the backend to move to: pg or local")
	cmd.Flags().StringVar(&opts.path, "path", DefaultStateFile, "--to local: the new state file")
	cmd.Flags().StringVar(&opts.connStr, "conn-str", "", "--to pg: the connection string (default PAYFORM_PG_CONN_STR)")
	cmd.Flags().StringVar(&opts.workspace, "workspace", pg.DefaultWorkspace, "--to pg: the workspace")
	cmd.Flags().StringVar(&opts.schema, "schema", pg.DefaultSchema, "--to pg: the schema")
	cmd.Flags().DurationVar(&opts.lockTimeout, "lock-timeout", 0, "wait this long for the source's lock")
	return cmd
}

func runMigrate(ctx context.Context, a *app, opts *migrateOptions) error {
	src, err := a.openBackend(ctx, a.backendOnly(true))
	if err != nil {
		return err
	}
	defer closeBackend(src)
	info := state.LockInfo{ID: state.NewID(), Operation: "state migrate", Who: state.Actor(), PID: os.Getpid(), Version: Version, Created: a.now().UTC()}
	lock, err := src.Lock(ctx, info, opts.lockTimeout)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	var dst state.Backend
	var next string
	key, err := a.auditKey()
	if err != nil {
		return err
	}
	switch opts.to {
	case "pg":
		conn := opts.connStr
		if conn == "" {
			conn = envValue(a.env, schema.PGConnStrEnv)
		}
		if conn == "" {
			return fmt.Errorf("--to pg needs --conn-str or %s", schema.PGConnStrEnv)
		}
		p, err := pg.Open(ctx, pg.Config{ConnString: conn, Workspace: opts.workspace, Schema: opts.schema, AuditKey: key})
		if err != nil {
			return err
		}
		defer p.Close()
		dst = p
		next = fmt.Sprintf("Now set the backend:\n\n  payform {\n    backend \"pg\" {\n      workspace = %q\n      schema    = %q\n    }\n  }\n\nwith the connection string in %s.", opts.workspace, opts.schema, schema.PGConnStrEnv)
	case "local":
		dst = &state.Local{Path: opts.path, Key: key}
		next = fmt.Sprintf("Now set the backend to \"local\" (path %q), or remove the payform block.", opts.path)
	default:
		return fmt.Errorf("--to must be pg or local")
	}
	if dst.Describe() == src.Describe() {
		return fmt.Errorf("the state is already at %s", src.Describe())
	}
	imp, ok := dst.(state.Importer)
	if !ok {
		return fmt.Errorf("%s cannot take a migrated state", dst.Describe())
	}
	retire, ok := src.(state.Retirer)
	if !ok {
		return fmt.Errorf("%s cannot leave a tombstone, so it cannot be migrated away", src.Describe())
	}
	if err := imp.Import(ctx, src); err != nil {
		return err
	}
	// The old state stays, as a tombstone every command refuses: two
	// usable copies would send twice.
	if err := retire.Retire(ctx, state.MovedTo{Backend: dst.Describe(), At: a.now().UTC(), By: state.Actor()}); err != nil {
		return fmt.Errorf("moved %s to %s, but could not leave a tombstone at %s: %w; do not use the old state", src.Describe(), dst.Describe(), src.Describe(), err)
	}
	fmt.Fprintf(a.ios.Out, "Moved %s to %s; %s is now a tombstone that every command refuses. %s\n", src.Describe(), dst.Describe(), src.Describe(), next)
	return nil
}

package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/payform/payform/executor"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
	"github.com/payform/payform/state/pg"
)

func newStatePullCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "pull",
		Short: "Print the current state as JSON",
		Long: `Print the current state (the snapshot with every journal entry after it
applied) in the snapshot format, the same bytes from the local and the pg
backend. The state is read without the lock.

Exit codes: 0 success; 1 error.`,
		Example: `  payform state pull > backup.state.json
  payform state pull | jq '.resources | length'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.readState(cmd.Context())
			if err != nil {
				return err
			}
			if st.Lineage == "" {
				return errors.New("there is no state yet")
			}
			key, err := a.auditKey()
			if err != nil {
				return err
			}
			data, err := state.EncodeSnapshot(st, key)
			if err != nil {
				return err
			}
			_, err = a.ios.Out.Write(data)
			return err
		},
	}
}

func newStatePushCmd(a *app) *cobra.Command {
	var force bool
	var lockTimeout time.Duration
	cmd := &cobra.Command{
		Use:   "push FILE",
		Short: "Replace the state with a state file (a restored backup)",
		Long: `Replace the state with FILE (- for stdin), under the lock. It is refused when
FILE belongs to another workspace (lineage) or is not newer (serial) than the
state, unless --force, and refused even with --force when its journal head is
not on the journal: pushing it would orphan or invent journal entries.

Exit codes: 0 success; 1 error.`,
		Example: `  payform state push restored.state.json
  payform state pull > s.json && payform state push --force s.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var data []byte
			var err error
			if args[0] == "-" {
				data, err = io.ReadAll(io.LimitReader(a.ios.In, 1<<31))
			} else {
				data, err = os.ReadFile(args[0])
			}
			if err != nil {
				return fmt.Errorf("cannot read the state file to push: %s", osErr(err))
			}
			cfg := a.backendOnly(true)
			backend, err := a.openBackend(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer closeBackend(backend)
			info := state.LockInfo{ID: state.NewID(), Operation: "state push", Who: state.Actor(), PID: os.Getpid(), Version: Version, Created: a.now().UTC()}
			lock, err := backend.Lock(cmd.Context(), info, lockTimeout)
			if err != nil {
				return err
			}
			defer lock.Unlock()
			p, ok := backend.(state.Pusher)
			if !ok {
				return fmt.Errorf("%s cannot take a pushed state", backend.Describe())
			}
			if err := p.Push(cmd.Context(), data, force); err != nil {
				return err
			}
			fmt.Fprintf(a.ios.Out, "Pushed %s to %s.\n", args[0], backend.Describe())
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "push even a state of another lineage or an older serial")
	cmd.Flags().DurationVar(&lockTimeout, "lock-timeout", 0, "wait this long for the state lock")
	return cmd
}

type migrateOptions struct {
	to          string
	path        string
	connStr     string
	workspace   string
	schema      string
	lockTimeout time.Duration
}

func newStateMigrateCmd(a *app) *cobra.Command {
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
		RunE: func(cmd *cobra.Command, _ []string) error { return runMigrate(cmd, a, opts) },
	}
	cmd.Flags().StringVar(&opts.to, "to", "", "the backend to move to: pg or local")
	cmd.Flags().StringVar(&opts.path, "path", DefaultStateFile, "--to local: the new state file")
	cmd.Flags().StringVar(&opts.connStr, "conn-str", "", "--to pg: the connection string (default PAYFORM_PG_CONN_STR)")
	cmd.Flags().StringVar(&opts.workspace, "workspace", pg.DefaultWorkspace, "--to pg: the workspace")
	cmd.Flags().StringVar(&opts.schema, "schema", pg.DefaultSchema, "--to pg: the schema")
	cmd.Flags().DurationVar(&opts.lockTimeout, "lock-timeout", 0, "wait this long for the source's lock")
	return cmd
}

func runMigrate(cmd *cobra.Command, a *app, opts *migrateOptions) error {
	ctx := cmd.Context()
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

func newForceUnlockCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "force-unlock LOCK_ID",
		Short: "Remove the lease of a pg lock whose holder is gone",
		Long: `Remove the lock lease LOCK_ID (the id a "state is locked" message names) of a
pg workspace whose holder's session is gone. It is refused while any session
still holds the lock. A local state needs none: the kernel releases a dead
process's lock.

Exit codes: 0 success; 1 error (including a lock still held).`,
		Example: `  payform force-unlock 6f1c2a9e0b7d4c3a8e5f1d2c3b4a5968`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			backend, err := a.openBackend(cmd.Context(), a.backendOnly(true))
			if err != nil {
				return err
			}
			defer closeBackend(backend)
			p, ok := backend.(state.ForceUnlocker)
			if !ok {
				return errors.New("the state is local: its lock dies with the process that holds it, so there is nothing to force")
			}
			if err := p.ForceUnlock(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(a.ios.Out, "Removed lock lease %s of %s.\n", args[0], backend.Describe())
			return nil
		},
	}
}

// envValue is the last value of name in env.
func envValue(env []string, name string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == name {
			return v
		}
	}
	return ""
}

type resolveOptions struct {
	vars        varFlags
	id          string
	amount      string
	notCreated  bool
	lockTimeout time.Duration
}

func newStateResolveCmd(a *app) *cobra.Command {
	opts := &resolveOptions{}
	cmd := &cobra.Command{
		Use:   "resolve ADDR (--id ID | --not-created)",
		Short: "Settle an item whose outcome payform cannot tell",
		Long: `Settle an in-doubt item, one that payform cannot tell whether the gateway
created (MiraclePay has no merchant key; Coinilla refuses a repeated refnum
without saying which invoice has it). Look at the gateway's dashboard first.

--id ID adopts the gateway's object ID, after reading it back and checking what
the gateway can prove: its key and amount where it reports them, and that it was
not made before payform first sent the item; a mismatch is refused. What the
gateway cannot report (MiraclePay reads back neither a prompt's amount nor its
note; Coinilla no amount) you attest with --amount, having checked it on the
dashboard: it must be the declared amount, and the journal records it as
attested, not checked. --not-created records that the gateway made nothing, so
the next apply sends the key again. Both are journaled with the operator's name
($PAYFORM_ACTOR, or user@host).

Exit codes: 0 success; 1 error (not in doubt, not found, or different).`,
		Example: `  payform state resolve 'invoice_batch.prompts["ord-7"]' --id 3f1c9a2e-8d1b-4e1f-9c7a-0b6d2e4f5a18 --amount 10.00
  PAYFORM_ACTOR=alice payform state resolve 'invoice_batch.coinilla["ord-9"]' --not-created`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr := args[0]
			if (opts.id == "") == !opts.notCreated {
				return errors.New("give exactly one of --id ID and --not-created")
			}
			if opts.amount != "" && opts.id == "" {
				return errors.New("--amount attests the object adopted with --id")
			}
			cfg, store, err := a.loadWorkspace(cmd.Context(), opts.vars, "state resolve", opts.lockTimeout)
			if err != nil {
				return err
			}
			defer store.Close()
			if opts.notCreated {
				// Where the gateway can look the key up, the operator's word
				// is checked against it first.
				var prov providers.Provider
				if rec := store.State().Resource(addr); rec != nil {
					if cfg.Provider(rec.Provider) == nil {
						return fmt.Errorf("provider %s of %s is not configured, so payform cannot check at the gateway that nothing was made; configure it and run this again", rec.Provider, addr)
					}
					if diags := cfg.CheckCredentials(); diags.HasErrors() {
						a.renderDiags(cfg.Files, diags)
						return silent
					}
					provs, closeProviders, err := a.openProviders(cfg)
					if err != nil {
						return err
					}
					defer closeProviders()
					prov = provs[rec.Provider]
				}
				if err := executor.ResolveNotCreated(cmd.Context(), store, prov, addr, a.now()); err != nil {
					return err
				}
				fmt.Fprintf(a.ios.Out, "Settled %s as not created (by %s); the next apply sends it.\n", addr, store.Actor())
				return store.Close()
			}
			rec := store.State().Resource(addr)
			if rec == nil {
				return fmt.Errorf("%s is not in the state", addr)
			}
			if p := cfg.Provider(rec.Provider); p == nil {
				return fmt.Errorf("provider %s of %s is not configured", rec.Provider, addr)
			}
			if diags := cfg.CheckCredentials(); diags.HasErrors() {
				a.renderDiags(cfg.Files, diags)
				return silent
			}
			provs, closeProviders, err := a.openProviders(cfg)
			if err != nil {
				return err
			}
			defer closeProviders()
			r, note, err := executor.ResolveAdopt(cmd.Context(), store, provs[rec.Provider], addr, opts.id, executor.Attestation{Amount: opts.amount})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.ios.Out, "Settled %s: adopted %s id %s (%s) (by %s).\n  %s\n", addr, r.Provider, r.ID, r.Status, store.Actor(), note)
			return store.Close()
		},
	}
	opts.vars.register(cmd.Flags())
	cmd.Flags().StringVar(&opts.id, "id", "", "the gateway's `ID` of the object made for this item")
	cmd.Flags().StringVar(&opts.amount, "amount", "", "attest the object's `AMOUNT`, read on the gateway's dashboard, where the gateway cannot report it (journaled as attested)")
	cmd.Flags().BoolVar(&opts.notCreated, "not-created", false, "the gateway made nothing for this item: send it again on the next apply")
	cmd.Flags().DurationVar(&opts.lockTimeout, "lock-timeout", 0, "wait this long for the state lock")
	return cmd
}

package cmd

import (
	"context"
	"io"
	"strings"

	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/pflag"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/gateways"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
	"github.com/payform/payform/state/pg"
)

// varFlags are --var and --var-file.
type varFlags struct {
	vars  []string
	files []string
}

func (v *varFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&v.vars, "var", nil, "set a variable: `NAME=VALUE` (repeatable)")
	fs.StringArrayVar(&v.files, "var-file", nil, "read variables from a `FILE` (HCL, or JSON if it ends in .json; repeatable)")
}

// loadConfig loads and validates the configuration, rendering every
// diagnostic. It returns silent when there are errors.
func (a *app) loadConfig(vf varFlags) (*schema.Config, error) {
	cfg, diags := a.loadSchema(vf)
	a.renderDiags(cfg.Files, diags)
	if diags.HasErrors() {
		return cfg, silent
	}
	return cfg, nil
}

func (a *app) loadSchema(vf varFlags) (*schema.Config, hcl.Diagnostics) {
	return schema.Load(schema.Options{
		Dir: ".", File: a.config, Vars: vf.vars, VarFiles: vf.files, Env: a.env, Gateways: a.gateways,
	})
}

// workspace is what a command opened: the configuration, the state
// (locked for the command's operation) and the providers. Close closes
// all of it, the providers first, once; a command that must know the
// state was written closes the store itself first (Store.Close is
// idempotent), and Close then closes only what is left.
type workspace struct {
	// view shows the workspace's diagnostics, and the command's results.
	view  view
	cfg   *schema.Config
	store *state.Store // nil for a workspace of the configuration alone
	provs map[string]providers.Provider
	// closers close what was opened, in the order opened.
	closers []func() error
}

// Close closes everything the workspace opened, last opened first, and
// returns the first error (the state's, when its last write failed).
func (w *workspace) Close() error {
	if w == nil {
		return nil
	}
	var err error
	for i := len(w.closers) - 1; i >= 0; i-- {
		if cerr := w.closers[i](); err == nil {
			err = cerr
		}
	}
	w.closers = nil
	return err
}

// onClose adds what Close closes.
func (w *workspace) onClose(close func() error) { w.closers = append(w.closers, close) }

// configWorkspace is a workspace of the configuration alone, for the
// commands that open no locked state; it renders every diagnostic and
// returns silent when there are errors.
func (a *app) configWorkspace(vf varFlags) (*workspace, error) {
	cfg, err := a.loadConfig(vf)
	if err != nil {
		return nil, err
	}
	return &workspace{view: humanView{a}, cfg: cfg}, nil
}

// loadWorkspace loads the configuration and opens the state (locked for
// op) at the same time: both take a while for large batches, and they do
// not depend on each other beyond the backend settings, which are
// literals read first. Diagnostics go to v, the command's view.
func (a *app) loadWorkspace(ctx context.Context, v view, vf varFlags, op string, lockTimeout time.Duration) (*workspace, error) {
	type loaded struct {
		cfg   *schema.Config
		diags hcl.Diagnostics
	}
	ch := make(chan loaded, 1)
	go func() {
		cfg, diags := a.loadSchema(vf)
		ch <- loaded{cfg, diags}
	}()
	var store *state.Store
	var serr error
	if backend := a.backendOnly(false); backend != nil {
		store, serr = a.openStore(ctx, backend, op, lockTimeout, false)
	}
	l := <-ch
	v.diagnostics(l.cfg.Files, l.diags)
	if l.diags.HasErrors() || serr != nil {
		if store != nil {
			store.Close()
		}
		if serr != nil {
			return nil, serr
		}
		return nil, silent
	}
	w := &workspace{view: v, cfg: l.cfg, store: store}
	w.onClose(store.Close)
	return w, nil
}

// openProviders checks the providers' credentials (rendering what is
// missing and returning silent) and opens every provider of the
// workspace's configuration; Close closes them.
func (a *app) openProviders(w *workspace) error {
	if diags := w.cfg.CheckCredentials(); diags.HasErrors() {
		w.view.diagnostics(w.cfg.Files, diags)
		return silent
	}
	provs, closeProviders, err := a.newProviders(w.cfg)
	if err != nil {
		return err
	}
	w.provs = provs
	w.onClose(func() error { closeProviders(); return nil })
	return nil
}

// statePath is --state, else the local backend's path, else the default.
func (a *app) statePath(cfg *schema.Config) string {
	switch {
	case a.state != "":
		return a.state
	case cfg != nil && cfg.Backend.Path != "":
		return cfg.Backend.Path
	}
	return DefaultStateFile
}

// openBackend opens the state backend the configuration names: the local
// files (--state overrides their path), or PostgreSQL. With
// PAYFORM_AUDIT_KEY set, the backend seals what it writes and checks the
// seals of what it reads.
func (a *app) openBackend(ctx context.Context, cfg *schema.Config) (state.Backend, error) {
	key, err := a.auditKey()
	if err != nil {
		return nil, err
	}
	if cfg == nil || cfg.Backend.Type != "pg" {
		return &state.Local{Path: a.statePath(cfg), Key: key}, nil
	}
	if a.state != "" {
		return nil, errors.New("--state names a local state file, but the configuration's backend is pg")
	}
	b := cfg.Backend
	return pg.Open(ctx, pg.Config{ConnString: b.ConnString, Workspace: b.Workspace, Schema: b.Schema, AuditKey: key})
}

// auditKey is PAYFORM_AUDIT_KEY, nil when it is not set.
func (a *app) auditKey() (state.Key, error) {
	return state.ParseKey(envValue(a.env, state.AuditKeyEnv))
}

// sandboxDir is where embedded sandboxes keep their data: beside a local
// state, or in the working directory.
func (a *app) sandboxDir(cfg *schema.Config) string {
	if cfg != nil && cfg.Backend.Type == "pg" {
		return filepath.Join(".payform", "sandbox")
	}
	return filepath.Join(filepath.Dir(a.statePath(cfg)), ".payform", "sandbox")
}

// DefaultStateFile is the state's default name.
const DefaultStateFile = "payform.state.json"

// openStore opens the state, locked for op unless readOnly.
func (a *app) openStore(ctx context.Context, cfg *schema.Config, op string, lockTimeout time.Duration, readOnly bool) (*state.Store, error) {
	backend, err := a.openBackend(ctx, cfg)
	if err != nil {
		return nil, err
	}
	st, err := state.Open(ctx, backend, state.Options{
		Operation: op, LockTimeout: lockTimeout, NoLock: readOnly, Version: Version, Clock: a.now, CloseBackend: true,
	})
	if err != nil {
		if c, ok := backend.(io.Closer); ok {
			c.Close()
		}
		var le *state.LockedError
		if errors.As(err, &le) {
			return nil, fmt.Errorf("%w\nWait for it to finish, or retry with --lock-timeout (e.g. --lock-timeout 5m)", err)
		}
		return nil, err
	}
	for _, w := range st.Warnings() {
		a.ios.Warnf("%s", w)
	}
	return st, nil
}

// newProviders builds a provider for every provider block. Sandbox
// providers keep their emulator's data in .payform/sandbox beside the
// state.
func (a *app) newProviders(cfg *schema.Config) (map[string]providers.Provider, func(), error) {
	out := map[string]providers.Provider{}
	sends := a.openSendLog(cfg)
	closers := []func() error{sends.Close}
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			_ = closers[i]()
		}
	}
	sandboxDir := a.sandboxDir(cfg)
	a.limiters = map[string]*providers.Limiter{}
	for _, p := range cfg.Providers {
		prov, closer, err := gateways.Open(gateways.Spec{
			Gateway: p.Gateway, Name: p.Name(), Endpoint: p.Endpoint, Credentials: p.Credentials,
			Options: p.Options, Timeout: p.Timeout, Sandbox: p.Sandbox, SandboxDir: sandboxDir, LimitScale: p.RateLimitScale,
			Settle: p.Settle, Account: p.Account(), SendLog: sends, Failpoints: a.failpoints,
		})
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("provider %s: %w", p.Name(), err)
		}
		out[p.Name()] = prov
		a.limiters[p.Name()] = providers.LimiterOf(prov)
		closers = append(closers, closer.Close)
	}
	return out, closeAll, nil
}

// backendOnly reads the backend settings for commands that need the state
// but not the whole configuration. Without configuration files, the
// defaults apply.
func (a *app) backendOnly(render bool) *schema.Config {
	b, files, diags := schema.LoadBackend(schema.Options{Dir: ".", File: a.config, Env: a.env, Gateways: a.gateways})
	if diags.HasErrors() {
		if render && len(files) > 0 {
			a.renderDiags(files, diags)
		}
		return nil
	}
	a.warnSkippedBackend()
	return &schema.Config{Backend: b}
}

// warnSkippedBackend warns, once a run, when --config FILE leaves out a
// file beside it that declares the backend: the run uses the local state,
// which is rarely what was meant.
func (a *app) warnSkippedBackend() {
	if a.config == "" || a.state != "" || a.warnedBackend {
		return
	}
	a.warnedBackend = true
	if skipped := schema.SkippedBackends(schema.Options{Dir: ".", File: a.config}); len(skipped) > 0 {
		a.ios.Warnf("--config %s reads only that file, so the backend declared in %s is not used: this run uses the default local state (payform.state.json) instead. Declare the backend in %s too, or run without --config.",
			a.config, strings.Join(skipped, ", "), a.config)
	}
}

// closeBackend closes a backend that holds connections.
func closeBackend(b state.Backend) {
	if c, ok := b.(io.Closer); ok {
		c.Close()
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

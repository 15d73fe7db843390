package cmd

import (
	"context"
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
	files := make([]string, len(vf.files))
	for i, f := range vf.files {
		files[i] = a.path(f)
	}
	cfg, diags := schema.Load(schema.Options{
		Dir: a.dir(), File: a.path(a.config), Vars: vf.vars, VarFiles: files, Env: a.env, Gateways: a.gateways,
	})
	a.renderDiags(cfg.Files, diags)
	if diags.HasErrors() {
		return cfg, silent
	}
	return cfg, nil
}

// statePath is --state, else the local backend's path, else the default,
// all relative to --chdir.
func (a *app) statePath(cfg *schema.Config) string {
	switch {
	case a.state != "":
		return a.path(a.state)
	case cfg != nil && cfg.Backend.Path != "":
		return a.path(cfg.Backend.Path)
	}
	return a.path(DefaultStateFile)
}

// DefaultStateFile is the state's default name.
const DefaultStateFile = "payform.state.json"

// openStore opens the state, locked for op unless readOnly.
func (a *app) openStore(ctx context.Context, path, op string, lockTimeout time.Duration, readOnly bool) (*state.Store, error) {
	st, err := state.Open(ctx, &state.Local{Path: path}, state.Options{
		Operation: op, LockTimeout: lockTimeout, NoLock: readOnly, Version: Version, Clock: a.now,
	})
	if err != nil {
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

// openProviders builds a provider for every provider block. Sandbox
// providers keep their emulator's data in .payform/sandbox beside the
// state.
func (a *app) openProviders(cfg *schema.Config, statePath string) (map[string]providers.Provider, func(), error) {
	out := map[string]providers.Provider{}
	var closers []func() error
	closeAll := func() {
		for _, c := range closers {
			_ = c()
		}
	}
	sandboxDir := filepath.Join(filepath.Dir(statePath), ".payform", "sandbox")
	for _, p := range cfg.Providers {
		prov, closer, err := gateways.Open(gateways.Spec{
			Gateway: p.Gateway, Name: p.Name(), Endpoint: p.Endpoint, Credentials: p.Credentials,
			Options: p.Options, Timeout: p.Timeout, Sandbox: p.Sandbox, SandboxDir: sandboxDir,
		})
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("provider %s: %w", p.Name(), err)
		}
		out[p.Name()] = prov
		closers = append(closers, closer.Close)
	}
	return out, closeAll, nil
}

// maxShownDiags bounds how many diagnostics of each severity are printed.
const maxShownDiags = 25

// renderDiags prints diagnostics with source snippets, errors first,
// capped per severity with a count of the rest.
func (a *app) renderDiags(files map[string]*hcl.File, diags hcl.Diagnostics) {
	if len(diags) == 0 {
		return
	}
	w := hcl.NewDiagnosticTextWriter(a.ios.ErrOut, files, uint(a.ios.Width()), a.ios.color)
	for _, sev := range []hcl.DiagnosticSeverity{hcl.DiagError, hcl.DiagWarning} {
		shown, total := 0, 0
		for _, d := range diags {
			if d.Severity != sev {
				continue
			}
			total++
			if shown < maxShownDiags {
				_ = w.WriteDiagnostic(d)
				shown++
			}
		}
		if total > shown {
			what := "errors"
			if sev == hcl.DiagWarning {
				what = "warnings"
			}
			fmt.Fprintf(a.ios.ErrOut, "\n... and %d more %s (%d in all).\n", total-shown, what, total)
		}
	}
	fmt.Fprintln(a.ios.ErrOut)
}

// backendOnly reads the backend settings for commands that need the state
// but not the whole configuration. Without configuration files, the
// defaults apply.
func (a *app) backendOnly() *schema.Config {
	b, files, diags := schema.LoadBackend(schema.Options{Dir: a.dir(), File: a.path(a.config), Env: a.env, Gateways: a.gateways})
	if diags.HasErrors() {
		if len(files) > 0 {
			a.renderDiags(files, diags)
		}
		return nil
	}
	return &schema.Config{Backend: b}
}

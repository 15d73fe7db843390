package schema

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ from the current output")

// diagCase is a configuration payform must refuse (or warn about).
type diagCase struct {
	name     string
	files    map[string]string
	vars     []string // --var
	varFiles []string // --var-file, relative to the configuration directory
	env      []string
	// want lists the resource instances still produced: the good ones
	// beside the bad, or the one a warning is about.
	want []string
	// warnOnly cases must produce warnings and no error.
	warnOnly bool
	// noSubject cases have an error that no source range can point at
	// (a command-line argument, a missing file).
	noSubject bool
	// secret must not appear in the rendered diagnostics.
	secret string
	// needs is a path the case needs; without it, the case is skipped.
	needs string
}

// diagCases are the cases of TestDiagnostics, also FuzzLoad's seeds.
var diagCases = slices.Concat(valueDiagCases, configDiagCases)

func TestDiagnostics(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range diagCases {
		if seen[c.name] {
			t.Fatalf("two cases are named %q", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			if c.needs != "" {
				if _, err := os.Stat(c.needs); err != nil {
					t.Skip(err)
				}
			}
			dir := writeFiles(t, c.files)
			opts := Options{Dir: dir, Vars: c.vars, Env: c.env, Gateways: testGateways}
			for _, f := range c.varFiles {
				opts.VarFiles = append(opts.VarFiles, filepath.Join(dir, f))
			}
			cfg, diags := Load(opts)
			if cfg == nil {
				t.Fatal("Load returned a nil Config")
			}
			checkDiagnostics(t, c, diags)
			if diff := cmp.Diff(c.want, addrs(cfg.Resources), cmpOpts); diff != "" {
				t.Errorf("resources (-want +got):\n%s", diff)
			}
			got := renderDiags(t, cfg.Files, diags, dir)
			if c.secret != "" && strings.Contains(strings.ToLower(got), strings.ToLower(c.secret)) {
				t.Errorf("rendered diagnostics show the sensitive value %q:\n%s", c.secret, got)
			}
			if len(got) > 10<<10 {
				t.Errorf("rendered diagnostics are %d bytes, want at most 10 KB; first 2 KB:\n%s", len(got), got[:2<<10])
			}
			checkGolden(t, filepath.Join("testdata", "diagnostics", c.name+".golden"), got)
		})
	}
}

func checkDiagnostics(t *testing.T, c diagCase, diags hcl.Diagnostics) {
	t.Helper()
	if len(diags) == 0 {
		t.Fatal("Load reported nothing")
	}
	if c.warnOnly {
		if diags.HasErrors() {
			t.Errorf("Load reported errors, want only warnings:\n%s", diags.Error())
		}
		return
	}
	if !diags.HasErrors() {
		t.Errorf("Load reported no error, only:\n%s", diags.Error())
	}
	if c.noSubject {
		return
	}
	for _, d := range diags {
		if d.Severity == hcl.DiagError && d.Subject == nil {
			t.Errorf("error %q has no source range", d.Summary)
		}
	}
}

// TestCheckCredentials covers the check plan and apply make before they
// talk to a gateway.
func TestCheckCredentials(t *testing.T) {
	files := map[string]string{"main.hcl": `provider "wllxpay" {
  alias   = "eu"
  api_key = "k"
}

provider "wllxpay" {
  sandbox = true
}
`}
	dir := writeFiles(t, files)
	cfg := mustLoad(t, Options{Dir: dir})
	diags := cfg.CheckCredentials()
	if !diags.HasErrors() {
		t.Fatalf("CheckCredentials reported no error, only %v", diags)
	}
	checkGolden(t, filepath.Join("testdata", "diagnostics", "check_credentials.golden"), renderDiags(t, cfg.Files, diags, dir))

	// With the environment, nothing is missing.
	cfg = mustLoad(t, Options{Dir: dir, Env: []string{"WLLXPAY_SECRET_KEY=s"}})
	if diags := cfg.CheckCredentials(); len(diags) != 0 {
		t.Errorf("CheckCredentials with WLLXPAY_SECRET_KEY set: %v", diags)
	}
}

// checkGolden compares got with the golden file, or rewrites it under
// -update.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./schema/ -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

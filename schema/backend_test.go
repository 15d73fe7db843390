package schema

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"
)

func TestLoadBackend(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  Backend
	}{
		{
			name: "local with a path",
			files: map[string]string{"main.hcl": `payform {
  backend "local" {
    path = "x.json"
  }
}
`},
			want: Backend{Type: "local", Path: "x.json"},
		},
		{
			name:  "no payform block",
			files: map[string]string{"main.hcl": sandboxProvider},
			want:  Backend{Type: "local"},
		},
		{
			name: "local without a path",
			files: map[string]string{"main.hcl": `payform {
  backend "local" {}
}
`},
			want: Backend{Type: "local"},
		},
		{
			// The rest of the configuration is not decoded: a state
			// command works while a variable has no value yet.
			name: "beside a configuration that would not load",
			files: map[string]string{
				"backend.hcl": `payform {
  backend "local" {
    path = "state/payform.json"
  }
}
`,
				"main.hcl": `variable "month" {}` + "\n" + payoutHCL("x", "foreign_id", "var.month"),
			},
			want: Backend{Type: "local", Path: "state/payform.json"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			got, files, diags := LoadBackend(Options{Dir: dir, Gateways: testGateways})
			if len(diags) > 0 {
				t.Fatalf("LoadBackend: %s", renderDiags(t, files, diags, dir))
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(Backend{}, "Range")); diff != "" {
				t.Errorf("LoadBackend (-want +got):\n%s", diff)
			}
			if len(files) == 0 {
				t.Error("LoadBackend returned no files")
			}
		})
	}
}

// TestLoadBackendMatchesLoad checks that Load decodes the same backend,
// with its range, and LoadBackend honours Options.File.
func TestLoadBackendMatchesLoad(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.hcl": `payform {
  backend "local" {
    path = "x.json"
  }
}
` + sandboxProvider,
		"other.hcl": `payform {
  backend "local" {
    path = "other.json"
  }
}
`,
	})
	file := filepath.Join(dir, "main.hcl")
	cfg := mustLoad(t, Options{File: file})
	b, _, diags := LoadBackend(Options{File: file})
	if len(diags) > 0 {
		t.Fatal(diags.Error())
	}
	want := Backend{Type: "local", Path: "x.json", Range: hcl.Range{
		Filename: file, Start: hcl.Pos{Line: 2, Column: 3, Byte: 12}, End: hcl.Pos{Line: 2, Column: 18, Byte: 27},
	}}
	if diff := cmp.Diff(want, b); diff != "" {
		t.Errorf("LoadBackend (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, cfg.Backend); diff != "" {
		t.Errorf("Load's Backend (-want +got):\n%s", diff)
	}
}

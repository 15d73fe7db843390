package schema

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDigest checks that Config.Digest covers the configuration files and
// every file read through file(), and nothing else.
func TestDigest(t *testing.T) {
	files := with(config(payoutHCL("vendor",
		"for_each", `{ for v in csvdecode(file("vendors.csv")) : v.foreign_id => v }`,
		"foreign_id", "each.key", "amount", "each.value.amount")),
		"vendors.csv", "foreign_id,amount\npo-1,0.01\npo-2,0.02\n",
		"unread.csv", "foreign_id,amount\n",
		"notes.txt", "not configuration\n",
		"prod.tfvars", "\n",
	)
	tests := []struct {
		name    string
		change  func(dir string) error
		changed bool
	}{
		{name: "nothing", change: func(string) error { return nil }},
		{name: "a configuration file", changed: true, change: appendTo("main.hcl", "# a comment\n")},
		{name: "a new configuration file", changed: true, change: appendTo("more.hcl", "locals {}\n")},
		{name: "a CSV read through file()", changed: true, change: appendTo("vendors.csv", "po-3,0.03\n")},
		{name: "a file never read", change: appendTo("unread.csv", "po-3,0.03\n")},
		{name: "a file that is not configuration", change: appendTo("notes.txt", "more\n")},
		{name: "a variable file", change: appendTo("prod.tfvars", "# a comment\n")},
		{name: "the file times", change: func(dir string) error {
			t := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
			return os.Chtimes(filepath.Join(dir, "vendors.csv"), t, t)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, files)
			opts := Options{Dir: dir, VarFiles: []string{filepath.Join(dir, "prod.tfvars")}}
			before := mustLoad(t, opts).Digest
			if !strings.HasPrefix(before, "sha256:") || len(before) != len("sha256:")+64 {
				t.Fatalf("Digest = %q, want sha256: and 64 hex digits", before)
			}
			if err := tt.change(dir); err != nil {
				t.Fatal(err)
			}
			after := mustLoad(t, opts).Digest
			if changed := after != before; changed != tt.changed {
				t.Errorf("digest changed = %v, want %v (before %s, after %s)", changed, tt.changed, before, after)
			}
		})
	}
}

// TestDigestIndependentOfDir checks that the same configuration in two
// directories has the same digest: it names files relative to the
// configuration directory.
func TestDigestIndependentOfDir(t *testing.T) {
	files := with(config(payoutHCL("x", "foreign_id", `trimspace(file("id.txt"))`)), "id.txt", "po-1\n")
	a := mustLoad(t, Options{Dir: writeFiles(t, files)}).Digest
	b := mustLoad(t, Options{Dir: writeFiles(t, files)}).Digest
	if a != b {
		t.Errorf("digests differ: %s and %s", a, b)
	}
}

func appendTo(name, text string) func(dir string) error {
	return func(dir string) error {
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		if _, err := f.WriteString(text); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
}

package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestImportGraph holds the architecture of DESIGN §2: data flows one way,
// main → cmd → (schema, planner, executor, policy, report) → (state,
// providers, money). Deciding (planner, policy) does no HTTP and knows no
// executor; the state knows no gateway; providers know no plan or state; the callback inbox knows no gateway.
func TestImportGraph(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/payform/payform"
	imports := map[string][]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		imports[strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, mod), "/")] = p.Imports
	}
	within := func(pkg, root string) bool { return pkg == root || strings.HasPrefix(pkg, root+"/") }
	rules := []struct {
		pkg     string   // a package and its subpackages
		mustNot []string // import paths (module-relative for ours)
		only    bool     // pkg itself, not its subpackages
	}{
		{"planner", []string{"cmd", "executor", "net/http", "state/pg", "providers/gateways"}, false},
		{"policy", []string{"cmd", "executor", "net/http", "planner"}, false},
		{"executor", []string{"cmd"}, false},
		{"schema", []string{"cmd", "executor", "planner", "state"}, false},
		{"state", []string{"cmd", "executor", "planner", "providers", "schema"}, false},
		{"providers", []string{"cmd", "executor", "planner", "state", "schema", "policy", "report"}, false},
		{"money", []string{"cmd", "executor", "planner", "state", "providers", "schema"}, false},
		{"report", []string{"cmd", "executor", "planner", "providers/gateways"}, false},
		{"approval", []string{"cmd", "executor", "planner", "state", "providers"}, false},
		// The inbox keeps callbacks for the state backends; the gateways'
		// verifiers live in inbox/verifier, which cmd wires in.
		{"inbox", []string{"cmd", "executor", "planner", "state", "providers", "schema"}, true},
	}
	checked := 0
	for pkg, deps := range imports {
		if pkg != "" && pkg != "cmd" && !within(pkg, "cmd") {
			for _, d := range deps {
				if d == mod+"/cmd" {
					t.Errorf("%s imports cmd: only main may", pkg)
				}
			}
		}
		for _, r := range rules {
			if !within(pkg, r.pkg) || (r.only && pkg != r.pkg) {
				continue
			}
			checked++
			for _, d := range deps {
				rel := strings.TrimPrefix(d, mod+"/")
				for _, bad := range r.mustNot {
					if rel == bad || (strings.HasPrefix(d, mod+"/") && within(rel, bad)) {
						t.Errorf("%s imports %s (DESIGN §2: %s must not)", pkg, d, r.pkg)
					}
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d packages checked: go list found %v", checked, len(imports))
	}
}

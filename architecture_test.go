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
// executor; the state knows no gateway; providers know no plan or state.
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
	}{
		{"planner", []string{"cmd", "executor", "net/http", "state/pg", "providers/gateways"}},
		{"policy", []string{"cmd", "executor", "net/http", "planner"}},
		{"executor", []string{"cmd"}},
		{"schema", []string{"cmd", "executor", "planner", "state"}},
		{"state", []string{"cmd", "executor", "planner", "providers", "schema"}},
		{"providers", []string{"cmd", "executor", "planner", "state", "schema", "policy", "report"}},
		{"money", []string{"cmd", "executor", "planner", "state", "providers", "schema"}},
		{"report", []string{"cmd", "executor", "planner", "providers/gateways"}},
		{"approval", []string{"cmd", "executor", "planner", "state", "providers"}},
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
			if !within(pkg, r.pkg) {
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

package approval

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// maxSignatureFile bounds a signature file; an SSH signature is well
// under 2 KB, even with an RSA certificate.
const maxSignatureFile = 64 << 10

// SignatureName returns where an approval by name goes beside the plan:
// PLANFILE.NAME.sig (NAME made safe for a file name).
func SignatureName(planPath, name string) string {
	safe := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.', r == '@':
			return r
		}
		return '_'
	}, name)
	safe = strings.Trim(safe, ".")
	if safe == "" {
		safe = "approval"
	}
	return planPath + "." + safe + ".sig"
}

// Collect reads the signatures of a plan: every PLANFILE.sig and
// PLANFILE.<anything>.sig beside it, and the explicit files, each once.
func Collect(planPath string, explicit []string) ([]File, error) {
	dir, base := filepath.Split(planPath)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("looking for approvals beside %s: %v", planPath, err)
	}
	var paths []string
	for _, e := range entries {
		name := e.Name()
		if name == base+".sig" || (strings.HasPrefix(name, base+".") && strings.HasSuffix(name, ".sig") && len(name) > len(base)+len(".sig")+1) {
			if e.Type().IsRegular() {
				paths = append(paths, filepath.Join(dir, name))
			}
		}
	}
	sort.Strings(paths)
	paths = append(paths, explicit...)
	seen := map[string]bool{}
	var out []File
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		if seen[abs] {
			continue
		}
		seen[abs] = true
		data, err := readSmall(p, maxSignatureFile)
		if err != nil {
			return nil, fmt.Errorf("reading approval %s: %v", p, err)
		}
		out = append(out, File{Name: p, Data: data})
	}
	return out, nil
}

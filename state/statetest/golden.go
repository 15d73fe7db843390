package statetest

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// golden keeps the exact message of every refusal the suite provokes, one
// "## test/case" section each, with the run's variable parts (workspace
// names, hashes, ids, the pid, waits) replaced by placeholders. The file
// is per backend, so that a reviewer reads every message a user of that
// backend can get, and the two backends side by side.
type golden struct {
	path   string
	update bool
	want   map[string]string
	mu     sync.Mutex
	got    map[string]string
}

func newGolden(t *testing.T, path string, update bool) *golden {
	g := &golden{path: path, update: update, want: map[string]string{}, got: map[string]string{}}
	data, err := os.ReadFile(path)
	if err != nil && !(update && errors.Is(err, os.ErrNotExist)) {
		t.Fatalf("reading the golden file: %v (run with -update to write it)", err)
	}
	for _, sec := range strings.Split(string(data), "\n## ")[1:] {
		name, msg, _ := strings.Cut(sec, "\n")
		g.want[name] = strings.TrimSuffix(msg, "\n")
	}
	return g
}

var (
	hash64   = regexp.MustCompile(`\b[0-9a-f]{64}\b`)
	id32     = regexp.MustCompile(`\b[0-9a-f]{32}\b`)
	waited   = regexp.MustCompile(`waited [0-9.]+(ns|µs|ms|s)`)
	pidWords = regexp.MustCompile(`\bpid ` + strconv.Itoa(os.Getpid()) + `\b`)
)

// check compares err's message, normalized, with the golden file's case.
// A nil err fails the test: every case is a refusal.
func (e *env) check(name string, err error) {
	e.t.Helper()
	if err == nil {
		e.t.Errorf("%s: no error, want a refusal", name)
		return
	}
	msg := err.Error()
	for i := 0; i+1 < len(e.names); i += 2 {
		msg = strings.ReplaceAll(msg, e.names[i], e.names[i+1])
	}
	msg = hash64.ReplaceAllString(msg, "<hash>")
	msg = id32.ReplaceAllString(msg, "<id>")
	msg = waited.ReplaceAllString(msg, "waited <d>")
	msg = pidWords.ReplaceAllString(msg, "pid <pid>")
	key := strings.TrimPrefix(e.t.Name(), strings.SplitN(e.t.Name(), "/", 2)[0]+"/") + ": " + name
	g := e.g
	g.mu.Lock()
	defer g.mu.Unlock()
	g.got[key] = msg
	if g.update {
		return
	}
	want, ok := g.want[key]
	switch {
	case !ok:
		e.t.Errorf("%s: the golden file %s has no %q (run with -update)\ngot: %s", name, g.path, key, msg)
	case want != msg:
		e.t.Errorf("%s: message differs from %s\nwant: %s\n got: %s", name, g.path, want, msg)
	}
}

// finish rewrites the golden file with -update: the cases seen this run,
// and those of the file that did not run (a -run filter).
func (g *golden) finish(t *testing.T) {
	if !g.update {
		return
	}
	all := maps.Clone(g.want)
	maps.Copy(all, g.got)
	var b bytes.Buffer
	b.WriteString("Every refusal the statetest suite provokes, exactly as this backend words it\n(go test -update rewrites this file).\n")
	for _, k := range slices.Sorted(maps.Keys(all)) {
		fmt.Fprintf(&b, "\n## %s\n%s\n", k, all[k])
	}
	if err := os.MkdirAll(filepath.Dir(g.path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(g.path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

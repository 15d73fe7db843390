package state_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/payform/payform/state"
	"github.com/payform/payform/state/statetest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestLocalSuite runs the backend conformance suite on Local: a fresh
// directory per workspace, its files edited for tampering.
func TestLocalSuite(t *testing.T) {
	statetest.Run(t, statetest.Suite{
		New: func(t *testing.T) statetest.Workspace {
			path := filepath.Join(t.TempDir(), "payform.state.json")
			return statetest.Workspace{
				Open: func(t *testing.T, key state.Key) state.Backend { return &state.Local{Path: path, Key: key} },
				Raw:  statetest.LocalFiles(path),
			}
		},
		Kill:     func(t *testing.T, s *state.Store) { state.Kill(s) },
		LoseLock: func(t *testing.T, s *state.Store) { removeFile(t, s.Describe()+".lock") },
		LostLock: func(err error) bool {
			var lost *state.LostLockError
			return errors.As(err, &lost)
		},
		Tear:   tearLocal,
		Golden: "testdata/statetest.golden",
		Update: *update,
	})
}

func removeFile(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}

// tearLocal records e, then kills s and cuts e's journal line half-way,
// newline included: what a crash in the middle of its write leaves.
func tearLocal(t *testing.T, s *state.Store, e *state.Entry) bool {
	t.Helper()
	if err := s.Record(e, true); err != nil {
		t.Fatal(err)
	}
	state.Kill(s)
	path := s.Describe() + ".journal"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	start := bytes.LastIndexByte(data[:len(data)-1], '\n') + 1
	if err := os.Truncate(path, int64(start+(len(data)-start)/2)); err != nil {
		t.Fatal(err)
	}
	return true
}

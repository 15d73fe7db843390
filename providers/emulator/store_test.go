package emulator

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type rec struct {
	N int `json:"n"`
}

func replayAll(t *testing.T, j *Journal) []rec {
	t.Helper()
	var out []rec
	err := j.Replay(func(raw json.RawMessage) error {
		var r rec
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		t.Fatalf("Replay: %v", err)
	}
	return out
}

func mustAppend(t *testing.T, j *Journal, vs ...any) {
	t.Helper()
	for _, v := range vs {
		if err := j.Append(v); err != nil {
			t.Fatalf("Append: %v", err)
		}
	}
}

func openStore(t *testing.T, path string) *Store {
	t.Helper()
	s, err := OpenStore(path)
	if err != nil {
		t.Fatalf("OpenStore: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStoreReplaysAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "deep", "dir", "sandbox.jsonl")
	s := openStore(t, path)
	a, b := s.Journal("alpha"), s.Journal("beta")
	mustAppend(t, a, rec{1}, rec{2})
	mustAppend(t, b, rec{10})
	mustAppend(t, a, rec{3})
	s.Close()

	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := st.Mode().Perm(); mode != 0o600 {
		t.Errorf("store mode %v, want 0600", mode)
	}
	data, _ := os.ReadFile(path)
	wantFile := `{"gateway":"alpha","record":{"n":1}}
{"gateway":"alpha","record":{"n":2}}
{"gateway":"beta","record":{"n":10}}
{"gateway":"alpha","record":{"n":3}}
`
	if diff := cmp.Diff(wantFile, string(data)); diff != "" {
		t.Errorf("file (-want +got):\n%s", diff)
	}

	s2 := openStore(t, path)
	if diff := cmp.Diff([]rec{{1}, {2}, {3}}, replayAll(t, s2.Journal("alpha"))); diff != "" {
		t.Errorf("alpha replay (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]rec{{10}}, replayAll(t, s2.Journal("beta"))); diff != "" {
		t.Errorf("beta replay (-want +got):\n%s", diff)
	}
	if got := replayAll(t, s2.Journal("gamma")); len(got) != 0 {
		t.Errorf("gamma replay = %v, want nothing", got)
	}
}

func TestStoreTornTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.jsonl")
	s := openStore(t, path)
	mustAppend(t, s.Journal("alpha"), rec{1}, rec{2})
	s.Close()
	// A process killed in the middle of its write leaves half a line.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"gateway":"alpha","record":{"n":`)
	f.Close()

	s2 := openStore(t, path)
	j := s2.Journal("alpha")
	if diff := cmp.Diff([]rec{{1}, {2}}, replayAll(t, j)); diff != "" {
		t.Errorf("replay after torn tail (-want +got):\n%s", diff)
	}
	mustAppend(t, j, rec{3})
	s2.Close()

	s3 := openStore(t, path)
	if diff := cmp.Diff([]rec{{1}, {2}, {3}}, replayAll(t, s3.Journal("alpha"))); diff != "" {
		t.Errorf("replay after appending past a torn tail (-want +got):\n%s", diff)
	}
}

func TestStoreTornOnlyLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.jsonl")
	os.WriteFile(path, []byte(`{"gateway":"al`), 0o600)
	s := openStore(t, path)
	if got := replayAll(t, s.Journal("alpha")); len(got) != 0 {
		t.Errorf("replay = %v, want nothing", got)
	}
	if data, _ := os.ReadFile(path); len(data) != 0 {
		t.Errorf("file holds %q, want the torn line truncated", data)
	}
}

func TestStoreCorruptLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.jsonl")
	os.WriteFile(path, []byte("{\"gateway\":\"alpha\",\"record\":{\"n\":1}}\nnot json\n"), 0o600)
	s := openStore(t, path)
	err := s.Journal("alpha").Replay(func(json.RawMessage) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "line 2 is not a store record") {
		t.Errorf("Replay error = %v, want one naming line 2", err)
	}
}

func TestStoreReplayStopsAtCallbackError(t *testing.T) {
	s := openStore(t, "")
	mustAppend(t, s.Journal("alpha"), rec{1}, rec{2})
	boom := errors.New("boom")
	err := s.Journal("alpha").Replay(func(json.RawMessage) error { return boom })
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("Replay error = %v, want boom at line 1", err)
	}
}

func TestMemoryStore(t *testing.T) {
	s := openStore(t, "")
	a := s.Journal("alpha")
	mustAppend(t, a, rec{1})
	mustAppend(t, s.Journal("beta"), rec{2})
	mustAppend(t, a, rec{3})
	if diff := cmp.Diff([]rec{{1}, {3}}, replayAll(t, a)); diff != "" {
		t.Errorf("memory replay (-want +got):\n%s", diff)
	}
	s.Close()
	if err := a.Append(rec{4}); !errors.Is(err, ErrStoreClosed) {
		t.Errorf("Append after Close = %v, want ErrStoreClosed", err)
	}
}

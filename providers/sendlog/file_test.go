package sendlog_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/sendlog"
	"github.com/payform/payform/providers/sendlog/sendlogtest"
)

func TestFileConformance(t *testing.T) {
	sendlogtest.Run(t, func(t *testing.T) sendlogtest.Opener {
		path := filepath.Join(t.TempDir(), "state.json.sendlog")
		return func() providers.SendLog { return sendlog.Open(path, sendlog.Options{}) }
	})
}

// TestFileUnclosed: a record is in the file as soon as Record returns;
// the process need not close anything (it may be killed).
func TestFileUnclosed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sendlog")
	t0 := time.UnixMilli(1767225600000)
	clock := func() time.Time { return t0 }
	a := sendlog.Open(path, sendlog.Options{Now: clock})
	if err := a.Record("acct", providers.Send{ID: "x.1", At: t0, Create: true}); err != nil {
		t.Fatal(err)
	}
	// a is never closed.
	got, err := sendlog.Open(path, sendlog.Options{Now: clock}).Load("acct", t0.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]providers.Send{{ID: "x.1", At: t0, Create: true}}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestFileTornLastLine: a write cut short leaves a last line without its
// newline; it is dropped, the rest is read, and appends go on in a
// well-formed file.
func TestFileTornLastLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sendlog")
	t0 := time.UnixMilli(1767225600000)
	clock := func() time.Time { return t0 }
	a := sendlog.Open(path, sendlog.Options{Now: clock})
	for _, s := range []providers.Send{{ID: "x.1", At: t0}, {ID: "x.2", At: t0}} {
		if err := a.Record("acct", s); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	data, _ := os.ReadFile(path)
	torn := data[:len(data)-9] // "s TAG x.2 17672" without the rest
	if err := os.WriteFile(path, torn, 0o600); err != nil {
		t.Fatal(err)
	}
	b := sendlog.Open(path, sendlog.Options{Now: clock})
	got, err := b.Load("acct", t0.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]providers.Send{{ID: "x.1", At: t0}}, got); diff != "" {
		t.Errorf("after a torn line (-want +got):\n%s", diff)
	}
	if err := b.Record("acct", providers.Send{ID: "x.3", At: t0}); err != nil {
		t.Fatal(err)
	}
	b.Close()
	data, _ = os.ReadFile(path)
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if i > 0 && len(strings.Fields(line)) != 5 {
			t.Errorf("line %d %q is not a whole record:\n%s", i+1, line, data)
		}
	}
}

// TestFileNotOurs: a file that is not a send log is refused, naming it,
// and left alone.
func TestFileNotOurs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sendlog")
	if err := os.WriteFile(path, []byte("{\"version\": 4}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := sendlog.Open(path, sendlog.Options{}).Load("acct", time.Now())
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "not a payform send log") {
		t.Errorf("err = %v, want one naming %s as not a send log", err, path)
	}
	if data, _ := os.ReadFile(path); string(data) != "{\"version\": 4}\n" {
		t.Errorf("the file was changed: %q", data)
	}
}

// TestFileBounded: a day of sends at 1,000 an hour keeps the file to the
// window Load asked for (an hour), not the day.
func TestFileBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sendlog")
	now := time.UnixMilli(1767225600000)
	l := sendlog.Open(path, sendlog.Options{Now: func() time.Time { return now }})
	if _, err := l.Load("acct", now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	largest := int64(0)
	for i := range 24 * 1000 {
		id := fmt.Sprintf("r.%d", i)
		if err := l.Record("acct", providers.Send{ID: id, At: now}); err != nil {
			t.Fatal(err)
		}
		if err := l.Record("acct", providers.Send{ID: id, At: now, Done: now.Add(200 * time.Millisecond)}); err != nil {
			t.Fatal(err)
		}
		now = now.Add(3600 * time.Millisecond)
		if fi, err := os.Stat(path); err == nil {
			largest = max(largest, fi.Size())
		}
	}
	// An hour is 1,000 sends, two records each, about 70 bytes a pair;
	// the file is rewritten at twice its live records (at least 4,096).
	if largest > 400<<10 {
		t.Errorf("the file grew to %d bytes; an hour of sends is about 70 KB", largest)
	}
	l.Close()
	got, err := sendlog.Open(path, sendlog.Options{Now: func() time.Time { return now }}).Load("acct", now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 999 || len(got) > 1001 {
		t.Errorf("%d sends in the last hour, want 1,000", len(got))
	}
}

// TestFileExpiredDropped: sends older than Keep are gone once the file
// is opened again, from the file too.
func TestFileExpiredDropped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sendlog")
	t0 := time.UnixMilli(1767225600000)
	a := sendlog.Open(path, sendlog.Options{Keep: time.Hour, Now: func() time.Time { return t0 }})
	if err := a.Record("acct", providers.Send{ID: "x.1", At: t0}); err != nil {
		t.Fatal(err)
	}
	a.Close()
	later := t0.Add(61 * time.Minute)
	b := sendlog.Open(path, sendlog.Options{Keep: time.Hour, Now: func() time.Time { return later }})
	got, err := b.Load("acct", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("an expired send was loaded: %+v", got)
	}
	b.Close()
	if data, _ := os.ReadFile(path); string(data) != "payform-sendlog 1\n" {
		t.Errorf("the file still holds the expired send: %q", data)
	}
}

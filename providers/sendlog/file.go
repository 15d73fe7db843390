package sendlog

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/payform/payform/providers"
)

// header is the file's first line; another one is refused.
const header = "payform-sendlog 1\n"

// File is a providers.SendLog in one local file, e.g.
// payform.state.json.sendlog beside the state. It is a text file of one
// record per line, appended with one write each (O_APPEND), so a record
// is in the file once its write returned, whatever happens to the
// process afterwards (SIGKILL included; a power cut may lose the last
// writes, as they are not fsynced):
//
//	payform-sendlog 1
//	s 3fa91c0e77d2 5c1f0a9e2b.1 1767225600123 c    a send: account tag, id, unix ms, c(reate) or r(equest)
//	d 5c1f0a9e2b.1 1767225600161                   its answer
//
// The account tag is the first 12 hex digits of the account's SHA-256
// (two accounts that share one only make each other wait longer). Times
// are rounded up to the millisecond. A last line without its newline (a
// torn write) is dropped, as is any line that does not parse.
//
// The file is bounded by the longest window: when it is first used, and
// whenever it has grown to twice its live records, it is rewritten (temp
// file, fsync, rename) with only the sends still inside the window Load
// asked for (Keep for an account not loaded yet). One process uses a file
// at a time: the state's lock, which plan and apply hold, sees to it.
type File struct {
	path string
	keep time.Duration
	now  func() time.Time

	mu      sync.Mutex
	opened  bool
	openErr error
	f       *os.File
	sends   map[string]*entry        // by id
	retain  map[string]time.Duration // by account tag: the window Load asked for
	lines   int                      // records in the file
	compact int                      // rewrite once lines reach it
}

type entry struct {
	tag    string
	id     string
	at     int64 // unix ms
	done   int64 // unix ms; 0 while under way
	create bool
}

func (e *entry) latest() int64 { return max(e.at, e.done) }

// Options configure a File.
type Options struct {
	// Keep is how long sends of an account not loaded in this run are
	// kept: at least the longest window of any gateway. An hour and ten
	// minutes when zero.
	Keep time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// minCompact is the fewest records a file grows to before it is
// rewritten.
const minCompact = 4096

// Open returns the log kept at path. Nothing is read or written until
// the first Load or Record.
func Open(path string, opts Options) *File {
	f := &File{path: path, keep: opts.Keep, now: opts.Now, sends: map[string]*entry{}, retain: map[string]time.Duration{}}
	if f.keep <= 0 {
		f.keep = 70 * time.Minute
	}
	if f.now == nil {
		f.now = time.Now
	}
	return f
}

var _ providers.SendLog = (*File)(nil)

// Path returns where the log is kept.
func (f *File) Path() string { return f.path }

// Load returns the account's sends whose Done (else At) is at or after
// since, oldest first. Sends of the account are kept from now on for as
// long as since is old.
func (f *File) Load(account string, since time.Time) ([]providers.Send, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.open(); err != nil {
		return nil, err
	}
	tag := tagOf(account)
	f.retain[tag] = max(f.retain[tag], f.now().Sub(since))
	floor := since.UnixMilli()
	var out []providers.Send
	for _, e := range f.sends {
		if e.tag == tag && e.latest() >= floor {
			s := providers.Send{ID: e.id, At: time.UnixMilli(e.at), Create: e.create}
			if e.done != 0 {
				s.Done = time.UnixMilli(e.done)
			}
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b providers.Send) int {
		return cmp.Or(a.At.Compare(b.At), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// Record appends a send, or the answer to one (s.Done set).
func (f *File) Record(account string, s providers.Send) error {
	if s.ID == "" || strings.ContainsAny(s.ID, " \t\r\n") {
		return fmt.Errorf("send log: id %q is empty or has spaces", s.ID)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.open(); err != nil {
		return err
	}
	var line string
	if s.Done.IsZero() {
		e := &entry{tag: tagOf(account), id: s.ID, at: ceilMilli(s.At), create: s.Create}
		f.sends[s.ID] = e
		line = e.sendLine()
	} else {
		e := f.sends[s.ID]
		if e == nil {
			return nil // already dropped: its answer no longer matters
		}
		e.done = ceilMilli(s.Done)
		line = e.doneLine()
	}
	if _, err := f.f.WriteString(line); err != nil {
		return fmt.Errorf("send log %s: %w", f.path, err)
	}
	f.lines++
	if f.lines >= f.compact {
		return f.rewrite()
	}
	return nil
}

// Close closes the file.
func (f *File) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.f == nil {
		return nil
	}
	err := f.f.Close()
	f.f = nil
	f.opened, f.openErr = true, errors.New("send log: closed")
	return err
}

// open reads the file once, drops what expired, and opens it for
// appending. Called with f.mu held.
func (f *File) open() error {
	if f.opened {
		return f.openErr
	}
	f.opened = true
	data, err := os.ReadFile(f.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		f.openErr = fmt.Errorf("send log: %w", err)
		return f.openErr
	}
	if len(data) > 0 {
		if !bytes.HasPrefix(data, []byte(header)) {
			f.openErr = fmt.Errorf("send log %s: not a payform send log (version 1); move it away to start afresh", f.path)
			return f.openErr
		}
		f.parse(data[len(header):])
	}
	if err := f.rewrite(); err != nil {
		f.openErr = err
		return err
	}
	return nil
}

// parse reads the records after the header. A last line without its
// newline is a torn write: dropped.
func (f *File) parse(data []byte) {
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return
		}
		fields := strings.Fields(string(data[:i]))
		data = data[i+1:]
		switch {
		case len(fields) == 5 && fields[0] == "s" && (fields[4] == "c" || fields[4] == "r"):
			at, err := strconv.ParseInt(fields[3], 10, 64)
			if err == nil {
				f.sends[fields[2]] = &entry{tag: fields[1], id: fields[2], at: at, create: fields[4] == "c"}
			}
		case len(fields) == 3 && fields[0] == "d":
			done, err := strconv.ParseInt(fields[2], 10, 64)
			if e := f.sends[fields[1]]; e != nil && err == nil {
				e.done = done
			}
		}
	}
}

// rewrite drops the sends no window needs any more and writes the rest
// to a fresh file in place of the old, then appends to it. Called with
// f.mu held.
func (f *File) rewrite() error {
	now := f.now()
	var live []*entry
	for id, e := range f.sends {
		keep, ok := f.retain[e.tag]
		if !ok {
			keep = f.keep
		}
		if time.UnixMilli(e.latest()).Add(keep).Before(now) {
			delete(f.sends, id)
			continue
		}
		live = append(live, e)
	}
	slices.SortFunc(live, func(a, b *entry) int {
		return cmp.Or(cmp.Compare(a.at, b.at), strings.Compare(a.id, b.id))
	})
	var b strings.Builder
	b.WriteString(header)
	f.lines = 0
	for _, e := range live {
		b.WriteString(e.sendLine())
		f.lines++
		if e.done != 0 {
			b.WriteString(e.doneLine())
			f.lines++
		}
	}
	if f.f != nil {
		f.f.Close()
		f.f = nil
	}
	if err := writeFileAtomic(f.path, []byte(b.String())); err != nil {
		return fmt.Errorf("send log: %w", err)
	}
	out, err := os.OpenFile(f.path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("send log: %w", err)
	}
	f.f = out
	f.compact = max(minCompact, 2*f.lines)
	return nil
}

func (e *entry) sendLine() string {
	kind := "r"
	if e.create {
		kind = "c"
	}
	return "s " + e.tag + " " + e.id + " " + strconv.FormatInt(e.at, 10) + " " + kind + "\n"
}

func (e *entry) doneLine() string {
	return "d " + e.id + " " + strconv.FormatInt(e.done, 10) + "\n"
}

func tagOf(account string) string {
	sum := sha256.Sum256([]byte(account))
	return hex.EncodeToString(sum[:6])
}

// ceilMilli is t in unix milliseconds, rounded up: later is the safe side.
func ceilMilli(t time.Time) int64 {
	ns := t.UnixNano()
	ms := ns / 1e6
	if ns%1e6 > 0 {
		ms++
	}
	return ms
}

// writeFileAtomic writes data to path through a temporary file in the
// same directory: write, fsync, rename, fsync the directory. Mode 0600.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

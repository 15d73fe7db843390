package inbox

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/payform/payform/internal/atomicfile"
)

// Local is the inbox of a local state at PATH: PATH.inbox holds one item
// a line (JSON, mode 0600, append-only), PATH.inbox.folded how far the
// state has taken it in. One process writes it at a time (it holds an
// flock on PATH.inbox.lock: `callback serve`, or a `callback ingest`);
// any number read it, and a line still being written is not read.
type Local struct {
	path string // PATH.inbox

	// The writer's, nil for a reader.
	f    *os.File
	lock *os.File

	mu       sync.Mutex // guards the fields below
	seq      uint64     // the last item written
	size     int64      // bytes of complete lines
	dedupe   map[string]uint64
	offsets  map[uint64]int64
	syncMu   sync.Mutex // one fsync at a time; callers share it
	synced   uint64     // every item up to it is on disk
	closed   bool
	readOnly bool
}

var _ Store = (*Local)(nil)

// LocalPath is the inbox file of the local state at statePath.
func LocalPath(statePath string) string { return statePath + ".inbox" }

// ErrBusy says another process writes the inbox.
var ErrBusy = errors.New("another payform process writes this callback inbox")

// OpenLocal opens the inbox of the local state at statePath. With write,
// it takes the inbox's lock (ErrBusy when another process has it),
// creates the file if needed, drops a torn last line and loads what it
// needs to number and de-duplicate new items; without, it only reads.
func OpenLocal(statePath string, write bool) (*Local, error) {
	l := &Local{path: LocalPath(statePath), dedupe: map[string]uint64{}, offsets: map[uint64]int64{}, readOnly: !write}
	if !write {
		return l, nil
	}
	if err := os.MkdirAll(filepath.Dir(l.path), 0o700); err != nil {
		return nil, err
	}
	lock, err := os.OpenFile(l.path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	ok, err := tryLock(lock)
	if err != nil || !ok {
		lock.Close()
		if err == nil {
			err = fmt.Errorf("%w (%s is locked): stop it, or send the request to the running payform callback serve", ErrBusy, l.path+".lock")
		}
		return nil, err
	}
	_, statErr := os.Stat(l.path)
	f, err := os.OpenFile(l.path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		lock.Close()
		return nil, err
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		if err := atomicfile.SyncDir(filepath.Dir(l.path)); err != nil {
			f.Close()
			lock.Close()
			return nil, err
		}
	}
	l.f, l.lock = f, lock
	end, err := l.scan(f, 0, 0, func(it *Item, _ int64) error {
		l.seq = it.Seq
		if k := it.DedupeKey(); k != "" {
			if _, seen := l.dedupe[k]; !seen {
				l.dedupe[k] = it.Seq
			}
		}
		return nil
	})
	if err == nil {
		err = f.Truncate(end) // a line torn by a crash mid-write
	}
	if err != nil {
		l.Close()
		return nil, err
	}
	l.size, l.synced = end, l.seq
	return l, nil
}

// Describe names the file.
func (l *Local) Describe() string { return l.path }

// Add appends it and, when accepted, returns once it is on disk; items
// that arrive together share one fsync.
func (l *Local) Add(_ context.Context, it *Item) (uint64, bool, error) {
	if l.readOnly {
		return 0, false, errors.New("inbox opened read-only")
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return 0, false, errors.New("inbox closed")
	}
	if k := it.DedupeKey(); k != "" {
		if first, ok := l.dedupe[k]; ok {
			l.mu.Unlock()
			return first, false, l.syncTo(first)
		}
	}
	if it.Verdict != Accepted {
		it.Request.Truncate(MaxApartBody)
	}
	it.Seq = l.seq + 1
	line, err := json.Marshal(it)
	if err != nil {
		l.mu.Unlock()
		return 0, false, err
	}
	line = append(line, '\n')
	if _, err := l.f.Write(line); err != nil {
		// A partial line would be torn: cut it, so that the next is whole.
		_ = l.f.Truncate(l.size)
		l.mu.Unlock()
		return 0, false, fmt.Errorf("writing %s: %w", l.path, err)
	}
	l.seq, l.size = it.Seq, l.size+int64(len(line))
	if k := it.DedupeKey(); k != "" {
		l.dedupe[k] = it.Seq
	}
	l.mu.Unlock()
	if it.Verdict != Accepted {
		return it.Seq, true, nil
	}
	return it.Seq, true, l.syncTo(it.Seq)
}

// syncTo returns once every item up to seq is on disk.
func (l *Local) syncTo(seq uint64) error {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	if l.synced >= seq {
		return nil
	}
	l.mu.Lock()
	upTo := l.seq
	l.mu.Unlock()
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", l.path, err)
	}
	l.synced = upTo
	return nil
}

// Items calls fn for every complete item after seq, from the offset the
// last SetFolded recorded when it is for seq.
func (l *Local) Items(ctx context.Context, after uint64, fn func(*Item) error) error {
	f, err := os.Open(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	start := int64(0)
	if c, err := l.cursor(); err == nil && c.Folded == after && after > 0 {
		start = c.Offset
	}
	called := false
	visit := func(it *Item, end int64) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		l.mu.Lock()
		l.offsets = map[uint64]int64{it.Seq: end} // only the last one is needed
		l.mu.Unlock()
		if it.Seq <= after {
			return nil
		}
		called = true
		return fn(it)
	}
	_, err = l.scan(f, start, after, visit)
	if err != nil && start > 0 && !called && ctx.Err() == nil {
		_, err = l.scan(f, 0, 0, visit) // the offset is not where that item ends: read from the first
	}
	return err
}

// scan reads complete lines from offset, checking that items number on
// from after (when offset is not 0, the first must be after+1). It
// returns the end of the last complete line.
func (l *Local) scan(f *os.File, offset int64, after uint64, fn func(*Item, int64) error) (int64, error) {
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return 0, err
	}
	r := bufio.NewReaderSize(f, 64<<10)
	end := offset
	var last uint64
	if offset > 0 {
		last = after
	}
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return end, nil // a line without its newline is being written, or torn
		}
		if err != nil {
			return end, err
		}
		var it Item
		if err := json.Unmarshal(bytes.TrimSuffix(line, []byte("\n")), &it); err != nil {
			return end, fmt.Errorf("%s: item at byte %d is not an inbox item: %v", l.path, end, err)
		}
		if it.Seq != last+1 {
			return end, fmt.Errorf("%s: item at byte %d has seq %d after %d: the inbox was edited", l.path, end, it.Seq, last)
		}
		last = it.Seq
		end += int64(len(line))
		if err := fn(&it, end); err != nil {
			return end, err
		}
	}
}

type cursorFile struct {
	Folded uint64            `json:"folded"`
	Offset int64             `json:"offset,omitempty"`
	At     time.Time         `json:"at"`
	Notes  map[uint64]string `json:"notes,omitempty"`
}

func (l *Local) cursor() (cursorFile, error) {
	var c cursorFile
	data, err := os.ReadFile(l.path + ".folded")
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, fmt.Errorf("%s.folded is not payform's: %v", l.path, err)
	}
	return c, nil
}

// Folded reads PATH.inbox.folded.
func (l *Local) Folded(context.Context) (uint64, error) {
	c, err := l.cursor()
	return c.Folded, err
}

// SetFolded writes PATH.inbox.folded atomically, the notes merged with
// those it held.
func (l *Local) SetFolded(_ context.Context, seq uint64, notes map[uint64]string) error {
	c, err := l.cursor()
	if err != nil {
		return err
	}
	l.mu.Lock()
	off := l.offsets[seq]
	l.mu.Unlock()
	if c.Notes == nil && len(notes) > 0 {
		c.Notes = map[uint64]string{}
	}
	for k, v := range notes {
		if _, ok := c.Notes[k]; !ok {
			c.Notes[k] = v
		}
	}
	c.Folded, c.Offset, c.At = seq, off, time.Now().UTC()
	data, _ := json.Marshal(c)
	return atomicfile.Write(l.path+".folded", append(data, '\n'))
}

// Notes reads the notes PATH.inbox.folded keeps.
func (l *Local) Notes(context.Context) (map[uint64]string, error) {
	c, err := l.cursor()
	return c.Notes, err
}

// Close releases the file and the lock.
func (l *Local) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	var err error
	if l.f != nil {
		err = l.f.Close()
	}
	if l.lock != nil {
		if cerr := l.lock.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

package emulator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// ErrStoreClosed is returned by a Journal whose Store is closed.
var ErrStoreClosed = errors.New("emulator store: closed")

// Store keeps emulators' data across restarts: a JSON-lines file, append
// only, one line per mutation. Each line is
//
//	{"gateway":"wllxpay","record":{...}}
//
// and is written with a single write(2) before the emulator answers, so a
// committed object survives the death of the process (the page cache
// outlives it; no fsync). A last line without its newline was torn by a
// kill mid-write: it is dropped when the file is opened. One file holds
// any number of gateways' records. A Store is safe for concurrent use; it
// does not guard against two processes appending to one file.
type Store struct {
	mu     sync.Mutex
	path   string
	f      *os.File // nil for a memory store
	size   int64    // bytes of complete lines in f
	mem    [][]byte // a memory store's lines
	closed bool
}

type storeLine struct {
	Gateway string          `json:"gateway"`
	Record  json.RawMessage `json:"record"`
}

// OpenStore opens or creates the store file at path (mode 0600, parent
// directories created). The empty path opens a store kept in memory only.
func OpenStore(path string) (*Store, error) {
	if path == "" {
		return &Store{}, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("emulator store: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("emulator store: %w", err)
	}
	end, err := completeSize(f)
	if err == nil {
		err = f.Truncate(end) // drop a torn last line
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("emulator store %s: %w", path, err)
	}
	return &Store{path: path, f: f, size: end}, nil
}

// completeSize returns the length of f up to and including its last
// newline.
func completeSize(f *os.File) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	buf := make([]byte, 64<<10)
	for end := st.Size(); end > 0; {
		start := max(end-int64(len(buf)), 0)
		chunk := buf[:end-start]
		if _, err := f.ReadAt(chunk, start); err != nil && err != io.EOF {
			return 0, err
		}
		if i := bytes.LastIndexByte(chunk, '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return 0, nil
}

// Path returns the store's file, "" for a memory store.
func (s *Store) Path() string { return s.path }

// Close closes the file. Journals of a closed store refuse to append.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.f != nil {
		return s.f.Close()
	}
	return nil
}

// Journal returns the journal of one gateway's records in the store.
func (s *Store) Journal(gateway string) *Journal {
	return &Journal{store: s, gateway: gateway}
}

// Journal is one gateway's view of a Store.
type Journal struct {
	store   *Store
	gateway string
}

// Append writes v, as JSON, as the journal's next record.
func (j *Journal) Append(v any) error {
	rec, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("emulator store: %w", err)
	}
	line, err := json.Marshal(storeLine{Gateway: j.gateway, Record: rec})
	if err != nil {
		return fmt.Errorf("emulator store: %w", err)
	}
	line = append(line, '\n')
	s := j.store
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrStoreClosed
	}
	if s.f == nil {
		s.mem = append(s.mem, line)
		return nil
	}
	if _, err := s.f.Write(line); err != nil {
		s.f.Truncate(s.size) // never leave a partial line to glue the next one to
		return fmt.Errorf("emulator store %s: %w", s.name(), err)
	}
	s.size += int64(len(line))
	return nil
}

// Replay calls fn with each of the journal's records, oldest first, and
// stops at the first error. Records appended during Replay are not seen.
func (j *Journal) Replay(fn func(json.RawMessage) error) error {
	s := j.store
	s.mu.Lock()
	closed, mem, size := s.closed, s.mem[:len(s.mem):len(s.mem)], s.size
	s.mu.Unlock()
	if closed {
		return ErrStoreClosed
	}
	var r *bufio.Reader
	if s.f != nil {
		r = bufio.NewReaderSize(io.NewSectionReader(s.f, 0, size), 64<<10)
	} else {
		r = bufio.NewReader(bytes.NewReader(bytes.Join(mem, nil)))
	}
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if err == io.EOF && len(line) == 0 {
			return nil
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("emulator store %s: %w", s.name(), err)
		}
		var l storeLine
		if err := json.Unmarshal(line, &l); err != nil || l.Gateway == "" {
			return fmt.Errorf("emulator store %s: line %d is not a store record", s.name(), n)
		}
		if l.Gateway != j.gateway {
			continue
		}
		if err := fn(l.Record); err != nil {
			return fmt.Errorf("emulator store %s: line %d: %w", s.name(), n, err)
		}
	}
}

func (s *Store) name() string {
	if s.path == "" {
		return "(memory)"
	}
	return s.path
}

// ErrJournal marks a failure to journal an emulator's change: nothing
// changed.
var ErrJournal = errors.New("journal")

// Commit journals rec (when j is not nil), then applies it: the journal's
// order is the order of the changes, and nothing changes if the journal
// refuses the record. Call it with the emulator's lock held.
func Commit[R any](j *Journal, rec R, apply func(R) error) error {
	if j != nil {
		if err := j.Append(rec); err != nil {
			return fmt.Errorf("%w: %v", ErrJournal, err)
		}
	}
	return apply(rec)
}

// Replay applies every record of j (none when j is nil), decoded as R.
func Replay[R any](j *Journal, apply func(R) error) error {
	if j == nil {
		return nil
	}
	return j.Replay(func(raw json.RawMessage) error {
		var rec R
		if err := json.Unmarshal(raw, &rec); err != nil {
			return err
		}
		return apply(rec)
	})
}

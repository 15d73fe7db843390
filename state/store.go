package state

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"sync"
	"time"
)

// Store is one workspace's state, open for the length of one command: the
// lock is held, the state is loaded, and every change goes through Record
// (journal first, then memory).
type Store struct {
	backend Backend
	unlock  Unlocker
	actor   string
	now     func() time.Time

	mu           sync.Mutex // guards st, journal and dirty
	st           *State
	journal      Journal
	dirty        bool
	readOnly     bool
	warnings     []string
	closeBackend bool
	closed       bool
}

// Options for Open.
type Options struct {
	Operation   string        // shown to whoever waits for the lock: "apply"
	LockTimeout time.Duration // how long to wait for the lock
	// NoLock reads without taking the lock; the store is then read-only.
	NoLock  bool
	Actor   string           // who: defaults to Actor()
	Version string           // payform's version, recorded in the snapshot
	Clock   func() time.Time // defaults to time.Now
	// CloseBackend makes Close also close the backend, when it holds
	// connections (io.Closer): for callers that opened it for this store.
	CloseBackend bool
}

// Open locks the workspace (unless NoLock) and loads its state. A
// workspace without state opens empty, with a fresh lineage; nothing is
// written until the first Record.
func Open(ctx context.Context, b Backend, opts Options) (*Store, error) {
	s := &Store{backend: b, actor: opts.Actor, now: opts.Clock, readOnly: opts.NoLock, closeBackend: opts.CloseBackend}
	if s.actor == "" {
		s.actor = Actor()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if !opts.NoLock {
		info := LockInfo{ID: NewID(), Operation: opts.Operation, Who: s.actor, PID: os.Getpid(), Version: opts.Version, Created: s.now().UTC()}
		u, err := b.Lock(ctx, info, opts.LockTimeout)
		if err != nil {
			return nil, err
		}
		s.unlock = u
	}
	st, warnings, err := b.Load()
	if err != nil {
		s.release()
		return nil, err
	}
	if st == nil {
		// No state yet: the lineage is born with the first write, so that
		// a plan made now still matches when it is applied.
		st = New("", opts.Version)
	} else if st.replayed > 0 {
		s.dirty = true // the snapshot is behind the journal
	}
	st.PayformVersion = opts.Version
	s.st, s.warnings = st, warnings
	return s, nil
}

// State returns the loaded state. It must not be modified, and must not be
// read while Record runs in another goroutine.
func (s *Store) State() *State { return s.st }

// Warnings returns what loading survived (e.g. a torn journal line).
func (s *Store) Warnings() []string { return s.warnings }

// Actor returns who this command acts as.
func (s *Store) Actor() string { return s.actor }

// Describe names the storage.
func (s *Store) Describe() string { return s.backend.Describe() }

// ErrReadOnly is returned by Record on a store opened without the lock.
var ErrReadOnly = errors.New("state opened read-only")

// Record appends e to the journal and applies it to the state. With
// durable, it returns only once the entry is on disk (fsync, shared with
// concurrent callers); otherwise the entry is written (it survives the
// process being killed) and made durable by a later Sync or Close.
// Record fills Seq, At (when zero), Actor, Prev and Hash.
func (s *Store) Record(e *Entry, durable bool) error {
	if s.readOnly {
		return ErrReadOnly
	}
	s.mu.Lock()
	if s.journal == nil {
		if s.st.Lineage == "" {
			s.st.Lineage = NewID()
		}
		j, err := s.backend.OpenJournal(s.st)
		if err != nil {
			s.mu.Unlock()
			return fmt.Errorf("opening journal: %w", err)
		}
		s.journal = j
	}
	if e.At.IsZero() {
		e.At = s.now().UTC()
	}
	e.Actor = s.actor
	if err := s.journal.Write(e); err != nil {
		s.mu.Unlock()
		return err
	}
	if err := s.st.apply(e); err != nil {
		s.mu.Unlock()
		return fmt.Errorf("journal entry %d: %w", e.Seq, err)
	}
	seq, hash, offset := s.journal.Head()
	s.st.JournalSeq, s.st.JournalHash, s.st.JournalOffset = seq, hash, offset
	if !s.dirty {
		s.dirty = true
		s.st.Serial++
	}
	journal := s.journal
	s.mu.Unlock()
	if durable {
		return journal.Sync(e.Seq)
	}
	return nil
}

// Close makes every entry durable, writes the snapshot if anything
// changed, releases the lock, and, with Options.CloseBackend, closes the
// backend. Closing twice is harmless.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	if s.journal != nil {
		err = s.journal.Close()
		s.journal = nil
	}
	if err == nil && s.dirty && !s.readOnly {
		err = s.backend.WriteSnapshot(s.st)
		if err == nil {
			s.dirty = false
		}
	}
	if uerr := s.release(); err == nil {
		err = uerr
	}
	if c, ok := s.backend.(io.Closer); ok && s.closeBackend && !s.closed {
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}
	s.closed = true
	return err
}

func (s *Store) release() error {
	if s.unlock == nil {
		return nil
	}
	err := s.unlock.Unlock()
	s.unlock = nil
	return err
}

// Actor names the person or pipeline running payform: $PAYFORM_ACTOR, or
// user@host.
func Actor() string {
	if a := os.Getenv("PAYFORM_ACTOR"); a != "" {
		return a
	}
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	host, _ := os.Hostname()
	if host == "" {
		return name
	}
	return name + "@" + host
}

// NewID returns a random 128-bit id in hex.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// Verify walks the whole journal from its first entry, checking the hash
// chain, and checks that the snapshot's recorded head is on the chain.
// It returns the number of entries checked.
func Verify(b Backend) (int, error) {
	st, _, err := b.Load()
	if err != nil {
		return 0, err
	}
	if st == nil {
		return 0, errors.New("no state")
	}
	n := 0
	var headOK bool
	err = b.Entries(func(e *Entry) error {
		n++
		if e.Seq == st.JournalSeq && e.Hash == st.JournalHash {
			headOK = true
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	if st.JournalSeq > 0 && !headOK {
		return n, &CorruptError{What: b.Describe(), Reason: fmt.Sprintf("the snapshot's journal head (entry %d) is not on the journal's chain", st.JournalSeq)}
	}
	return n, nil
}

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
// (checked, journaled first, then applied in memory).
type Store struct {
	backend Backend
	unlock  Unlocker
	actor   string
	now     func() time.Time

	mu           sync.Mutex // guards st, journal, dirty and the checkpoint fields
	st           *State
	journal      Journal
	dirty        bool
	readOnly     bool
	warnings     []string
	closeBackend bool
	closed       bool
	wrote        bool // entries were written: Close records the head

	// Checkpoints: during a long command the snapshot is rewritten every
	// checkpointEntries entries or checkpointEvery, so that a journal
	// whose tail was cut is caught against it.
	checkpointEntries int
	checkpointEvery   time.Duration
	sinceSnapshot     int
	lastSnapshot      time.Time
	snapshotCost      time.Duration
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
	// CheckpointEntries and CheckpointEvery bound how far the journal
	// may run ahead of the snapshot during one command (defaults 1,000
	// entries and 5 s).
	CheckpointEntries int
	CheckpointEvery   time.Duration
}

// Open locks the workspace (unless NoLock) and loads its state. A
// workspace without state opens empty; its lineage is born with the first
// Record (or Init).
func Open(ctx context.Context, b Backend, opts Options) (*Store, error) {
	s := &Store{backend: b, actor: opts.Actor, now: opts.Clock, readOnly: opts.NoLock, closeBackend: opts.CloseBackend,
		checkpointEntries: opts.CheckpointEntries, checkpointEvery: opts.CheckpointEvery}
	if s.actor == "" {
		s.actor = Actor()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.checkpointEntries <= 0 {
		s.checkpointEntries = 1000
	}
	if s.checkpointEvery <= 0 {
		s.checkpointEvery = 5 * time.Second
	}
	if !opts.NoLock {
		info := LockInfo{ID: NewID(), Operation: opts.Operation, Who: s.actor, PID: os.Getpid(), Version: opts.Version, Created: s.now().UTC()}
		u, err := b.Lock(ctx, info, opts.LockTimeout)
		if err != nil {
			return nil, err
		}
		s.unlock = u
	}
	st, warnings, err := b.Load(ctx)
	if err != nil {
		s.release()
		return nil, err
	}
	if st == nil {
		st = New("", opts.Version)
	} else if st.replayed > 0 {
		s.dirty = true // the snapshot is behind the journal
	}
	st.PayformVersion = opts.Version
	s.st, s.warnings = st, warnings
	s.lastSnapshot = time.Now()
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

// Backend returns the backend the store reads and writes.
func (s *Store) Backend() Backend { return s.backend }

// Head returns the journal's last entry as the store knows it.
func (s *Store) Head() Head {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Head{Seq: s.st.JournalSeq, Hash: s.st.JournalHash, At: s.st.JournalAt}
}

// ErrReadOnly is returned by Record on a store opened without the lock.
var ErrReadOnly = errors.New("state opened read-only")

// Init gives a workspace without state its lineage and first snapshot, so
// that a plan made now is bound to this workspace and no other.
func (s *Store) Init(ctx context.Context) error {
	if s.readOnly {
		return ErrReadOnly
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.openJournal(ctx)
}

// openJournal opens the journal on first use, giving a new workspace its
// lineage. s.mu is held.
func (s *Store) openJournal(ctx context.Context) error {
	if s.journal != nil {
		return nil
	}
	if s.st.Lineage == "" {
		s.st.Lineage = NewID()
	}
	j, err := s.backend.OpenJournal(ctx, s.st)
	if err != nil {
		return fmt.Errorf("opening journal: %w", err)
	}
	s.journal = j
	return nil
}

// Record checks that e is a transition the state allows (see replay.go),
// appends it to the journal and applies it to the state. An entry the
// state does not allow is refused before anything is written. With
// durable, it returns only once the entry is on disk (fsync, shared with
// concurrent callers) and after checking that the lock is still held;
// otherwise the entry is written (it survives the process being killed)
// and made durable by a later Sync or Close. Record fills Seq, At (when
// zero; never before the entry before it), Actor, MAC, Prev and Hash.
func (s *Store) Record(e *Entry, durable bool) error {
	if s.readOnly {
		return ErrReadOnly
	}
	if durable {
		if err := s.checkLock(); err != nil {
			return err
		}
	}
	s.mu.Lock()
	// Not the command's context: Ctrl-C stops new work, but an entry
	// recording a call already made (an outcome) must still be written, and
	// so must the snapshot and head that close the run. The backends bound
	// each such write with their own timeout (pg: opCtx).
	if err := s.openJournal(context.Background()); err != nil {
		s.mu.Unlock()
		return err
	}
	if e.At.IsZero() {
		e.At = s.now().UTC()
	}
	if e.At.Before(s.st.JournalAt) {
		e.At = s.st.JournalAt // a clock that went back: the journal's time does not
	}
	e.Actor = s.actor
	if err := s.st.check(e); err != nil {
		s.mu.Unlock()
		return fmt.Errorf("refusing to journal %s %s: %w", e.Op, e.Address, err)
	}
	if err := s.journal.Write(e); err != nil {
		s.mu.Unlock()
		return err
	}
	s.st.mutate(e)
	s.wrote = true
	seq, hash, offset := s.journal.Head()
	s.st.JournalSeq, s.st.JournalHash, s.st.JournalOffset = seq, hash, offset
	if !s.dirty {
		s.dirty = true
		s.st.Serial++
	}
	s.sinceSnapshot++
	var cerr error
	// A checkpoint is due after checkpointEntries entries or
	// checkpointEvery, but never takes more than a twentieth of the time.
	since := time.Since(s.lastSnapshot) // real time: this is a cost bound, not a date
	if (s.sinceSnapshot >= s.checkpointEntries || since >= s.checkpointEvery) && since >= 20*s.snapshotCost {
		cerr = s.checkpoint()
	}
	journal := s.journal
	s.mu.Unlock()
	if cerr != nil {
		return cerr
	}
	if durable {
		return journal.Sync(e.Seq)
	}
	return nil
}

// Sync returns once every entry recorded so far is durable (and the
// lock is still held): for callers that recorded a batch without
// waiting, before they tell another store that it is recorded.
func (s *Store) Sync() error {
	if s.readOnly {
		return ErrReadOnly
	}
	if err := s.checkLock(); err != nil {
		return err
	}
	s.mu.Lock()
	j, seq := s.journal, s.st.JournalSeq
	s.mu.Unlock()
	if j == nil {
		return nil
	}
	return j.Sync(seq)
}

// checkpoint makes the journal durable up to its head and writes the
// snapshot. s.mu is held.
func (s *Store) checkpoint() error {
	start := time.Now()
	if err := s.journal.Sync(s.st.JournalSeq); err != nil {
		return err
	}
	if err := s.backend.WriteSnapshot(context.Background(), s.st); err != nil {
		return fmt.Errorf("checkpointing the snapshot: %w", err)
	}
	s.snapshotCost = time.Since(start)
	s.sinceSnapshot, s.lastSnapshot = 0, time.Now()
	return nil
}

// checkLock fails when the lock is no longer held (its file was removed
// or replaced under this command).
func (s *Store) checkLock() error {
	if c, ok := s.unlock.(Checker); ok {
		return c.Check()
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
		if err = s.checkLock(); err == nil {
			err = s.backend.WriteSnapshot(context.Background(), s.st)
		}
		if err == nil {
			s.dirty = false
		}
	}
	if hk, ok := s.backend.(HeadKeeper); ok && err == nil && s.wrote {
		err = hk.RecordHead(context.Background(), Head{Seq: s.st.JournalSeq, Hash: s.st.JournalHash, At: s.st.JournalAt, Actor: s.actor})
		if err == nil {
			s.wrote = false
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

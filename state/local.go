package state

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Local keeps state in files: PATH (the snapshot), PATH.journal and
// PATH.lock, all mode 0600.
type Local struct {
	Path string
}

var _ Backend = (*Local)(nil)

func (l *Local) journalPath() string { return l.Path + ".journal" }
func (l *Local) lockPath() string    { return l.Path + ".lock" }

// Describe names the snapshot file.
func (l *Local) Describe() string { return l.Path }

func (l *Local) Lock(ctx context.Context, info LockInfo, timeout time.Duration) (Unlocker, error) {
	if err := os.MkdirAll(filepath.Dir(l.Path), 0o700); err != nil {
		return nil, err
	}
	return lockFile(ctx, l.lockPath(), info, timeout)
}

func (l *Local) Load() (*State, []string, error) {
	data, err := os.ReadFile(l.Path)
	if errors.Is(err, fs.ErrNotExist) {
		if _, jerr := os.Stat(l.journalPath()); jerr == nil {
			return nil, nil, &CorruptError{What: l.Path, Reason: fmt.Sprintf("the snapshot is missing but its journal %s exists; restore the snapshot from a backup (payform never rebuilds it silently)", l.journalPath())}
		}
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	st, err := decodeSnapshot(l.Path, data)
	if err != nil {
		return nil, nil, err
	}
	warnings, err := l.replay(st)
	return st, warnings, err
}

// replay checks the hash chain of the entries the snapshot includes and
// applies the ones after its head.
func (l *Local) replay(st *State) ([]string, error) {
	f, err := os.Open(l.journalPath())
	if errors.Is(err, fs.ErrNotExist) {
		if st.JournalSeq != 0 {
			return nil, &CorruptError{What: l.journalPath(), Reason: fmt.Sprintf("missing, but the snapshot includes %d entries from it", st.JournalSeq)}
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	name := l.journalPath()
	if st.JournalOffset > fi.Size() {
		return nil, &CorruptError{What: name, Reason: fmt.Sprintf("it is %d bytes, shorter than the %d the snapshot includes: entries were removed", fi.Size(), st.JournalOffset)}
	}
	// With an offset, start there; otherwise scan from the first entry and
	// skip what the snapshot already has.
	offset, seq, hash := st.JournalOffset, st.JournalSeq, st.JournalHash
	if offset == 0 {
		seq, hash = 0, GenesisHash(st.Lineage)
	} else if err := checkHistory(name, f, offset, GenesisHash(st.Lineage), seq, hash); err != nil {
		return nil, err
	}
	rp := NewReplayer(st, name)
	torn, err := journalScan(name, f, offset, seq, hash, 0, func(e *Entry, end int64) error {
		if e.Seq <= st.JournalSeq {
			if e.Seq == st.JournalSeq {
				if e.Hash != st.JournalHash {
					return &CorruptError{What: name, Seq: e.Seq, Reason: "it differs from the entry the snapshot recorded"}
				}
				st.JournalOffset = end
			}
			return nil
		}
		return rp.Add(e, end)
	})
	if err != nil {
		var ce *CorruptError
		if errors.As(err, &ce) && offset > 0 && ce.Line != 0 {
			ce.Line = 0 // line numbers are relative to the offset: drop them
		}
		return nil, err
	}
	var warnings []string
	if torn >= 0 {
		warnings = append(warnings, fmt.Sprintf("%s: ignoring a torn last line at byte %d (a write interrupted by a crash); it is removed before the next append", name, torn))
	}
	return warnings, nil
}

func (l *Local) OpenJournal(st *State) (Journal, error) {
	if _, err := os.Stat(l.Path); errors.Is(err, fs.ErrNotExist) {
		if err := l.WriteSnapshot(st); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(l.journalPath(), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	// Entries past the state's head can only be a torn line: Load read
	// everything else. Cut it so the next entry starts on a clean line.
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	offset := st.JournalOffset
	if st.JournalSeq == 0 {
		offset = 0
	}
	if fi.Size() > offset {
		if err := checkTornTail(f, offset, fi.Size()); err != nil {
			f.Close()
			return nil, &CorruptError{What: l.journalPath(), Reason: err.Error()}
		}
		if err := f.Truncate(offset); err != nil {
			f.Close()
			return nil, err
		}
	}
	hash := st.JournalHash
	if st.JournalSeq == 0 {
		hash = GenesisHash(st.Lineage)
	}
	return newJournalFile(f, st.JournalSeq, hash, offset), nil
}

func (l *Local) WriteSnapshot(st *State) error {
	data, err := encodeSnapshot(st)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(l.Path), 0o700); err != nil {
		return err
	}
	return writeFileAtomic(l.Path, data)
}

func (l *Local) Entries(fn func(*Entry) error) error {
	data, err := os.ReadFile(l.Path)
	if err != nil {
		return err
	}
	st, err := decodeSnapshot(l.Path, data)
	if err != nil {
		return err
	}
	f, err := os.Open(l.journalPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = journalScan(l.journalPath(), f, 0, 0, GenesisHash(st.Lineage), 0, func(e *Entry, _ int64) error { return fn(e) })
	return err
}

// checkTornTail makes sure the bytes from offset to size are one partial
// line (no newline), the only thing a crash can leave there. Anything else
// means entries the state does not know of: refuse to cut them.
func checkTornTail(f *os.File, offset, size int64) error {
	if size-offset > maxJournalLine {
		return fmt.Errorf("%d unexpected bytes after the last entry", size-offset)
	}
	tail := make([]byte, size-offset)
	if _, err := f.ReadAt(tail, offset); err != nil {
		return err
	}
	if bytes.IndexByte(tail, '\n') >= 0 {
		return fmt.Errorf("complete entries after byte %d that the state did not load; another process may be writing without the lock", offset)
	}
	return nil
}

// Push replaces the snapshot with data (as `state push` does): refused
// when it belongs to another lineage or is not newer than the current one,
// unless force; refused even with force when its journal head is not on
// this journal's chain, since that would orphan or invent entries.
func (l *Local) Push(data []byte, force bool) error {
	incoming, err := decodeSnapshot("the pushed state", data)
	if err != nil {
		return err
	}
	current, _, err := l.Load()
	if err != nil && !force {
		return err
	}
	if current != nil && !force {
		if incoming.Lineage != current.Lineage {
			return fmt.Errorf("the pushed state has lineage %s, but %s has %s: it is another workspace's state (use --force to replace it anyway)", incoming.Lineage, l.Path, current.Lineage)
		}
		if incoming.Serial <= current.Serial {
			return fmt.Errorf("the pushed state has serial %d, not newer than %s's %d (use --force to replace it anyway)", incoming.Serial, l.Path, current.Serial)
		}
	}
	if incoming.JournalSeq > 0 {
		found := false
		err := l.Entries(func(e *Entry) error {
			if e.Seq == incoming.JournalSeq {
				found = e.Hash == incoming.JournalHash
				return errStop
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if !found {
			return fmt.Errorf("the pushed state's journal head (entry %d) is not on %s's journal: pushing it would orphan entries", incoming.JournalSeq, l.journalPath())
		}
	}
	return writeFileAtomic(l.Path, data)
}

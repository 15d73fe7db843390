package state

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Local keeps state in files: PATH (the snapshot), PATH.journal and
// PATH.lock, all mode 0600. With Key, every entry and snapshot it writes
// is sealed, and every seal it reads is checked.
type Local struct {
	Path string
	Key  Key
}

var (
	_ Backend      = (*Local)(nil)
	_ Puller       = (*Local)(nil)
	_ Pusher       = (*Local)(nil)
	_ Importer     = (*Local)(nil)
	_ Retirer      = (*Local)(nil)
	_ PlanRecorder = (*Local)(nil)
)

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

// Pull returns the snapshot file's bytes.
func (l *Local) Pull(context.Context) ([]byte, error) {
	data, err := os.ReadFile(l.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &NoStateError{What: l.Path}
	}
	return data, err
}

func (l *Local) Load(context.Context) (*State, []string, error) {
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
	st, sealed, err := decodeState(l.Path, data, l.Key)
	if err != nil {
		return nil, nil, err
	}
	warnings, err := l.replay(st, sealed)
	return st, warnings, err
}

// replay checks the hash chain of the entries the snapshot includes and
// applies the ones after its head.
func (l *Local) replay(st *State, sealed bool) ([]string, error) {
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
	} else {
		if err := checkHistory(name, f, offset, GenesisHash(st.Lineage), seq, hash, l.Key); err != nil {
			return nil, err
		}
		if l.Key != nil && !sealed {
			head, err := entryBefore(name, f, offset, l.Key)
			if err != nil {
				return nil, err
			}
			if err := CheckHeadSeal(l.Path, l.Key, sealed, head); err != nil {
				return nil, err
			}
		}
	}
	rp := NewReplayer(st, name, l.Key, sealed)
	torn, err := journalScan(name, f, offset, seq, hash, 0, l.Key, func(e *Entry, end int64) error {
		if e.Seq <= st.JournalSeq {
			if e.Seq == st.JournalSeq {
				if e.Hash != st.JournalHash {
					return &CorruptError{What: name, Seq: e.Seq, Reason: "it differs from the entry the snapshot recorded"}
				}
				if err := CheckHeadSeal(l.Path, l.Key, sealed, e); err != nil {
					return err
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

// entryBefore decodes the journal line that ends at offset, the
// snapshot's head (whose chain checkHistory has checked).
func entryBefore(name string, f io.ReaderAt, offset int64, key Key) (*Entry, error) {
	for n := min(offset, 64<<10); ; n = min(offset, 2*n) {
		buf := make([]byte, n)
		if _, err := f.ReadAt(buf, offset-n); err != nil {
			return nil, err
		}
		line := buf[:n-1] // without its newline
		i := bytes.LastIndexByte(line, '\n')
		if i < 0 && n < offset && n <= maxEntry {
			continue
		}
		e, err := decodeLine(line[i+1:], key)
		if err != nil {
			return nil, &CorruptError{What: name, Reason: err.Error()}
		}
		return e, nil
	}
}

func (l *Local) OpenJournal(_ context.Context, st *State) (Journal, error) {
	if _, err := os.Stat(l.Path); errors.Is(err, fs.ErrNotExist) {
		if err := l.WriteSnapshot(context.Background(), st); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(l.journalPath(), os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	// Entries past the state's head can only be a torn line: Load read
	// everything else. Cut it so the next entry starts on a clean line,
	// under the journal file's own lock, as appends are: a second writer
	// let in by a removed lock file must not cut a line another process is
	// writing.
	unlock, err := lockAppend(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	defer unlock()
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
	return newJournalFile(l.journalPath(), f, st.JournalSeq, hash, offset, l.Key), nil
}

func (l *Local) WriteSnapshot(_ context.Context, st *State) error {
	data, err := encodeSnapshot(st, l.Key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(l.Path), 0o700); err != nil {
		return err
	}
	return WriteFileAtomic(l.Path, data)
}

func (l *Local) Entries(_ context.Context, fn func(*Entry) error) error {
	data, err := os.ReadFile(l.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return &NoStateError{What: l.Path}
	}
	if err != nil {
		return err
	}
	f0, err := decodeSnapshotHeader(l.Path, data, l.Key)
	if err != nil {
		return err
	}
	f, err := os.Open(l.journalPath())
	if errors.Is(err, fs.ErrNotExist) {
		if f0.JournalSeq != 0 {
			return &CorruptError{What: l.journalPath(), Reason: fmt.Sprintf("missing, but the snapshot includes %d entries from it", f0.JournalSeq)}
		}
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = journalScan(l.journalPath(), f, 0, 0, GenesisHash(f0.Lineage), 0, l.Key, func(e *Entry, _ int64) error { return fn(e) })
	return err
}

// checkTornTail makes sure the bytes from offset to size are one partial
// line (no newline), the only thing a crash can leave there. Anything else
// means entries the state does not know of: refuse to cut them.
func checkTornTail(f *os.File, offset, size int64) error {
	if size-offset > maxEntry {
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
// unless force; refused even with force when it is not what replaying the
// journal up to its head gives, since that would orphan, invent or hide
// entries.
func (l *Local) Push(ctx context.Context, data []byte, force bool) error {
	incoming, err := DecodeSnapshot("the pushed state", data, l.Key)
	if err != nil {
		return err
	}
	current, _, err := l.Load(ctx)
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
	if _, err := os.Stat(l.journalPath()); err == nil || incoming.JournalSeq > 0 {
		if _, err := CheckSnapshot(ctx, l, data, l.Key); err != nil {
			return fmt.Errorf("refused, even with --force: %w", err)
		}
	}
	return WriteFileAtomic(l.Path, data)
}

// Import copies src's state into these files: the snapshot bytes and
// every journal line, verbatim. The path must have no state, or only a
// tombstone of the same lineage (a state that moves back), whose journal
// must then be the start of src's. The journal is written to a temporary
// file and checked against the snapshot before either replaces anything.
func (l *Local) Import(ctx context.Context, src Backend) error {
	if p, ok := src.(*Local); ok && p.Path == l.Path {
		return fmt.Errorf("%s: cannot import a state into itself", l.Path)
	}
	data, err := rawSnapshot(ctx, src)
	if err != nil {
		return err
	}
	f, err := decodeSnapshotHeader(src.Describe(), data, l.Key)
	if err != nil {
		return err
	}
	if f.MovedTo != nil {
		return &MovedError{What: src.Describe(), To: *f.MovedTo}
	}
	have, err := l.tombstoneOf(f.Lineage)
	if err != nil {
		return err
	}
	var existing []string // the hashes of the entries a tombstone's journal holds
	if have {
		if jf, err := os.Open(l.journalPath()); err == nil {
			_, err = journalScan(l.journalPath(), jf, 0, 0, GenesisHash(f.Lineage), 0, l.Key, func(e *Entry, _ int64) error {
				existing = append(existing, e.Hash)
				return nil
			})
			jf.Close()
			if err != nil {
				return err
			}
		}
	} else if fi, err := os.Stat(l.journalPath()); err == nil && fi.Size() != 0 {
		return fmt.Errorf("refusing to import into %s: its journal %s is not empty", l.Path, l.journalPath())
	}
	if err := os.MkdirAll(filepath.Dir(l.Path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(l.Path), "."+filepath.Base(l.journalPath())+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	j := newJournalFile(tmp.Name(), tmp, 0, GenesisHash(f.Lineage), 0, l.Key)
	n := 0
	err = src.Entries(ctx, func(e *Entry) error {
		if n < len(existing) && existing[n] != e.Hash {
			return fmt.Errorf("refusing to import: %s's journal entry %d differs from the one %s holds", src.Describe(), e.Seq, l.journalPath())
		}
		n++
		return j.writeVerbatim(e)
	})
	if errors.Is(err, ErrNoState) {
		err = nil
	}
	if err == nil {
		err = j.Sync(j.seq)
	}
	if err != nil {
		return err
	}
	if n < len(existing) {
		return fmt.Errorf("refusing to import: %s holds %d journal entries, more than %s's %d", l.journalPath(), len(existing), src.Describe(), n)
	}
	_, err = checkSnapshot(src.Describe(), data, l.Key, func(fn func(*Entry) error) error {
		_, err := journalScan(tmp.Name(), tmp, 0, 0, GenesisHash(f.Lineage), 0, l.Key, func(e *Entry, _ int64) error { return fn(e) })
		return err
	})
	if err != nil {
		return fmt.Errorf("refusing to import %s: %w", src.Describe(), err)
	}
	if err := os.Rename(tmp.Name(), l.journalPath()); err != nil {
		return err
	}
	return WriteFileAtomic(l.Path, data)
}

// tombstoneOf reports whether the path holds a tombstone of lineage (an
// import may replace it), and fails when it holds anything else.
func (l *Local) tombstoneOf(lineage string) (bool, error) {
	data, err := os.ReadFile(l.Path)
	if errors.Is(err, fs.ErrNotExist) {
		if fi, err := os.Stat(l.journalPath()); err == nil && fi.Size() > 0 {
			return false, fmt.Errorf("refusing to import into %s: it has no snapshot but a journal %s", l.Path, l.journalPath())
		}
		return false, nil
	}
	if err != nil {
		return false, err
	}
	f, err := decodeSnapshotHeader(l.Path, data, l.Key)
	if err != nil {
		return false, err
	}
	if f.MovedTo == nil || f.Lineage != lineage {
		return false, fmt.Errorf("refusing to import into %s: it already has state (lineage %s); import only to a new path", l.Path, f.Lineage)
	}
	return true, nil
}

// Retire replaces the snapshot with a tombstone that says where the state
// went; the journal stays, for auditors. Every later Load refuses with a
// *MovedError.
func (l *Local) Retire(_ context.Context, to MovedTo) error {
	data, err := os.ReadFile(l.Path)
	if err != nil {
		return err
	}
	tomb, err := Tombstone(l.Path, data, to, l.Key)
	if err != nil {
		return err
	}
	return WriteFileAtomic(l.Path, tomb)
}

// rawSnapshot returns src's snapshot bytes as stored.
func rawSnapshot(ctx context.Context, src Backend) ([]byte, error) {
	p, ok := src.(Puller)
	if !ok {
		return nil, fmt.Errorf("cannot copy %s: it cannot give its snapshot's bytes", src.Describe())
	}
	return p.Pull(ctx)
}

// RawSnapshot returns src's snapshot bytes as stored, for backends that
// import from another.
func RawSnapshot(ctx context.Context, src Backend) ([]byte, error) { return rawSnapshot(ctx, src) }

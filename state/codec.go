package state

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// Exported encodings for backends other than Local: they store exactly the
// bytes Local stores, so state moves between backends unchanged and the
// hash chain verifies the same way everywhere.

// EncodeEntry fills e.MAC (with key) and e.Hash from e.Prev and the
// entry's content, and returns its journal line, newline included. The
// caller sets Seq and Prev. It refuses an entry larger than a journal line
// may be (*EntryTooLargeError).
func EncodeEntry(e *Entry, key Key) ([]byte, error) { return e.encode(key) }

// DecodeEntry parses a journal line (with or without its newline) and
// checks the entry's own hash and, with key, its seal; the link to the
// entry before it is the caller's to check (a Replayer does).
func DecodeEntry(line []byte, key Key) (*Entry, error) {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	return decodeLine(line, key)
}

// ChainLine checks a journal line's own hash without decoding it, as
// every local load checks the history: the line (with or without its
// newline) must start {"seq":N, and end ,"prev":"P","hash":"H"} with H
// the hash of P and the line's content. It returns N, P and H; ok is
// false when the line is not so (DecodeEntry says why). Seals are not
// checked.
func ChainLine(line []byte) (seq uint64, prev, hash string, ok bool) {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	seq, p, h, ok := chainFields(line)
	if !ok {
		return 0, "", "", false
	}
	sum := sha256.New()
	sum.Write(p)
	sum.Write(line[:len(line)-len(hashSuffix)])
	sum.Write([]byte{'}'})
	if hex.EncodeToString(sum.Sum(nil)) != string(h) {
		return 0, "", "", false
	}
	return seq, string(p), string(h), true
}

// EncodeSnapshot returns the snapshot bytes of st: normalized, indented,
// checksummed, and sealed with key when it is set.
func EncodeSnapshot(st *State, key Key) ([]byte, error) { return encodeSnapshot(st, key) }

// DecodeSnapshot parses snapshot bytes (name is used in errors), checking
// the checksum and, with key, the seal. A tombstone decodes to a
// *MovedError.
func DecodeSnapshot(name string, data []byte, key Key) (*State, error) {
	st, _, err := decodeState(name, data, key)
	return st, err
}

// DecodeSealed is DecodeSnapshot that also reports whether the snapshot
// was sealed, for backends that replay after it (NewReplayer).
func DecodeSealed(name string, data []byte, key Key) (*State, bool, error) {
	return decodeState(name, data, key)
}

// decodeState decodes a snapshot into a State, reporting whether it was
// sealed.
func decodeState(name string, data []byte, key Key) (*State, bool, error) {
	f, sealed, err := decodeSnapshot(name, data, key)
	if err != nil {
		return nil, false, err
	}
	if f.MovedTo != nil {
		return nil, sealed, &MovedError{What: name, To: *f.MovedTo}
	}
	return f.model(), sealed, nil
}

// CheckHeadSeal refuses, with an audit key, a snapshot that is not sealed
// while the journal entry it is at (head) is: a snapshot rewritten by
// someone without the key, its seal stripped and its checksum
// recomputed. Every load checks it, and audit verify. A snapshot written
// before the key was set sits on unsealed entries and is taken.
func CheckHeadSeal(name string, key Key, snapshotSealed bool, head *Entry) error {
	if key == nil || snapshotSealed || head == nil || head.MAC == "" {
		return nil
	}
	return &CorruptError{What: name, Reason: "the snapshot is not sealed, but the journal entry it is at is: it was rewritten without PAYFORM_AUDIT_KEY"}
}

// Replayer applies the journal entries that follow a snapshot, checking
// that each one links to the state's head and is a transition payform
// could have written (see replay.go). With an audit key, it also refuses
// an unsealed entry once the state is sealed.
type Replayer struct {
	st     *State
	name   string
	key    Key
	sealed bool // entries from here on must carry a seal
}

// NewReplayer replays onto st; name is used in errors. sealed says that
// st was sealed (its snapshot, or an entry before): with a key, every
// entry replayed must be sealed too.
func NewReplayer(st *State, name string, key Key, sealed bool) *Replayer {
	return &Replayer{st: st, name: name, key: key, sealed: sealed}
}

// Add applies e, which must be the entry right after the state's head. end
// is the byte offset after it for backends with offsets (0 otherwise).
func (r *Replayer) Add(e *Entry, end int64) error {
	st := r.st
	switch {
	case e.Seq != st.JournalSeq+1:
		return &CorruptError{What: r.name, Seq: e.Seq, Reason: "sequence number does not follow the state's head: entries are missing"}
	case e.Prev != r.head():
		return &CorruptError{What: r.name, Seq: e.Seq, Reason: "it does not link to the entry before it (prev hash mismatch): an entry was altered, removed or inserted"}
	case r.key != nil && e.MAC == "" && r.sealed:
		return &CorruptError{What: r.name, Seq: e.Seq, Reason: "it is not sealed, but the entries before it are: it was written without PAYFORM_AUDIT_KEY, or forged"}
	}
	if err := st.apply(e); err != nil {
		return &CorruptError{What: r.name, Seq: e.Seq, Reason: err.Error()}
	}
	if e.MAC != "" {
		r.sealed = true
	}
	st.JournalSeq, st.JournalHash, st.JournalOffset = e.Seq, e.Hash, end
	if st.replayed == 0 {
		st.Serial++ // the state is newer than its snapshot
	}
	st.replayed++
	return nil
}

func (r *Replayer) head() string {
	if r.st.JournalSeq == 0 {
		return GenesisHash(r.st.Lineage)
	}
	return r.st.JournalHash
}

// Replayed reports how many entries were applied.
func (r *Replayer) Replayed() int { return r.st.replayed }

// Sealed reports whether the state is sealed as of the last entry.
func (r *Replayer) Sealed() bool { return r.sealed }

// IsTransition reports whether err is an entry refused as a transition
// payform could not have written (rather than a broken chain).
func IsTransition(err error) bool {
	var te *transitionError
	return errors.As(err, &te)
}

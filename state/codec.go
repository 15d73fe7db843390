package state

// Exported encodings for backends other than Local: they store exactly the
// bytes Local stores, so state moves between backends unchanged and the
// hash chain verifies the same way everywhere.

// EncodeEntry fills e.Hash (from e.Prev and the entry's content) and
// returns its journal line, newline included. The caller sets Seq and
// Prev.
func EncodeEntry(e *Entry) ([]byte, error) { return e.encode() }

// DecodeEntry parses a journal line (with or without its newline) and
// checks the entry's own hash; the link to the entry before it is the
// caller's to check (a Replayer does).
func DecodeEntry(line []byte) (*Entry, error) {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	return decodeLine(line)
}

// EncodeSnapshot returns the snapshot bytes of st: normalized, indented,
// checksummed.
func EncodeSnapshot(st *State) ([]byte, error) { return encodeSnapshot(st) }

// DecodeSnapshot parses snapshot bytes; name is used in errors.
func DecodeSnapshot(name string, data []byte) (*State, error) { return decodeSnapshot(name, data) }

// Replayer applies the journal entries that follow a snapshot, checking
// that each one links to the state's head.
type Replayer struct {
	st   *State
	name string
}

// NewReplayer replays onto st; name is used in errors.
func NewReplayer(st *State, name string) *Replayer { return &Replayer{st: st, name: name} }

// Add applies e, which must be the entry right after the state's head. end
// is the byte offset after it for backends with offsets (0 otherwise).
func (r *Replayer) Add(e *Entry, end int64) error {
	st := r.st
	switch {
	case e.Seq != st.JournalSeq+1:
		return &CorruptError{What: r.name, Seq: e.Seq, Reason: "sequence number does not follow the state's head: entries are missing"}
	case e.Prev != r.head():
		return &CorruptError{What: r.name, Seq: e.Seq, Reason: "it does not link to the entry before it (prev hash mismatch): an entry was altered, removed or inserted"}
	}
	if err := st.apply(e); err != nil {
		return &CorruptError{What: r.name, Seq: e.Seq, Reason: err.Error()}
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

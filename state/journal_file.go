package state

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// maxJournalLine bounds one journal line; longer lines are corruption.
const maxJournalLine = 4 << 20

// journalScan reads a journal file from offset and calls fn for every
// complete entry, checking each entry's hash and its link to the one
// before. startSeq/startHash describe the entry just before offset
// (0 and the genesis hash at the start of the file).
//
// A last line without its newline is a torn write: it is skipped and
// reported through torn (the offset where it starts), never an error. Any
// other bad line is a *CorruptError naming it.
func journalScan(name string, f io.ReaderAt, offset int64, startSeq uint64, startHash string, firstLine int, fn func(e *Entry, end int64) error) (torn int64, err error) {
	r := bufio.NewReaderSize(io.NewSectionReader(f, offset, 1<<62), 256<<10)
	pos := offset
	seq, prev := startSeq, startHash
	lineNo := firstLine
	for {
		line, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// Long line: collect it.
			buf := append([]byte(nil), line...)
			for err == bufio.ErrBufferFull && len(buf) <= maxJournalLine {
				line, err = r.ReadSlice('\n')
				buf = append(buf, line...)
			}
			line = buf
		}
		if err == io.EOF {
			if len(line) > 0 {
				return pos, nil // torn tail
			}
			return -1, nil
		}
		if err != nil {
			if err == bufio.ErrBufferFull {
				return -1, &CorruptError{What: name, Line: lineNo, Reason: "line too long"}
			}
			return -1, err
		}
		lineNo++
		end := pos + int64(len(line))
		e, derr := decodeLine(bytes.TrimSuffix(line, []byte("\n")))
		switch {
		case derr != nil:
			return -1, &CorruptError{What: name, Seq: seq + 1, Line: lineNo, Reason: derr.Error()}
		case e.Seq != seq+1:
			return -1, &CorruptError{What: name, Seq: e.Seq, Line: lineNo, Reason: fmt.Sprintf("sequence number %d follows %d", e.Seq, seq)}
		case e.Prev != prev:
			return -1, &CorruptError{What: name, Seq: e.Seq, Line: lineNo, Reason: "it does not link to the entry before it (prev hash mismatch): an entry was altered, removed or inserted"}
		}
		if err := fn(e, end); err != nil {
			return -1, err
		}
		seq, prev, pos = e.Seq, e.Hash, end
	}
}

// journalFile appends to a journal file. Writes go straight to the file
// (so they survive the process being killed); Sync makes them durable,
// with one fsync shared by every caller waiting at the time.
type journalFile struct {
	mu     sync.Mutex // guards the fields below and the file's end
	f      *os.File
	seq    uint64
	hash   string
	offset int64
	err    error // sticky: once a write fails, nothing more is written

	syncMu  sync.Mutex
	cond    *sync.Cond // on syncMu
	synced  uint64
	syncing bool
}

var _ Journal = (*journalFile)(nil)

func newJournalFile(f *os.File, seq uint64, hash string, offset int64) *journalFile {
	j := &journalFile{f: f, seq: seq, hash: hash, offset: offset, synced: seq}
	j.cond = sync.NewCond(&j.syncMu)
	return j
}

func (j *journalFile) Write(e *Entry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return j.err
	}
	e.Seq = j.seq + 1
	e.Prev = j.hash
	line, err := e.encode()
	if err != nil {
		return err
	}
	if _, err := j.f.WriteAt(line, j.offset); err != nil {
		j.err = fmt.Errorf("writing journal: %w", err)
		return j.err
	}
	j.seq, j.hash = e.Seq, e.Hash
	j.offset += int64(len(line))
	return nil
}

func (j *journalFile) Sync(seq uint64) error {
	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	for j.synced < seq {
		if j.syncing {
			j.cond.Wait()
			continue
		}
		j.syncing = true
		j.mu.Lock()
		target, werr := j.seq, j.err
		j.mu.Unlock()
		if werr != nil {
			j.syncing = false
			j.cond.Broadcast()
			return werr
		}
		j.syncMu.Unlock()
		err := j.f.Sync()
		j.syncMu.Lock()
		j.syncing = false
		j.cond.Broadcast()
		if err != nil {
			j.mu.Lock()
			j.err = fmt.Errorf("syncing journal: %w", err)
			j.mu.Unlock()
			return err
		}
		if target > j.synced {
			j.synced = target
		}
	}
	return nil
}

func (j *journalFile) Head() (uint64, string, int64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.seq, j.hash, j.offset
}

func (j *journalFile) Close() error {
	seq, _, _ := j.Head()
	err := j.Sync(seq)
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// errStop ends a scan early without an error.
var errStop = errors.New("stop")

// checkHistory checks the hash chain of the journal's first end bytes,
// the entries a snapshot already includes, without decoding them: every
// line's seq follows the one before, its prev is the hash before it, its
// hash is its content's, and the last is the snapshot's head (seq, hash).
// An entry altered anywhere in the history is caught on every load, not
// only by `payform audit verify`. On a mismatch the entries are decoded
// again so that the error names the entry exactly as audit verify does.
func checkHistory(name string, f io.ReaderAt, end int64, genesis string, seq uint64, hash string) error {
	r := bufio.NewReaderSize(io.NewSectionReader(f, 0, end), 256<<10)
	prev, n := []byte(genesis), uint64(0)
	h := sha256.New()
	sum := make([]byte, 0, sha256.Size)
	hexSum := make([]byte, 2*sha256.Size)
	ok := true
	for ok {
		line, err := r.ReadSlice('\n')
		if err == io.EOF && len(line) == 0 {
			break
		}
		if err != nil {
			ok = false // a long line, or a last line without newline: decode to say why
			break
		}
		line = line[:len(line)-1]
		lineSeq, lp, lh, good := chainFields(line)
		n++
		if !good || lineSeq != n || !bytes.Equal(lp, prev) {
			ok = false
			break
		}
		h.Reset()
		h.Write(lp)
		h.Write(line[:len(line)-len(hashSuffix)])
		h.Write([]byte{'}'})
		hex.Encode(hexSum, h.Sum(sum[:0]))
		if !bytes.Equal(hexSum, lh) {
			ok = false
			break
		}
		prev = append(prev[:0], lh...) // the line's bytes are reused by the next read
	}
	if ok && n == seq && string(prev) == hash {
		return nil
	}
	// Say exactly what is wrong, as audit verify would.
	last, lastHash := uint64(0), genesis
	if _, err := journalScan(name, f, 0, 0, genesis, 0, func(e *Entry, off int64) error {
		if off > end {
			return io.EOF
		}
		last, lastHash = e.Seq, e.Hash
		return nil
	}); err != nil && err != io.EOF {
		return err
	}
	if last != seq || lastHash != hash {
		return &CorruptError{What: name, Seq: seq, Reason: "it differs from the entry the snapshot recorded"}
	}
	return &CorruptError{What: name, Reason: "its history does not hash to the snapshot's head"}
}

// hashSuffix is the shape of a line's end: ,"hash":"<64 hex>"}.
var hashSuffix = []byte(`,"hash":"` + strings.Repeat("0", 64) + `"}`)

const prevMember = `,"prev":"`

// chainFields reads seq, prev and hash from a journal line's fixed
// places: it starts {"seq":N, and ends ,"prev":"P","hash":"H"}.
func chainFields(line []byte) (seq uint64, prev, hash []byte, ok bool) {
	const head = `{"seq":`
	if !bytes.HasPrefix(line, []byte(head)) || len(line) < len(head)+len(hashSuffix)+len(prevMember)+65 {
		return 0, nil, nil, false
	}
	rest := line[len(head):]
	i := 0
	for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9' && i < 20; i++ {
		seq = seq*10 + uint64(rest[i]-'0')
	}
	if i == 0 || i >= len(rest) || rest[i] != ',' {
		return 0, nil, nil, false
	}
	tail := line[len(line)-len(hashSuffix):]
	if !bytes.HasPrefix(tail, hashSuffix[:9]) || !bytes.HasSuffix(tail, []byte(`"}`)) {
		return 0, nil, nil, false
	}
	hash = tail[9 : 9+64]
	body := line[:len(line)-len(hashSuffix)]
	if len(body) < len(prevMember)+65 || body[len(body)-1] != '"' {
		return 0, nil, nil, false
	}
	pm := body[len(body)-65-len(prevMember):]
	if !bytes.HasPrefix(pm, []byte(prevMember)) {
		return 0, nil, nil, false
	}
	prev = pm[len(prevMember) : len(prevMember)+64]
	return seq, prev, hash, true
}

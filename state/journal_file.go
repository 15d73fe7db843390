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
	"runtime"
	"strings"
	"sync"
)

// journalScan reads a journal file from offset and calls fn for every
// complete entry, in order, checking each entry's hash (and, with key, its
// seal) and its link to the one before. startSeq/startHash describe the
// entry just before offset (0 and the genesis hash at the start of the
// file).
//
// A last line without its newline is a torn write: it is skipped and
// reported through torn (the offset where it starts), never an error. Any
// other bad line is a *CorruptError naming it.
//
// Lines are decoded by a worker per CPU, batch by batch, and handed to fn
// in order: decoding is most of a replay's time.
func journalScan(name string, f io.ReaderAt, offset int64, startSeq uint64, startHash string, firstLine int, key Key, fn func(e *Entry, end int64) error) (torn int64, err error) {
	batches := make(chan *scanBatch, 8) // in file order, to the consumer
	work := make(chan *scanBatch, 8)    // to the decoders
	stop := make(chan struct{})
	defer close(stop)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				b.decode(key)
			}
		}()
	}
	go func() {
		defer func() { close(batches); close(work); wg.Wait() }()
		readBatches(f, offset, firstLine, batches, work, stop)
	}()

	seq, prev := startSeq, startHash
	for b := range batches {
		<-b.done
		for i, e := range b.entries {
			lineNo := b.firstLine + i + 1
			derr := b.errs[i]
			switch {
			case derr != nil:
				return -1, &CorruptError{What: name, Seq: seq + 1, Line: lineNo, Reason: derr.Error()}
			case e.Seq != seq+1:
				return -1, &CorruptError{What: name, Seq: e.Seq, Line: lineNo, Reason: fmt.Sprintf("sequence number %d follows %d", e.Seq, seq)}
			case e.Prev != prev:
				return -1, &CorruptError{What: name, Seq: e.Seq, Line: lineNo, Reason: "it does not link to the entry before it (prev hash mismatch): an entry was altered, removed or inserted"}
			}
			if err := fn(e, b.ends[i]); err != nil {
				return -1, err
			}
			seq, prev = e.Seq, e.Hash
		}
		switch {
		case b.err != nil:
			var ce *CorruptError
			if errors.As(b.err, &ce) && ce.What == "" {
				ce.What = name
			}
			return -1, b.err
		case b.torn >= 0:
			return b.torn, nil
		}
	}
	return -1, nil
}

// scanBatch is a run of journal lines, decoded together.
type scanBatch struct {
	firstLine int // the line number before the batch's first
	lines     [][]byte
	ends      []int64 // the offset after each line
	entries   []*Entry
	errs      []error
	// After the batch's lines: a torn tail's offset (-1 for none), or the
	// error that ended the read.
	torn int64
	err  error
	done chan struct{}
}

func (b *scanBatch) decode(key Key) {
	b.entries = make([]*Entry, len(b.lines))
	b.errs = make([]error, len(b.lines))
	for i, line := range b.lines {
		b.entries[i], b.errs[i] = decodeLine(line, key)
		if b.errs[i] != nil {
			b.entries = b.entries[:i+1]
			break
		}
	}
	close(b.done)
}

// scanBatchLines bounds the lines of one batch.
const scanBatchLines = 512

// readBatches splits the file from offset into batches of complete lines.
func readBatches(f io.ReaderAt, offset int64, firstLine int, batches, work chan<- *scanBatch, stop <-chan struct{}) {
	r := bufio.NewReaderSize(io.NewSectionReader(f, offset, 1<<62), 256<<10)
	pos := offset
	b := &scanBatch{firstLine: firstLine, torn: -1, done: make(chan struct{})}
	send := func() bool {
		select {
		case batches <- b:
		case <-stop:
			return false
		}
		select {
		case work <- b:
		case <-stop:
			return false
		}
		return true
	}
	for {
		line, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// Long line: collect it.
			buf := append([]byte(nil), line...)
			for err == bufio.ErrBufferFull && len(buf) <= maxEntry {
				line, err = r.ReadSlice('\n')
				buf = append(buf, line...)
			}
			line = buf
		}
		switch {
		case err == io.EOF:
			if len(line) > 0 {
				b.torn = pos
			}
			send()
			return
		case err == bufio.ErrBufferFull:
			b.err = &CorruptError{Line: firstLine + 1, Reason: "line too long"}
			send()
			return
		case err != nil:
			b.err = err
			send()
			return
		}
		firstLine++
		pos += int64(len(line))
		b.lines = append(b.lines, bytes.Clone(line[:len(line)-1]))
		b.ends = append(b.ends, pos)
		if len(b.lines) == scanBatchLines {
			if !send() {
				return
			}
			b = &scanBatch{firstLine: firstLine, torn: -1, done: make(chan struct{})}
		}
	}
}

// journalFile appends to a journal file, opened O_APPEND so that no write
// can land on another writer's bytes. Before each write it checks, under
// the journal file's own lock (lockAppend), that the file still ends where
// its last write ended: anything else means a second writer (a lock file
// removed under a running command), and nothing more is written. Writes go straight to the file (so they survive the process
// being killed); Sync makes them durable, with one fsync shared by every
// caller waiting at the time.
type journalFile struct {
	mu     sync.Mutex // guards the fields below and the file's end
	name   string
	f      *os.File
	key    Key
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

func newJournalFile(name string, f *os.File, seq uint64, hash string, offset int64, key Key) *journalFile {
	j := &journalFile{name: name, f: f, key: key, seq: seq, hash: hash, offset: offset, synced: seq}
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
	line, err := e.encode(j.key)
	if err != nil {
		return err
	}
	return j.append(e, line)
}

// writeVerbatim appends an entry read from another journal, as it was.
func (j *journalFile) writeVerbatim(e *Entry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if e.Seq != j.seq+1 || e.Prev != j.hash {
		return fmt.Errorf("journal entry %d does not follow entry %d", e.Seq, j.seq)
	}
	line, err := e.encodeVerbatim()
	if err != nil {
		return err
	}
	return j.append(e, line)
}

// append writes line at the file's end, which must be where the last
// write ended; the check and the write hold the journal file's own lock,
// so that another process cannot write between them. j.mu is held.
func (j *journalFile) append(e *Entry, line []byte) error {
	unlock, err := lockAppend(j.f)
	if err != nil {
		j.err = fmt.Errorf("writing journal: locking %s: %w", j.name, err)
		return j.err
	}
	defer unlock()
	fi, err := j.f.Stat()
	if err != nil {
		j.err = fmt.Errorf("writing journal: %w", err)
		return j.err
	}
	if fi.Size() != j.offset {
		j.err = &CorruptError{What: j.name, Reason: fmt.Sprintf("it is %d bytes, but this command's last entry ended at byte %d: another process wrote to it (was the lock file removed?); nothing more is written, run payform again to see what it holds", fi.Size(), j.offset)}
		return j.err
	}
	if _, err := j.f.Write(line); err != nil {
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

// checkHistory checks the hash chain of the journal's first end bytes,
// the entries a snapshot already includes, without decoding them: every
// line's seq follows the one before, its prev is the hash before it, its
// hash is its content's, and the last is the snapshot's head (seq, hash).
// An entry altered anywhere in the history is caught on every load, not
// only by `payform audit verify`. On a mismatch the entries are decoded
// again so that the error names the entry exactly as audit verify does.
func checkHistory(name string, f io.ReaderAt, end int64, genesis string, seq uint64, hash string, key Key) error {
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
	if _, err := journalScan(name, f, 0, 0, genesis, 0, key, func(e *Entry, off int64) error {
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

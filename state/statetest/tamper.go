package statetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/payform/payform/state"
)

// The tamperer's tools: what someone who knows the formats but not the
// audit key can compute. They never go through package state's encoders,
// which would seal with a key.

// decode parses a journal line without checking anything but its JSON.
func decode(t *testing.T, line []byte) *state.Entry {
	t.Helper()
	var e state.Entry
	if err := json.Unmarshal(line, &e); err != nil {
		t.Fatalf("decoding journal line %q: %v", line, err)
	}
	return &e
}

// chain returns e's journal line with its hash recomputed from e.Prev and
// its content; its seal (mac), if any, is kept as it is.
func chain(t *testing.T, e *state.Entry) []byte {
	t.Helper()
	e.Hash = ""
	body, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(append([]byte(e.Prev), body...))
	e.Hash = hex.EncodeToString(sum[:])
	line := append(body[:len(body)-1:len(body)-1], `,"hash":"`+e.Hash+`"}`+"\n"...)
	return line
}

// rehash applies edit to entry seq (1-based) and recomputes its hash;
// with rechain, every later entry is linked to it again, so that the
// chain is whole from there to the end.
func rehash(t *testing.T, lines [][]byte, seq int, rechain bool, edit func(*state.Entry)) [][]byte {
	t.Helper()
	out := clone(lines)
	e := decode(t, out[seq-1])
	edit(e)
	out[seq-1] = chain(t, e)
	if rechain {
		out = relink(t, out, seq)
	}
	return out
}

// relink renumbers and rechains every entry after the seq'th line.
func relink(t *testing.T, lines [][]byte, seq int) [][]byte {
	t.Helper()
	prev := decode(t, lines[seq-1])
	for i := seq; i < len(lines); i++ {
		e := decode(t, lines[i])
		e.Seq, e.Prev = prev.Seq+1, prev.Hash
		lines[i] = chain(t, e)
		prev = e
	}
	return lines
}

// insert puts a forged entry, correctly chained, after the first after
// lines (0: at the start), renumbering and rechaining every later entry.
// forge fills the entry from the one before it (nil at the start).
func insert(t *testing.T, lines [][]byte, after int, forge func(before *state.Entry) *state.Entry) [][]byte {
	t.Helper()
	out := clone(lines[:after])
	var before *state.Entry
	if after > 0 {
		before = decode(t, out[after-1])
	}
	e := forge(before)
	if before != nil {
		e.Seq, e.Prev = before.Seq+1, before.Hash
	} else {
		e.Seq = 1
	}
	out = append(out, chain(t, e))
	out = append(out, clone(lines[after:])...)
	return relink(t, out, after+1)
}

func clone(lines [][]byte) [][]byte {
	out := make([][]byte, len(lines))
	for i, l := range lines {
		out[i] = bytes.Clone(l)
	}
	return out
}

const checksumMember = ",\n  \"checksum\": \""

// reseal edits a snapshot's text and recomputes its checksum; its seal
// (mac), if any, is kept as it is.
func reseal(t *testing.T, data []byte, edit func(body string) string) []byte {
	t.Helper()
	i := bytes.LastIndex(data, []byte(checksumMember))
	if i < 0 {
		t.Fatalf("no checksum member in the snapshot:\n%s", data)
	}
	body := edit(string(data[:i]))
	sum := sha256.Sum256([]byte(body))
	return []byte(body + checksumMember + hex.EncodeToString(sum[:]) + "\"\n}\n")
}

// replace replaces the first old in s, which must hold it.
func replace(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("no %q in:\n%s", old, s)
	}
	return strings.Replace(s, old, new, 1)
}

// dropObject removes from a snapshot's text the object (with the comma
// that joins it to the one before) whose first line is first.
func dropObject(t *testing.T, s, first string) string {
	t.Helper()
	i := strings.Index(s, first)
	if i < 0 {
		t.Fatalf("no %q in:\n%s", first, s)
	}
	start := strings.LastIndex(s[:i], "{")
	end := i + strings.Index(s[i:], "\n    }") + len("\n    }")
	if j := strings.LastIndex(s[:start], ","); j >= 0 && strings.TrimSpace(s[j+1:start]) == "" {
		start = j
	}
	return s[:start] + s[end:]
}

// edit is reseal without the checksum: an edit payform must see.
func edit(t *testing.T, data []byte, old, new string) []byte {
	t.Helper()
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("the snapshot has no %q to edit", old)
	}
	return bytes.Replace(data, []byte(old), []byte(new), 1)
}

// snapHead is what a snapshot says of itself, read without checking it.
type snapHead struct {
	Lineage     string `json:"lineage"`
	Serial      uint64 `json:"serial"`
	JournalSeq  uint64 `json:"journal_seq"`
	JournalHash string `json:"journal_hash"`
}

func decodeSnap(t *testing.T, data []byte) snapHead {
	t.Helper()
	var h snapHead
	if err := json.Unmarshal(data, &h); err != nil {
		t.Fatalf("decoding the snapshot: %v", err)
	}
	return h
}

func splitLines(data []byte) [][]byte {
	out := bytes.SplitAfter(data, []byte("\n"))
	if len(out) > 0 && len(out[len(out)-1]) == 0 {
		out = out[:len(out)-1]
	}
	return out
}

func joinLines(lines [][]byte) []byte { return bytes.Join(lines, nil) }

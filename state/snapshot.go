package state

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// snapshotFile is the on-disk form: the state followed by a checksum of
// everything before it.
type snapshotFile struct {
	*State
	Checksum string `json:"checksum,omitempty"`
}

// encodeSnapshot returns the normalized, indented snapshot bytes. The
// last member is "checksum": hex(sha256(the bytes before it)), so equal
// states give equal bytes and any edit is detected.
func encodeSnapshot(st *State) ([]byte, error) {
	st.normalize()
	st.FormatVersion = FormatVersion
	body, err := json.MarshalIndent(snapshotFile{State: st}, "", "  ")
	if err != nil {
		return nil, err
	}
	// body ends with "\n}"; insert the checksum member before it.
	head := body[:len(body)-2]
	sum := sha256.Sum256(head)
	var b bytes.Buffer
	b.Grow(len(body) + 100)
	b.Write(head)
	fmt.Fprintf(&b, ",\n  \"checksum\": \"%s\"\n}\n", hex.EncodeToString(sum[:]))
	return b.Bytes(), nil
}

// decodeSnapshot parses snapshot bytes, refusing newer formats and any
// content that does not match its checksum.
func decodeSnapshot(name string, data []byte) (*State, error) {
	var probe struct {
		FormatVersion int    `json:"format_version"`
		Checksum      string `json:"checksum"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, &CorruptError{What: name, Reason: "not valid JSON: " + err.Error()}
	}
	if probe.FormatVersion > FormatVersion {
		return nil, fmt.Errorf("%s has format version %d; this payform reads up to %d: upgrade payform", name, probe.FormatVersion, FormatVersion)
	}
	if probe.FormatVersion < 1 {
		return nil, &CorruptError{What: name, Reason: "missing format_version"}
	}
	trimmed := bytes.TrimRight(data, "\n")
	suffix := []byte(",\n  \"checksum\": \"" + probe.Checksum + "\"\n}")
	if probe.Checksum == "" || !bytes.HasSuffix(trimmed, suffix) {
		return nil, &CorruptError{What: name, Reason: "the checksum is missing or not the last member; the file was edited or truncated"}
	}
	sum := sha256.Sum256(trimmed[:len(trimmed)-len(suffix)])
	if hex.EncodeToString(sum[:]) != probe.Checksum {
		return nil, &CorruptError{What: name, Reason: "checksum mismatch: the file was altered after payform wrote it"}
	}
	var f snapshotFile
	f.State = &State{}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, &CorruptError{What: name, Reason: err.Error()}
	}
	f.State.index()
	return f.State, nil
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory: write, fsync, rename, fsync the directory. Mode 0600.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // no-op after a successful rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmpName, path); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

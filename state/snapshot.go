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
	fmt.Fprintf(&b, "%s%s\"\n}\n", checksumMember, hex.EncodeToString(sum[:]))
	return b.Bytes(), nil
}

// decodeSnapshot parses snapshot bytes, refusing newer formats and any
// content that does not match its checksum. The version is read from the
// first member and the checksum from the last, so the document is decoded
// only once.
func decodeSnapshot(name string, data []byte) (*State, error) {
	version, ok := sniffVersion(data)
	if !ok {
		return nil, &CorruptError{What: name, Reason: "it does not start with a format_version member: not a payform state file"}
	}
	if version > FormatVersion {
		return nil, fmt.Errorf("%s has format version %d; this payform reads up to %d: upgrade payform", name, version, FormatVersion)
	}
	trimmed := bytes.TrimRight(data, "\n")
	i := bytes.LastIndex(trimmed, []byte(checksumMember))
	if i < 0 || !bytes.HasSuffix(trimmed, []byte("\"\n}")) {
		return nil, &CorruptError{What: name, Reason: "the checksum is missing or not the last member; the file was edited or truncated"}
	}
	want := string(trimmed[i+len(checksumMember) : len(trimmed)-len("\"\n}")])
	sum := sha256.Sum256(trimmed[:i])
	if hex.EncodeToString(sum[:]) != want {
		return nil, &CorruptError{What: name, Reason: "checksum mismatch: the file was altered after payform wrote it"}
	}
	st := &State{}
	if err := json.Unmarshal(data, &snapshotFile{State: st}); err != nil {
		return nil, &CorruptError{What: name, Reason: "not valid JSON: " + err.Error()}
	}
	st.index()
	return st, nil
}

// checksumMember starts the snapshot's last member.
const checksumMember = ",\n  \"checksum\": \""

// sniffVersion reads format_version, the snapshot's first member.
func sniffVersion(data []byte) (int, bool) {
	head := data[:min(len(data), 128)]
	const member = "\"format_version\": "
	i := bytes.Index(head, []byte(member))
	if i < 0 {
		return 0, false
	}
	if prefix := bytes.TrimSpace(head[:i]); len(prefix) != 1 || prefix[0] != '{' {
		return 0, false
	}
	n, digits := 0, 0
	for _, c := range head[i+len(member):] {
		if c < '0' || c > '9' {
			break
		}
		n, digits = n*10+int(c-'0'), digits+1
	}
	return n, digits > 0 && n > 0
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

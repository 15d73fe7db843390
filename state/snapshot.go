package state

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/payform/payform/internal/atomicfile"
)

// FormatVersion is the snapshot format this package writes. Read takes
// this one and the ones before it, and refuses newer ones.
const FormatVersion = 2

// snapshotFile is the snapshot on disk (and in pg's workspaces table): a
// private, versioned wire form of State, separate from the model so that
// the model can change without changing these bytes. Version 1 had every
// member here but journal_at, run and moved_to; it decodes into this
// struct unchanged.
//
// The document's last members are "mac" (only when sealed with an audit
// key: an HMAC-SHA256 of the bytes before it) and "checksum" (a SHA-256 of
// the bytes before it), so that equal states give equal bytes and any
// edit that does not recompute them is detected.
type snapshotFile struct {
	FormatVersion  int    `json:"format_version"`
	Lineage        string `json:"lineage"`
	Serial         uint64 `json:"serial"`
	PayformVersion string `json:"payform_version"`
	JournalSeq     uint64 `json:"journal_seq"`
	JournalHash    string `json:"journal_hash"`
	// JournalAt is the time of the entry at JournalSeq.
	JournalAt     time.Time `json:"journal_at,omitzero"`
	JournalOffset int64     `json:"journal_offset,omitempty"`
	Run           *runWire  `json:"run,omitempty"`
	// MovedTo is set on a tombstone: the state moved to another backend
	// and every command on this one refuses.
	MovedTo       *MovedTo        `json:"moved_to,omitempty"`
	ConsumedPlans []string        `json:"consumed_plans"`
	ReservedKeys  []KeyRef        `json:"reserved_keys"`
	Resources     []*resourceWire `json:"resources"`
	Forgotten     []*resourceWire `json:"forgotten"`
}

type runWire struct {
	PlanID string `json:"plan_id"`
	Actor  string `json:"actor"`
}

// MovedTo says where a migrated state went.
type MovedTo struct {
	Backend string    `json:"backend"` // "pg:payform/treasury"
	At      time.Time `json:"at"`
	By      string    `json:"by"`
}

type resourceWire struct {
	Address    string            `json:"address"`
	Kind       string            `json:"kind"`
	Provider   string            `json:"provider"`
	Scope      string            `json:"scope,omitempty"`
	Gateway    string            `json:"gateway"`
	Key        string            `json:"key"`
	Amount     string            `json:"amount,omitempty"`
	Currency   string            `json:"currency,omitempty"`
	Attrs      map[string]string `json:"attrs,omitempty"`
	ID         string            `json:"id,omitempty"`
	Status     string            `json:"status"`
	RawStatus  string            `json:"raw_status,omitempty"`
	Remote     map[string]string `json:"remote,omitempty"`
	Note       string            `json:"note,omitempty"`
	Pending    *pendingWire      `json:"pending,omitempty"`
	Superseded []remoteWire      `json:"superseded,omitempty"`
	PlanID     string            `json:"plan_id,omitempty"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
	Forgotten  time.Time         `json:"forgotten_at,omitzero"`
}

type pendingWire struct {
	Seq      uint64    `json:"seq"`
	At       time.Time `json:"at"`
	PlanID   string    `json:"plan_id,omitempty"`
	Attempts int       `json:"attempts"`
	Manual   bool      `json:"manual,omitempty"`
	Reason   string    `json:"reason,omitempty"`
}

type remoteWire struct {
	ID     string            `json:"id,omitempty"`
	Fields map[string]string `json:"fields,omitempty"`
	At     time.Time         `json:"at"`
}

func toWire(st *State) *snapshotFile {
	f := &snapshotFile{
		FormatVersion: FormatVersion, Lineage: st.Lineage, Serial: st.Serial, PayformVersion: st.PayformVersion,
		JournalSeq: st.JournalSeq, JournalHash: st.JournalHash, JournalAt: st.JournalAt.UTC(), JournalOffset: st.JournalOffset,
		ConsumedPlans: st.ConsumedPlans(), ReservedKeys: st.ReservedKeyList(),
		Resources: []*resourceWire{}, Forgotten: []*resourceWire{},
	}
	if st.Run != (Run{}) {
		f.Run = &runWire{PlanID: st.Run.PlanID, Actor: st.Run.Actor}
	}
	for _, r := range st.List() {
		f.Resources = append(f.Resources, resourceToWire(r))
	}
	for _, r := range st.ForgottenList() {
		f.Forgotten = append(f.Forgotten, resourceToWire(r))
	}
	return f
}

func resourceToWire(r *Resource) *resourceWire {
	w := &resourceWire{
		Address: r.Address, Kind: r.Kind, Provider: r.Provider, Scope: r.Scope, Gateway: r.Gateway, Key: r.Key,
		Amount: r.Amount, Currency: r.Currency, Attrs: r.Attrs, ID: r.ID, Status: r.Status, RawStatus: r.RawStatus,
		Remote: r.Remote, Note: r.Note, PlanID: r.PlanID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Forgotten: r.ForgottenAt,
	}
	if p := r.Pending; p != nil {
		w.Pending = &pendingWire{Seq: p.Seq, At: p.At, PlanID: p.PlanID, Attempts: p.Attempts, Manual: p.Manual, Reason: p.Reason}
	}
	for _, s := range r.Superseded {
		w.Superseded = append(w.Superseded, remoteWire(s))
	}
	return w
}

func (w *resourceWire) model() *Resource {
	r := &Resource{
		Address: w.Address, Kind: w.Kind, Provider: w.Provider, Scope: w.Scope, Gateway: w.Gateway, Key: w.Key,
		Amount: w.Amount, Currency: w.Currency, Attrs: w.Attrs, ID: w.ID, Status: w.Status, RawStatus: w.RawStatus,
		Remote: w.Remote, Note: w.Note, PlanID: w.PlanID, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt, ForgottenAt: w.Forgotten,
	}
	if p := w.Pending; p != nil {
		r.Pending = &Pending{Seq: p.Seq, At: p.At, PlanID: p.PlanID, Attempts: p.Attempts, Manual: p.Manual, Reason: p.Reason}
	}
	for _, s := range w.Superseded {
		r.Superseded = append(r.Superseded, Remote(s))
	}
	return r
}

// model builds the State the snapshot describes.
func (f *snapshotFile) model() *State {
	st := New(f.Lineage, f.PayformVersion)
	st.byAddr = make(map[string]*Resource, len(f.Resources))
	st.reserved = make(map[KeyRef]bool, len(f.ReservedKeys))
	st.Serial, st.JournalSeq, st.JournalHash, st.JournalAt, st.JournalOffset = f.Serial, f.JournalSeq, f.JournalHash, f.JournalAt, f.JournalOffset
	if f.Run != nil {
		st.Run = Run{PlanID: f.Run.PlanID, Actor: f.Run.Actor}
	}
	for _, id := range f.ConsumedPlans {
		st.consumed[id] = true
	}
	for _, k := range f.ReservedKeys {
		st.reserved[k] = true
	}
	for _, w := range f.Resources {
		st.byAddr[w.Address] = w.model()
	}
	for _, w := range f.Forgotten {
		st.forgotten[w.Address] = append(st.forgotten[w.Address], w.model())
	}
	for _, list := range st.forgotten {
		sort.SliceStable(list, func(i, j int) bool { return list[i].ForgottenAt.Before(list[j].ForgottenAt) })
	}
	return st
}

// Tombstone returns the tombstone of a snapshot: its bytes with moved_to
// set and the serial one higher. Every Load of it refuses with a
// *MovedError, naming where the state went.
func Tombstone(name string, data []byte, to MovedTo, key Key) ([]byte, error) {
	f, _, err := decodeSnapshot(name, data, key)
	if err != nil {
		return nil, err
	}
	f.MovedTo = &to
	f.Serial++
	return encodeWire(f, key)
}

// encodeSnapshot returns the normalized, indented snapshot bytes, sealed
// with key when it is set.
func encodeSnapshot(st *State, key Key) ([]byte, error) {
	return encodeWire(toWire(st), key)
}

func encodeWire(f *snapshotFile, key Key) ([]byte, error) {
	body, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	// body ends with "\n}"; the mac and checksum members go before it.
	var b bytes.Buffer
	b.Grow(len(body) + 200)
	b.Write(body[:len(body)-2])
	if key != nil {
		fmt.Fprintf(&b, "%s%s\"", macMember, key.mac(b.Bytes()))
	}
	sum := sha256.Sum256(b.Bytes())
	fmt.Fprintf(&b, "%s%s\"\n}\n", checksumMember, hex.EncodeToString(sum[:]))
	return b.Bytes(), nil
}

// decodeSnapshot parses snapshot bytes, refusing newer formats, any
// content that does not match its checksum, and, with key, a seal that
// does not match (a snapshot without a seal is reported through sealed).
func decodeSnapshot(name string, data []byte, key Key) (f *snapshotFile, sealed bool, err error) {
	// The checks hash every byte and the decoder reads every byte: at a
	// million records, seconds each, so they run at once. The checks'
	// verdict comes first, as if they had run before.
	type checked struct {
		sealed bool
		err    error
	}
	ch := make(chan checked, 1)
	go func() {
		sealed, err := checkSnapshotBytes(name, data, key)
		ch <- checked{sealed, err}
	}()
	f = &snapshotFile{}
	derr := json.Unmarshal(data, f)
	c := <-ch
	if c.err != nil {
		return nil, c.sealed, c.err
	}
	if derr != nil {
		return nil, false, &CorruptError{What: name, Reason: "not valid JSON: " + derr.Error()}
	}
	return f, c.sealed, nil
}

// checkSnapshotBytes checks a snapshot's format version, its checksum and,
// with key, its seal, and says whether it is sealed.
func checkSnapshotBytes(name string, data []byte, key Key) (sealed bool, err error) {
	version, ok := sniffVersion(data)
	if !ok {
		return false, &CorruptError{What: name, Reason: "it does not start with a format_version member: not a payform state file"}
	}
	if version > FormatVersion {
		return false, fmt.Errorf("%s has format version %d; this payform reads up to %d: upgrade payform", name, version, FormatVersion)
	}
	trimmed := bytes.TrimRight(data, "\n")
	i := bytes.LastIndex(trimmed, []byte(checksumMember))
	if i < 0 || !bytes.HasSuffix(trimmed, []byte("\"\n}")) {
		return false, &CorruptError{What: name, Reason: "the checksum is missing or not the last member; the file was edited or truncated"}
	}
	want := string(trimmed[i+len(checksumMember) : len(trimmed)-len("\"\n}")])
	sum := sha256.Sum256(trimmed[:i])
	if hex.EncodeToString(sum[:]) != want {
		return false, &CorruptError{What: name, Reason: "checksum mismatch: the file was altered after payform wrote it"}
	}
	head := trimmed[:i]
	if m := bytes.LastIndex(head, []byte(macMember)); m >= 0 && bytes.HasSuffix(head, []byte(`"`)) && len(head)-m == len(macMember)+macLen+1 {
		sealed = true
		if key != nil && !hmac.Equal([]byte(key.mac(head[:m])), head[m+len(macMember):len(head)-1]) {
			return true, &CorruptError{What: name, Reason: "its seal (mac) does not match its content under PAYFORM_AUDIT_KEY: the file was altered, or the key is not the one it was sealed with"}
		}
	}
	return sealed, nil
}

// decodeSnapshotHeader is decodeSnapshot for what precedes the snapshot's
// records (lineage, serial, journal head and offset, the run, moved_to):
// the same checks of the checksum and the seal over every byte, without
// decoding the records, which is most of the time at 100,000 of them.
func decodeSnapshotHeader(name string, data []byte, key Key) (*snapshotFile, error) {
	if _, err := checkSnapshotBytes(name, data, key); err != nil {
		return nil, err
	}
	f := &snapshotFile{}
	dec := json.NewDecoder(bytes.NewReader(data))
	bad := func(err error) error { return &CorruptError{What: name, Reason: "not valid JSON: " + err.Error()} }
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, bad(fmt.Errorf("not an object"))
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, bad(err)
		}
		var dst any
		switch t {
		case "format_version":
			dst = &f.FormatVersion
		case "lineage":
			dst = &f.Lineage
		case "serial":
			dst = &f.Serial
		case "payform_version":
			dst = &f.PayformVersion
		case "journal_seq":
			dst = &f.JournalSeq
		case "journal_hash":
			dst = &f.JournalHash
		case "journal_at":
			dst = &f.JournalAt
		case "journal_offset":
			dst = &f.JournalOffset
		case "run":
			dst = &f.Run
		case "moved_to":
			dst = &f.MovedTo
		default:
			return f, nil // the records follow the header (snapshotFile's order)
		}
		if err := dec.Decode(dst); err != nil {
			return nil, bad(err)
		}
	}
	return f, nil
}

// checksumMember starts the snapshot's last member; macMember the one
// before it, when sealed.
const (
	checksumMember = ",\n  \"checksum\": \""
	macMember      = ",\n  \"mac\": \""
)

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

// WriteFileAtomic writes data to path through a temporary file in the
// same directory: write, fsync, rename, fsync the directory. Mode 0600.
// A reader sees the old bytes or the new ones, never a mix.
func WriteFileAtomic(path string, data []byte) error { return atomicfile.Write(path, data) }

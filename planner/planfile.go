package planner

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/policy"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/state"
)

// FormatVersion is the plan file format this package writes and reads.
const FormatVersion = 2

// A plan file is the gzip-compressed JSON of planFile: a private,
// versioned wire form of Plan that embeds no model type of the state.
// Its "digest" is a SHA-256 of the document without digest and mac, so
// that an edit that does not recompute it is caught and named; with an
// audit key, "mac" is an HMAC of the digest that only a holder of the key
// can make. apply never trusts a plan file: it re-derives the plan from
// the configuration and the state and refuses any difference (Compare).
type planFile struct {
	planHead
	Changes []changeWire `json:"changes"`
	planTail
	Digest string `json:"digest,omitempty"`
	MAC    string `json:"mac,omitempty"`
}

// planHead is what a plan file holds before its changes, planTail what
// it holds after them: Encode writes a change at a time between the two.
type planHead struct {
	FormatVersion  int                     `json:"format_version"`
	PayformVersion string                  `json:"payform_version"`
	PlanID         string                  `json:"plan_id"`
	CreatedAt      time.Time               `json:"created_at"`
	ExpiresAt      time.Time               `json:"expires_at"`
	Author         string                  `json:"author"`
	State          planState               `json:"state"`
	ConfigDigest   string                  `json:"config_digest"`
	ConfigFiles    map[string]string       `json:"config_files,omitempty"`
	Variables      map[string]PlanVariable `json:"variables"`
	Accounts       map[string]string       `json:"accounts"`
	Targets        []string                `json:"targets,omitempty"`
	RefreshOnly    bool                    `json:"refresh_only,omitempty"`
	Policy         *policyWire             `json:"policy,omitempty"`
	Funding        *policy.Funding         `json:"funding,omitempty"`
}

type planTail struct {
	Drift []*Drift `json:"drift"`
	// Warnings are beside the summary, as in every rendering.
	Warnings []Warning `json:"warnings,omitempty"`
	Summary  Summary   `json:"summary"`
}

type planState struct {
	Lineage    string `json:"lineage"`
	Serial     uint64 `json:"serial"`
	JournalSeq uint64 `json:"journal_seq"`
}

// changeWire is one change in a plan file: the declared object (After),
// and what the state recorded (Before) as far as a reader needs it.
type changeWire struct {
	Address  string            `json:"address"`
	Action   Action            `json:"action"`
	Kind     providers.Kind    `json:"kind"`
	Provider string            `json:"provider"`
	Gateway  string            `json:"gateway"`
	Key      string            `json:"key"`
	Amount   string            `json:"amount,omitempty"`
	Currency string            `json:"currency,omitempty"`
	Attrs    map[string]string `json:"attrs,omitempty"`
	Before   *recordWire       `json:"before,omitempty"`
	From     string            `json:"from,omitempty"`
	Found    *Found            `json:"found,omitempty"`
	Note     string            `json:"note,omitempty"`
	Verdict  *verdictWire      `json:"verdict,omitempty"`
}

// recordWire is a state record as a plan file shows it.
type recordWire struct {
	Kind      string            `json:"kind"`
	Provider  string            `json:"provider"`
	Key       string            `json:"key"`
	Amount    string            `json:"amount,omitempty"`
	Currency  string            `json:"currency,omitempty"`
	Attrs     map[string]string `json:"attrs,omitempty"`
	ID        string            `json:"id,omitempty"`
	Status    string            `json:"status"`
	RawStatus string            `json:"raw_status,omitempty"`
	Remote    map[string]string `json:"remote,omitempty"`
	InDoubt   bool              `json:"in_doubt,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
}

// toFile returns the plan file of p, every change in it (the model of
// what Decode reads; Encode writes the same bytes a change at a time).
func toFile(p *Plan) *planFile {
	f := &planFile{planHead: toHead(p), Changes: make([]changeWire, len(p.Changes)), planTail: toTail(p)}
	shared := sharedFindings(p)
	for i, c := range p.Changes {
		f.Changes[i] = toChangeWire(c, shared)
	}
	if f.Policy != nil {
		f.Policy.Shared = sharedList(shared)
	}
	return f
}

func toHead(p *Plan) planHead {
	h := planHead{
		FormatVersion: FormatVersion, PayformVersion: p.PayformVersion, PlanID: p.PlanID,
		CreatedAt: p.CreatedAt, ExpiresAt: p.ExpiresAt, Author: p.Author,
		State:        planState{p.StateLineage, p.StateSerial, p.StateJournalSeq},
		ConfigDigest: p.ConfigDigest, ConfigFiles: p.ConfigFiles, Variables: p.Variables, Accounts: p.Accounts, Targets: p.Targets, RefreshOnly: p.RefreshOnly,
		Funding: p.Funding,
	}
	h.Policy, _ = toPolicyWire(p.Policy)
	return h
}

func toTail(p *Plan) planTail {
	t := planTail{Drift: p.Drift, Warnings: p.Warnings, Summary: p.Summary}
	if t.Drift == nil {
		t.Drift = []*Drift{}
	}
	return t
}

// sharedFindings numbers the plan-wide findings of the changes' verdicts
// in the order the changes name them first (toVerdictWire).
func sharedFindings(p *Plan) map[*policy.Finding]int {
	shared := map[*policy.Finding]int{}
	for _, c := range p.Changes {
		if c.Verdict != nil {
			toVerdictWire(c.Verdict, shared)
		}
	}
	return shared
}

func toChangeWire(c *Change, shared map[*policy.Finding]int) changeWire {
	w := changeWire{Address: c.Address, Action: c.Action, Kind: c.Kind, Provider: c.Provider, Gateway: c.Gateway,
		Key: c.Key, Currency: c.Currency, Attrs: c.Attrs, From: c.From, Found: c.Found, Note: c.Note}
	if !c.Amount.IsZero() {
		w.Amount = c.Amount.String()
	}
	if r := c.Before; r != nil {
		w.Before = &recordWire{Kind: r.Kind, Provider: r.Provider, Key: r.Key, Amount: r.Amount, Currency: r.Currency,
			Attrs: r.Attrs, ID: r.ID, Status: r.Status, RawStatus: r.RawStatus, Remote: r.Remote, InDoubt: r.InDoubt(), CreatedAt: r.CreatedAt}
	}
	if c.Verdict != nil {
		w.Verdict = toVerdictWire(c.Verdict, shared)
	}
	return w
}

func (f *planFile) model() (*Plan, error) {
	p := &Plan{
		FormatVersion: f.FormatVersion, PayformVersion: f.PayformVersion, PlanID: f.PlanID,
		CreatedAt: f.CreatedAt, ExpiresAt: f.ExpiresAt, Author: f.Author,
		StateLineage: f.State.Lineage, StateSerial: f.State.Serial, StateJournalSeq: f.State.JournalSeq,
		ConfigDigest: f.ConfigDigest, ConfigFiles: f.ConfigFiles, Variables: f.Variables, Accounts: f.Accounts, Targets: f.Targets, RefreshOnly: f.RefreshOnly,
		Changes: make([]*Change, len(f.Changes)), Drift: f.Drift, Warnings: f.Warnings, Summary: f.Summary, Digest: f.Digest, Funding: f.Funding,
	}
	pol, shared, err := f.Policy.model()
	if err != nil {
		return nil, err
	}
	p.Policy = pol
	for i, w := range f.Changes {
		c := &Change{Address: w.Address, Action: w.Action, Kind: w.Kind, Provider: w.Provider, Gateway: w.Gateway,
			Key: w.Key, Currency: w.Currency, Attrs: w.Attrs, From: w.From, Found: w.Found, Note: w.Note}
		if w.Amount != "" {
			d, err := decimal.NewFromString(w.Amount)
			if err != nil {
				return nil, fmt.Errorf("change %d (%s): amount %q is not a decimal", i+1, w.Address, w.Amount)
			}
			c.Amount = d
		}
		if r := w.Before; r != nil {
			c.Before = &state.Resource{Address: w.Address, Kind: r.Kind, Provider: r.Provider, Key: r.Key, Amount: r.Amount,
				Currency: r.Currency, Attrs: r.Attrs, ID: r.ID, Status: r.Status, RawStatus: r.RawStatus, Remote: r.Remote, CreatedAt: r.CreatedAt}
			if r.InDoubt {
				c.Before.Pending = &state.Pending{}
			}
		}
		if w.Verdict != nil {
			if c.Verdict, err = w.Verdict.model(shared); err != nil {
				return nil, fmt.Errorf("change %d (%s): %v", i+1, w.Address, err)
			}
		}
		p.Changes[i] = c
	}
	return p, nil
}

// The plan file's JSON is one line that ends with its digest member and,
// with an audit key, its mac member: {...,"digest":"sha256:H"[,"mac":"M"]}.
// H is the SHA-256 of that line without them (the bytes before
// ,"digest": and the closing brace): anyone can recompute it, so it
// catches edits, not forgers; the mac, and approvals' signatures over the
// file, are what a forger cannot make.
const digestMember = `,"digest":"`

// seal encodes f and appends its digest and mac: the bytes Encode
// writes, made at once (for tests).
func (f *planFile) seal(key state.Key) ([]byte, string, error) {
	c := *f
	c.Digest, c.MAC = "", ""
	body, err := json.Marshal(&c)
	if err != nil {
		return nil, "", err
	}
	d := digestOf(body)
	line := make([]byte, 0, len(body)+200)
	line = append(line, body[:len(body)-1]...)
	line = appendSeal(line, d, key)
	return line, d, nil
}

// appendSeal appends the digest and mac members and the line's end.
func appendSeal(line []byte, digest string, key state.Key) []byte {
	line = append(line, digestMember...)
	line = append(line, digest...)
	line = append(line, '"')
	if key != nil {
		line = append(line, `,"mac":"`...)
		line = append(line, planMAC(key, digest)...)
		line = append(line, '"')
	}
	return append(line, "}\n"...)
}

func digestOf(body []byte) string {
	sum := sha256.Sum256(body)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// unseal splits a plan file's JSON into the body its digest covers, the
// digest and the mac ("" when absent).
func unseal(line []byte) (body []byte, digest, mac string, ok bool) {
	line = bytes.TrimRight(line, "\n")
	if !bytes.HasSuffix(line, []byte(`"}`)) {
		return nil, "", "", false
	}
	i := bytes.LastIndex(line, []byte(digestMember))
	if i < 0 {
		return nil, "", "", false
	}
	rest := string(line[i+len(digestMember) : len(line)-1]) // sha256:H"[,"mac":"M"]
	digest, after, found := strings.Cut(rest, `"`)
	if !found {
		return nil, "", "", false
	}
	if after != "" {
		m, okm := strings.CutPrefix(after, `,"mac":"`)
		if !okm || !strings.HasSuffix(m, `"`) {
			return nil, "", "", false
		}
		mac = strings.TrimSuffix(m, `"`)
	}
	body = append(bytes.Clone(line[:i]), '}')
	return body, digest, mac, true
}

// Encode returns the plan file's bytes: gzip-compressed JSON with its
// digest and, with key, its mac. It writes the JSON a change at a time,
// through the digest and the compressor, so that a plan of a million
// changes never has its JSON in memory.
func Encode(p *Plan, key state.Key) ([]byte, error) {
	b := bytes.NewBuffer(make([]byte, 0, 4<<10+48*len(p.Changes))) // a CSV batch takes 34 B a change
	d, err := encodeTo(b, p, key)
	if err != nil {
		return nil, err
	}
	p.Digest = d
	return b.Bytes(), nil
}

// planGzipLevel trades the plan file's size for the time to write it:
// BestSpeed writes a CSV batch's plan in two thirds of the default
// level's time, 3% larger (34 bytes a change; BenchmarkPlanFile).
const planGzipLevel = gzip.BestSpeed

// encodeTo writes the plan file of p to w and returns its digest. The
// bytes are those of seal: json.Marshal of the whole document.
func encodeTo(w io.Writer, p *Plan, key state.Key) (string, error) {
	zw, err := gzip.NewWriterLevel(w, planGzipLevel)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	out := bufio.NewWriterSize(io.MultiWriter(h, zw), 256<<10)
	head, tail := toHead(p), toTail(p)
	shared := sharedFindings(p)
	if head.Policy != nil {
		head.Policy.Shared = sharedList(shared)
	}
	hb, err := json.Marshal(&head)
	if err != nil {
		return "", err
	}
	out.Write(hb[:len(hb)-1])
	out.WriteString(`,"changes":[`)
	var cb []byte
	for i, c := range p.Changes {
		if i > 0 {
			out.WriteByte(',')
		}
		if cb, err = appendChange(cb[:0], c, shared); err != nil {
			return "", err
		}
		out.Write(cb)
	}
	out.WriteByte(']')
	tb, err := json.Marshal(&tail)
	if err != nil {
		return "", err
	}
	out.WriteByte(',')
	out.Write(tb[1 : len(tb)-1])
	// The digest covers the document without digest and mac, closing
	// brace included; the file has the digest members where it closes.
	if err := out.Flush(); err != nil {
		return "", err
	}
	h.Write([]byte{'}'})
	d := "sha256:" + hex.EncodeToString(h.Sum(nil))
	if _, err := zw.Write(appendSeal(nil, d, key)); err != nil {
		return "", err
	}
	return d, zw.Close()
}

// appendChange appends a change's JSON as json.Marshal writes its
// changeWire. A change with no record, object found or verdict (a batch's
// creates) is written member by member; any other through json.Marshal.
func appendChange(b []byte, c *Change, shared map[*policy.Finding]int) ([]byte, error) {
	if c.Before != nil || c.Found != nil || c.Verdict != nil {
		w := toChangeWire(c, shared)
		j, err := json.Marshal(&w)
		return append(b, j...), err
	}
	b = appendMember(b, `{"address":`, c.Address)
	b = appendMember(b, `,"action":`, string(c.Action))
	b = appendMember(b, `,"kind":`, string(c.Kind))
	b = appendMember(b, `,"provider":`, c.Provider)
	b = appendMember(b, `,"gateway":`, c.Gateway)
	b = appendMember(b, `,"key":`, c.Key)
	if !c.Amount.IsZero() {
		b = appendMember(b, `,"amount":`, c.Amount.String())
	}
	if c.Currency != "" {
		b = appendMember(b, `,"currency":`, c.Currency)
	}
	if len(c.Attrs) == 1 {
		for k, v := range c.Attrs {
			b = append(appendString(append(appendString(append(b, `,"attrs":{`...), k), ':'), v), '}')
		}
	} else if len(c.Attrs) > 1 {
		b = append(b, `,"attrs":{`...)
		keys := make([]string, 0, len(c.Attrs))
		for k := range c.Attrs {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendString(b, c.Attrs[k])
		}
		b = append(b, '}')
	}
	if c.From != "" {
		b = appendMember(b, `,"from":`, c.From)
	}
	if c.Note != "" {
		b = appendMember(b, `,"note":`, c.Note)
	}
	return append(b, '}'), nil
}

func appendMember(b []byte, name, s string) []byte {
	return appendString(append(b, name...), s)
}

// appendString appends s as a JSON string the way encoding/json does:
// plain printable ASCII as it is, anything it would escape (quotes,
// backslashes, control characters, <, > and &, non-ASCII) through
// json.Marshal.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			j, _ := json.Marshal(s)
			return append(b, j...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func planMAC(key state.Key, digest string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("payform-plan:" + digest))
	return hex.EncodeToString(m.Sum(nil))
}

// maxPlanFile bounds what ReadFile accepts, compressed and not.
const maxPlanFile = 1 << 30

// AlteredError says a plan file's content does not match its digest (or,
// with an audit key, its mac): it was edited after payform wrote it. Plan
// holds what the file says, so that apply can name the first difference
// from the plan the configuration gives.
type AlteredError struct {
	Path   string
	Reason string
	Plan   *Plan
}

func (e *AlteredError) Error() string {
	return fmt.Sprintf("%s was altered after payform wrote it: %s. Make a new plan with payform plan --out FILE, review it, and apply that", e.Path, e.Reason)
}

// ReadFile reads a plan file, refusing other formats with a clear error,
// and checking its digest and, with key, its mac (an *AlteredError).
func ReadFile(path string, key state.Key) (*Plan, error) {
	p, _, err := ReadFileBytes(path, key)
	return p, err
}

// ReadFileBytes is ReadFile, and returns the file's bytes as read: what
// approvals sign, so that the signatures checked are over the very bytes
// the plan was parsed from. On an *AlteredError the bytes are returned
// too; on any other error they are not the bytes of a plan.
func ReadFileBytes(path string, key state.Key) (*Plan, []byte, error) {
	raw, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read the plan file %s: %w", path, errors.Unwrap(err))
	}
	defer raw.Close()
	data, err := io.ReadAll(io.LimitReader(raw, maxPlanFile+1))
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read the plan file %s: %v", path, err)
	}
	if len(data) > maxPlanFile {
		return nil, nil, fmt.Errorf("%s is more than %d bytes: too large for a plan file", path, maxPlanFile)
	}
	p, err := Decode(data, path, key)
	return p, data, err
}

// Decode parses a plan file's bytes (path names it in messages), as
// ReadFile does.
func Decode(data []byte, path string, key state.Key) (*Plan, error) {
	notPlan := fmt.Errorf("%s is not a payform plan file (make one with `payform plan --out FILE`)", path)
	if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		var probe struct {
			FormatVersion *int   `json:"format_version"`
			PlanID        string `json:"plan_id"`
		}
		if json.Unmarshal(data, &probe) == nil && probe.FormatVersion != nil && probe.PlanID != "" {
			return nil, fmt.Errorf("%s has plan format %d; this payform reads format %d: make a new plan with this version", path, *probe.FormatVersion, FormatVersion)
		}
		return nil, notPlan
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, notPlan
	}
	line, err := io.ReadAll(io.LimitReader(zr, maxPlanFile+1))
	if err != nil || len(line) > maxPlanFile {
		return nil, notPlan
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	var f planFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: invalid plan file: %v", path, err)
	}
	if f.FormatVersion != FormatVersion || f.PlanID == "" {
		if f.FormatVersion != FormatVersion && f.FormatVersion != 0 {
			return nil, fmt.Errorf("%s has plan format %d; this payform reads format %d: make a new plan with this version", path, f.FormatVersion, FormatVersion)
		}
		return nil, notPlan
	}
	p, err := f.model()
	if err != nil {
		return nil, fmt.Errorf("%s: invalid plan file: %v", path, err)
	}
	body, digest, mac, ok := unseal(line)
	if ok {
		p.Digest = digestOf(body) // what the file holds, whatever it claims
	}
	switch {
	case !ok:
		return nil, &AlteredError{Path: path, Reason: "its digest is missing or not its last member", Plan: p}
	case digest != digestOf(body):
		return nil, &AlteredError{Path: path, Reason: "its content does not match its digest", Plan: p}
	case key != nil && mac == "":
		return nil, &AlteredError{Path: path, Reason: "it carries no mac, but PAYFORM_AUDIT_KEY is set (it was made without the key, or the mac was removed)", Plan: p}
	case key != nil && !hmac.Equal([]byte(mac), []byte(planMAC(key, digest))):
		return nil, &AlteredError{Path: path, Reason: "its mac does not match its digest under PAYFORM_AUDIT_KEY", Plan: p}
	}
	return p, nil
}

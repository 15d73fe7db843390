package state

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Op is what a journal entry records.
type Op string

const (
	// OpIntent: a create is about to be sent (durable before the call).
	OpIntent Op = "intent"
	// OpOutcome: what the create call produced.
	OpOutcome Op = "outcome"
	// OpAdopt: an existing gateway object was recorded without a call.
	OpAdopt Op = "adopt"
	// OpForget: a resource left management; its key stays reserved.
	OpForget Op = "forget"
	// OpRestore: a forgotten resource came back under management.
	OpRestore Op = "restore"
	// OpMove: a record moved to another address (state mv); From is the
	// old one.
	OpMove Op = "move"
	// OpResolve: an operator settled an in-doubt item.
	OpResolve Op = "resolve"
	// OpRefresh: a status read from the gateway.
	OpRefresh Op = "refresh"
	// OpApply: apply started a plan; the plan can never run again.
	OpApply Op = "apply"
	// OpCallback: a status a gateway's verified callback told, taken in
	// from the callback inbox (or, for an item in doubt, the settling
	// that callback proves); Callback names the inbox item.
	OpCallback Op = "callback"
)

// Entry is one journal line. Entries form a hash chain:
// Hash = hex(sha256(Prev ‖ canonical entry)), where the canonical entry is
// the line's JSON without its "hash" member, exactly as written.
type Entry struct {
	Seq     uint64    `json:"seq"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	PlanID  string    `json:"plan_id,omitempty"`
	Op      Op        `json:"op"`
	Address string    `json:"address,omitempty"`
	// From is the address a restored record was forgotten at, when it
	// differs from Address (a renamed pool).
	From     string `json:"from,omitempty"`
	Provider string `json:"provider,omitempty"`
	// Scope is the gateway realm of Key (see Resource.Scope), on entries
	// that make a record: intent and adopt.
	Scope         string `json:"scope,omitempty"`
	Key           string `json:"key,omitempty"`
	RequestDigest string `json:"request_digest,omitempty"`
	// Object is the declared object, on intent, adopt and resolve.
	Object *Declared `json:"object,omitempty"`
	Result *Result   `json:"result,omitempty"`
	// Callback names the callback a callback entry takes in; no other
	// entry has one.
	Callback *CallbackRef `json:"callback,omitempty"`
	// Approvals are the signers whose approvals of the plan counted, on
	// the apply entry of a plan the policies required them for.
	Approvals []Approval `json:"approvals,omitempty"`
	// MAC seals the entry with the audit key, when one is set:
	// hex(HMAC-SHA256(key, Prev ‖ the entry without mac and hash)). It is
	// part of what Hash covers, so a seal cannot be stripped without
	// breaking the chain.
	MAC  string `json:"mac,omitempty"`
	Prev string `json:"prev"`
	Hash string `json:"hash,omitempty"`
}

// Declared is what the configuration declared for a resource.
type Declared struct {
	Kind     string            `json:"kind"`
	Gateway  string            `json:"gateway"`
	Amount   string            `json:"amount,omitempty"`
	Currency string            `json:"currency,omitempty"`
	Attrs    map[string]string `json:"attrs,omitempty"`
}

// Approval is one signer who approved the plan an apply entry starts:
// the policy that asked for it, the signer's principal (from
// allowed_signers) and the SHA-256 fingerprint of the key that signed.
type Approval struct {
	Policy      string `json:"policy"`
	Principal   string `json:"principal"`
	Fingerprint string `json:"fingerprint"`
}

// Result is what a call, lookup or operator produced.
type Result struct {
	Outcome   Outcome           `json:"outcome,omitempty"`
	ID        string            `json:"id,omitempty"`
	Status    string            `json:"status,omitempty"`
	RawStatus string            `json:"raw_status,omitempty"`
	Remote    map[string]string `json:"remote,omitempty"`
	Error     string            `json:"error,omitempty"`
	Note      string            `json:"note,omitempty"`
}

// CallbackRef names one callback in the callback inbox: the item it was
// received as (its inbox sequence number and the SHA-256 of the request
// exactly as received, so an auditor can find and re-verify it), what it
// is at the gateway, and how it was verified.
type CallbackRef struct {
	Inbox  uint64 `json:"inbox"`
	Digest string `json:"digest"`
	// Type is the callback's type at the gateway ("withdrawal",
	// "invoice"); ID the gateway's id of what it reports.
	Type string `json:"type,omitempty"`
	ID   string `json:"id,omitempty"`
	// Via is how it was verified: "signature" (WllxPay, CoinPay24),
	// "verify" (Coinilla), "refetch" (MilaCoins), "prompt" (MiraclePay).
	Via        string    `json:"via"`
	ReceivedAt time.Time `json:"received_at"`
}

// GenesisHash is the Prev of a journal's first entry: the chain starts from
// the state's lineage, so a journal cannot be spliced onto another state.
func GenesisHash(lineage string) string {
	sum := sha256.Sum256([]byte("payform-journal:" + lineage))
	return hex.EncodeToString(sum[:])
}

// maxEntry bounds one journal line. Record refuses a larger entry before
// writing it, so that no entry can make the journal unreadable; loads
// treat a longer line as corruption.
const maxEntry = 4 << 20

// encode fills e.MAC (with key) and e.Hash, and returns the journal line,
// newline included.
func (e *Entry) encode(key Key) ([]byte, error) {
	e.Hash, e.MAC = "", ""
	if key != nil {
		body, err := json.Marshal(e)
		if err != nil {
			return nil, err
		}
		e.MAC = key.mac([]byte(e.Prev), body)
	}
	body, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	e.Hash = chainHash(e.Prev, body)
	line := make([]byte, 0, len(body)+80)
	line = append(line, body[:len(body)-1]...)
	line = append(line, `,"hash":"`...)
	line = append(line, e.Hash...)
	line = append(line, "\"}\n"...)
	if len(line) > maxEntry {
		return nil, &EntryTooLargeError{Size: len(line)}
	}
	return line, nil
}

// encodeVerbatim returns the line of an entry read from a journal, as it
// was written: its seal is kept as it is, and the line must hash to its
// Hash (an entry with content this payform does not know cannot be
// copied byte for byte).
func (e *Entry) encodeVerbatim() ([]byte, error) {
	want := e.Hash
	e.Hash = ""
	body, err := json.Marshal(e)
	e.Hash = want
	if err != nil {
		return nil, err
	}
	if chainHash(e.Prev, body) != want {
		return nil, fmt.Errorf("journal entry %d cannot be copied byte for byte: it has content this payform version does not know; use the payform version that wrote it", e.Seq)
	}
	line := make([]byte, 0, len(body)+80)
	line = append(line, body[:len(body)-1]...)
	line = append(line, `,"hash":"`...)
	line = append(line, want...)
	line = append(line, "\"}\n"...)
	return line, nil
}

// EncodeVerbatim returns the line of an entry read from another backend's
// journal, exactly as it was written there (seal included).
func EncodeVerbatim(e *Entry) ([]byte, error) { return e.encodeVerbatim() }

// EntryTooLargeError refuses an entry that would not fit in a journal
// line.
type EntryTooLargeError struct{ Size int }

func (e *EntryTooLargeError) Error() string {
	return fmt.Sprintf("the journal entry would be %d bytes, more than the %d a journal line may hold; nothing was written", e.Size, maxEntry)
}

func chainHash(prev string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// errBadHash marks an entry whose hash does not match its content.
var errBadHash = errors.New("hash does not match the entry's content")

// decodeLine parses one journal line (without its newline) and checks its
// own hash and, with key, its seal. It does not check the link to the
// previous entry.
func decodeLine(line []byte, key Key) (*Entry, error) {
	var e Entry
	if err := json.Unmarshal(line, &e); err != nil {
		return nil, fmt.Errorf("not a journal entry: %v", err)
	}
	suffix := []byte(`,"hash":"` + e.Hash + `"}`)
	if e.Hash == "" || !bytes.HasSuffix(line, suffix) {
		return nil, errors.New(`entry does not end with its "hash" member`)
	}
	body := make([]byte, 0, len(line))
	body = append(body, line[:len(line)-len(suffix)]...)
	body = append(body, '}')
	if chainHash(e.Prev, body) != e.Hash {
		return nil, errBadHash
	}
	if key != nil && e.MAC != "" && !checkSeal(key, e.Prev, body, e.MAC) {
		return nil, errBadSeal
	}
	return &e, nil
}

// errBadSeal marks an entry whose seal does not match.
var errBadSeal = errors.New("its seal (mac) does not match its content under PAYFORM_AUDIT_KEY: it was altered or forged, or the key is not the one it was sealed with")

// checkSeal checks a sealed entry's mac: the body without its mac member,
// keyed with prev.
func checkSeal(key Key, prev string, body []byte, mac string) bool {
	member := []byte(`,"mac":"` + mac + `"`)
	i := bytes.LastIndex(body, member)
	if i < 0 {
		return false
	}
	unsealed := make([]byte, 0, len(body))
	unsealed = append(unsealed, body[:i]...)
	unsealed = append(unsealed, body[i+len(member):]...)
	return hmac.Equal([]byte(key.mac([]byte(prev), unsealed)), []byte(mac))
}

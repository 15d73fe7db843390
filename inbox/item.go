package inbox

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Verdict is what the receiver made of a request.
type Verdict string

const (
	// Accepted: verified the vendor's way; the next command takes it in.
	Accepted Verdict = "accepted"
	// Rejected: not verified (a bad signature, an object the gateway
	// denies, a request for a gateway no provider block names). Kept
	// apart, never taken in.
	Rejected Verdict = "rejected"
	// Unconfirmed: it could not be checked when it came (the gateway did
	// not answer the read back); the gateway was told to send it again.
	// Kept apart, never taken in.
	Unconfirmed Verdict = "unconfirmed"
)

// Item is one request the inbox received.
type Item struct {
	// Seq numbers items in the order they were made durable, from 1.
	Seq        uint64    `json:"seq"`
	ReceivedAt time.Time `json:"received_at"`
	// Gateway is the mount the request arrived at: "wllxpay".
	Gateway string  `json:"gateway"`
	Verdict Verdict `json:"verdict"`
	// Reason says why an item was not accepted.
	Reason string `json:"reason,omitempty"`
	// Provider is the block whose credentials verified it, Account that
	// block's gateway account (schema.Provider.Account: no secret).
	Provider string `json:"provider,omitempty"`
	Account  string `json:"account,omitempty"`
	// Via is how it was verified: "signature", "verify", "refetch",
	// "prompt" (Verifier.Check says).
	Via      string    `json:"via,omitempty"`
	Callback *Callback `json:"callback,omitempty"`
	Request  Request   `json:"request"`
	// Digest is "sha256:" and the hex SHA-256 of the request as received
	// (RequestDigest): what a journal entry names it by.
	Digest string `json:"digest"`
}

// Callback is what an accepted item proves, as the provider verified it.
type Callback struct {
	Type   string            `json:"type,omitempty"`
	ID     string            `json:"id,omitempty"`
	Key    string            `json:"key,omitempty"`
	Status string            `json:"status,omitempty"`
	Fields map[string]string `json:"fields,omitempty"`
	// Object is the payout or invoice it reports; nil for a callback
	// about nothing payform makes (a deposit).
	Object *Object `json:"object,omitempty"`
}

// Object is the payout or invoice a callback proves, as the inbox keeps
// it (providers.Object's fields): amounts as decimal strings, exactly.
type Object struct {
	Kind      string            `json:"kind"`
	Key       string            `json:"key,omitempty"`
	ID        string            `json:"id,omitempty"`
	Status    string            `json:"status"`
	RawStatus string            `json:"raw_status,omitempty"`
	Amount    string            `json:"amount,omitempty"` // "" when the callback does not prove one
	Currency  string            `json:"currency,omitempty"`
	Address   string            `json:"address,omitempty"`
	Tag       string            `json:"tag,omitempty"`
	Fields    map[string]string `json:"fields,omitempty"`
}

// Request is a request as received. Headers are kept only where they
// carry evidence (the signature, the content type, who sent it), and a
// header that names a credential (WllxPay's X-Processing-Key, the
// merchant's API key) is kept as whether it was this block's, never its
// value.
type Request struct {
	Method   string      `json:"method"`
	Path     string      `json:"path"` // below the gateway's mount: "/" or "/complete/ID"
	RawQuery string      `json:"query,omitempty"`
	Header   http.Header `json:"header,omitempty"`
	Body     string      `json:"body,omitempty"`
	// Binary says Body is base64 (a body that is not UTF-8).
	Binary bool `json:"binary,omitempty"`
	// Truncated says Body was cut (only rejected items are cut).
	Truncated bool `json:"truncated,omitempty"`
}

// keptHeaders are the headers an item keeps.
var keptHeaders = []string{"Content-Type", "User-Agent", "X-Processing-Signature", "X-Forwarded-For", "X-Real-Ip"}

// credentialHeaders name a credential: kept as "(redacted)".
var credentialHeaders = []string{"X-Processing-Key", "Authorization"}

// NewRequest records r (its path below the mount) and body.
func NewRequest(method string, u *url.URL, header http.Header, body []byte) Request {
	rq := Request{Method: method, Path: u.Path, RawQuery: u.RawQuery, Header: http.Header{}}
	for _, h := range keptHeaders {
		if v := header.Values(h); len(v) > 0 {
			rq.Header[h] = append([]string(nil), v...)
		}
	}
	for _, h := range credentialHeaders {
		if header.Get(h) != "" {
			rq.Header[h] = []string{"(redacted)"}
		}
	}
	if len(rq.Header) == 0 {
		rq.Header = nil
	}
	rq.setBody(body)
	return rq
}

func (r *Request) setBody(body []byte) {
	if utf8.Valid(body) {
		r.Body, r.Binary = string(body), false
		return
	}
	r.Body, r.Binary = base64.StdEncoding.EncodeToString(body), true
}

// Truncate cuts the body to n bytes (for items kept apart), on a
// character boundary.
func (r *Request) Truncate(n int) {
	if len(r.Body) <= n {
		return
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(r.Body[cut]) {
		cut--
	}
	r.Body, r.Truncated = r.Body[:cut], true
}

// RequestDigest is "sha256:" + hex SHA-256 of METHOD, the request URI
// below the mount, and the raw body, each followed by a newline.
func RequestDigest(method string, u *url.URL, body []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", method, u.RequestURI())
	h.Write(body)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// DedupeKey is what makes two accepted items the same callback: the
// gateway, the account, and the callback's type, id and status (ids are
// unique per type only: a WllxPay deposit and withdrawal may share one).
// An item without an id has none: it is never a repeat. The key is the
// hex SHA-256 of those five, so that any text in them is harmless.
func (it *Item) DedupeKey() string {
	if it.Verdict != Accepted || it.Callback == nil || it.Callback.ID == "" {
		return ""
	}
	c := it.Callback
	status := c.Status
	if c.Object != nil && c.Object.RawStatus != "" {
		status = c.Object.RawStatus
	}
	sum := sha256.Sum256([]byte(strings.Join([]string{it.Gateway, it.Account, c.Type, c.ID, status}, "\x00")))
	return hex.EncodeToString(sum[:])
}

// Describe says in a few words what an item is: "wllxpay withdrawal 12
// error (foreign_id po-3)".
func (it *Item) Describe() string {
	if it.Callback == nil {
		return it.Gateway + " " + it.Request.Method + " " + it.Request.Path
	}
	c := it.Callback
	s := strings.TrimSpace(fmt.Sprintf("%s %s %s %s", it.Gateway, c.Type, c.ID, c.Status))
	if c.Key != "" {
		s += fmt.Sprintf(" (key %q)", c.Key)
	}
	return s
}

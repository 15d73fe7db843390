package providers

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"net/url"
	"sort"
	"strings"
	"time"
)

// minSecret is the shortest credential value scrubbed: shorter ones
// (a test's "k") would blank out ordinary words.
const minSecret = 4

// Scrubber removes credential values from text: every value as it is, and
// as it may be echoed back (URL-encoded, JSON-escaped, base64, and the
// base64 of "a:b" pairs that HTTP Basic authentication sends).
type Scrubber struct{ secrets []string }

// NewScrubber returns a scrubber for the credential values.
func NewScrubber(credentials map[string]string) *Scrubber {
	var vals []string
	for _, v := range credentials {
		if len(v) >= minSecret {
			vals = append(vals, v)
		}
	}
	sort.Strings(vals)
	set := map[string]bool{}
	add := func(s string) {
		if len(s) >= minSecret {
			set[s] = true
		}
	}
	for _, v := range vals {
		add(v)
		add(url.QueryEscape(v))
		add(url.PathEscape(v))
		if b, err := json.Marshal(v); err == nil {
			add(strings.Trim(string(b), `"`))
		}
		add(base64.StdEncoding.EncodeToString([]byte(v)))
		for _, w := range vals {
			add(base64.StdEncoding.EncodeToString([]byte(w + ":" + v)))
		}
	}
	s := &Scrubber{}
	for v := range set {
		s.secrets = append(s.secrets, v)
	}
	// Longest first, so that a value containing another goes whole.
	sort.Slice(s.secrets, func(i, j int) bool { return len(s.secrets[i]) > len(s.secrets[j]) })
	return s
}

// String returns text with every secret replaced by "[redacted]".
func (s *Scrubber) String(text string) string {
	if s == nil {
		return text
	}
	for _, v := range s.secrets {
		if strings.Contains(text, v) {
			text = strings.ReplaceAll(text, v, "[redacted]")
		}
	}
	return text
}

// Error returns err with every secret scrubbed from its text: an *Error
// keeps its class, status and fields, scrubbed; any other error becomes
// one of the same class (ClassOf) at gateway whose message is the
// scrubbed text. ErrNotFound, ErrUnsupported and ErrStopped pass as they
// are.
func (s *Scrubber) Error(gateway string, err error) error {
	if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnsupported) || errors.Is(err, ErrStopped) {
		return err
	}
	var e *Error
	if errors.As(err, &e) && error(e) == err {
		c := *e
		c.Message, c.Code = s.String(e.Message), s.String(e.Code)
		if len(e.Fields) > 0 {
			c.Fields = make(map[string]string, len(e.Fields))
			for k, v := range e.Fields {
				c.Fields[k] = s.String(v)
			}
		}
		if e.Err != nil {
			c.Err = errors.New(s.String(e.Err.Error()))
		}
		return &c
	}
	return &Error{Class: ClassOf(err), Gateway: gateway, Message: s.String(err.Error())}
}

// Object returns o with every secret scrubbed from what the gateway said.
func (s *Scrubber) Object(o Object) Object {
	o.ID, o.RawStatus, o.Address, o.Tag = s.String(o.ID), s.String(o.RawStatus), s.String(o.Address), s.String(o.Tag)
	if len(o.Fields) > 0 {
		o.Fields = maps.Clone(o.Fields)
		for k, v := range o.Fields {
			o.Fields[k] = s.String(v)
		}
	}
	return o
}

// scrubbed scrubs every answer of a provider: whatever a gateway echoes
// back (an error body that repeats the request, a URL) never carries a
// credential into the journal, the state, a plan or a message.
type scrubbed struct {
	Provider
	s *Scrubber
}

var _ Provider = (*scrubbed)(nil)

// WithScrub wraps p so that its errors and objects are scrubbed of the
// credential values.
func WithScrub(p Provider, credentials map[string]string) Provider {
	return &scrubbed{Provider: p, s: NewScrubber(credentials)}
}

func (w *scrubbed) Unwrap() Provider { return w.Provider }

func (w *scrubbed) Create(ctx context.Context, req Request) (Object, error) {
	o, err := w.Provider.Create(ctx, req)
	return w.s.Object(o), w.s.Error(w.Gateway(), err)
}

func (w *scrubbed) Lookup(ctx context.Context, q Query) (Object, error) {
	o, err := w.Provider.Lookup(ctx, q)
	return w.s.Object(o), w.s.Error(w.Gateway(), err)
}

func (w *scrubbed) Refresh(ctx context.Context, refs []Ref) ([]Object, error) {
	objs, err := w.Provider.Refresh(ctx, refs)
	for i := range objs {
		objs[i] = w.s.Object(objs[i])
	}
	return objs, w.s.Error(w.Gateway(), err)
}

func (w *scrubbed) List(ctx context.Context, kind Kind, since time.Time) ([]Object, error) {
	objs, err := w.Provider.List(ctx, kind, since)
	for i := range objs {
		objs[i] = w.s.Object(objs[i])
	}
	return objs, w.s.Error(w.Gateway(), err)
}

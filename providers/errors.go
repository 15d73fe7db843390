package providers

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Class is how the planner treats a failed call. Every provider classifies
// its own errors, so retry and recovery logic stay generic.
type Class int

const (
	// Rejected: the gateway refused the request and did not act on it
	// (validation, balance, authentication). Permanent; never retried.
	Rejected Class = iota + 1
	// Retryable: the request provably did not reach processing (no
	// connection was made, or the gateway said so: 429). Retried with
	// backoff.
	Retryable
	// Ambiguous: the request may have been processed (timeout, connection
	// cut once it was made, 5xx). Settled by the gateway's
	// in-doubt strategy, never by assuming absence.
	Ambiguous
	// Duplicate: the gateway says an object with this key already exists.
	Duplicate
)

func (c Class) String() string {
	switch c {
	case Rejected:
		return "rejected"
	case Retryable:
		return "retryable"
	case Ambiguous:
		return "ambiguous"
	case Duplicate:
		return "duplicate"
	}
	return "unclassified"
}

// Error is a classified gateway error. Message is the gateway's own words
// where it gave any; it never contains credentials.
type Error struct {
	Class   Class
	Gateway string
	Op      string // e.g. "withdrawal/make"
	Status  int    // HTTP status, 0 when no response arrived
	Code    string // gateway error code, e.g. "not_enough_balance"
	Message string
	// Fields holds per-field messages from validation errors.
	Fields map[string]string
	// RetryAfter is the wait the gateway asked for, if any.
	RetryAfter time.Duration
	// Auth says the gateway refused the credentials (a wrong key or
	// secret, a bad signature, a key not allowed from this address):
	// Rejected, and a matter for whoever holds the keys (IsAuth).
	Auth bool
	Err  error // underlying transport error, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Gateway)
	if e.Op != "" {
		b.WriteString(" ")
		b.WriteString(e.Op)
	}
	b.WriteString(": ")
	if e.Status != 0 {
		fmt.Fprintf(&b, "HTTP %d: ", e.Status)
	}
	msg := e.Message
	if msg == "" && len(e.Fields) > 0 {
		msg = e.FieldSummary()
	}
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	if msg == "" {
		msg = e.Class.String()
	}
	b.WriteString(msg)
	if e.Code != "" {
		fmt.Fprintf(&b, " (%s)", e.Code)
	}
	return b.String()
}

// FieldSummary renders Fields as "field: message; ..." in field order.
func (e *Error) FieldSummary() string {
	names := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = k + ": " + e.Fields[k]
	}
	return strings.Join(parts, "; ")
}

func (e *Error) Unwrap() error { return e.Err }

// ClassOf returns the class of err. An error that no provider classified
// is Ambiguous: payform never assumes an unexplained failure left nothing
// behind.
func ClassOf(err error) Class {
	var e *Error
	if errors.As(err, &e) && e.Class != 0 {
		return e.Class
	}
	return Ambiguous
}

var (
	// ErrNotFound is returned by Lookup when absence is proven.
	ErrNotFound = errors.New("not found")
	// ErrUnsupported is returned by Lookup or Refresh when the gateway
	// cannot do what was asked.
	ErrUnsupported = errors.New("not supported by this gateway")
)

// Package failpoint lets tests crash payform at the steps of a create that
// no sandbox fault can reach. A Set is parsed from a spec, which cmd/
// reads from PAYFORM_FAILPOINT (documented as test-only) and hands to the
// executor and the HTTP transports; a nil Set does nothing:
//
//	STEP[:N]
//
// kills the process with SIGKILL, as a crash or kill -9 would, the Nth
// time (default the first) the step is reached. Steps:
//
//	before-intent   a create is about to be journaled
//	after-intent    its intent is durable; no request sent yet
//	during-call     the request is on the wire; no answer read yet
//	after-call      the answer was read; its outcome not yet journaled
//	after-outcome   the outcome is written, not yet fsynced
package failpoint

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Steps lists the failpoints.
var Steps = []string{"before-intent", "after-intent", "during-call", "after-call", "after-outcome"}

// Set is one armed failpoint.
type Set struct {
	step  string
	nth   int64
	count atomic.Int64
	// Kill ends the process; tests of this package replace it.
	Kill func()
}

// Parse reads STEP[:N]; "" gives nil (no failpoint).
func Parse(spec string) (*Set, error) {
	if spec == "" {
		return nil, nil
	}
	name, n, hasN := strings.Cut(spec, ":")
	if !slices.Contains(Steps, name) {
		return nil, fmt.Errorf("failpoint %q: the steps are %s", name, strings.Join(Steps, ", "))
	}
	s := &Set{step: name, nth: 1, Kill: kill}
	if hasN {
		v, err := strconv.ParseInt(n, 10, 64)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("failpoint %q: N must be a positive number", spec)
		}
		s.nth = v
	}
	return s, nil
}

// Hit marks that step was reached; when it is the armed step, reached
// for the Nth time, the process dies at once. A nil Set does nothing.
func (s *Set) Hit(step string) {
	if s == nil || s.step != step {
		return
	}
	if s.count.Add(1) == s.nth {
		s.Kill()
	}
}

// Trace returns ctx traced so that "during-call" fires once the request
// is on the wire: over a *Conn after its flush (or at the first answer
// byte), in process (no such connection) once the request is handed over.
// The hooks run on the transport's goroutines. A nil Set returns ctx.
func (s *Set) Trace(ctx context.Context) context.Context {
	if s == nil || s.step != "during-call" {
		return ctx
	}
	var conn atomic.Pointer[Conn]
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(i httptrace.GotConnInfo) {
			if c, ok := i.Conn.(*Conn); ok {
				conn.Store(c)
			}
		},
		WroteRequest: func(httptrace.WroteRequestInfo) {
			if c := conn.Load(); c != nil {
				c.arm(s)
			} else {
				s.Hit("during-call")
			}
		},
		GotFirstResponseByte: func() {
			if c := conn.Load(); c != nil {
				c.fire()
			}
		},
	})
}

// Conn is a connection that can fire "during-call" once bytes are on the
// wire. net/http reports a request written (httptrace WroteRequest)
// before it flushes its buffer to the connection; a kill there would keep
// the request from ever leaving. Armed, the Conn fires after its next
// Write, the flush, so that "during-call" dies with the request at the
// gateway.
type Conn struct {
	net.Conn
	armed atomic.Pointer[Set]
}

func (c *Conn) arm(s *Set) { c.armed.Store(s) }

func (c *Conn) fire() {
	if s := c.armed.Swap(nil); s != nil {
		s.Hit("during-call")
	}
}

func (c *Conn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.fire()
	return n, err
}

// Transport returns an HTTP transport like http.DefaultTransport whose
// connections are *Conn; nil (the default transport) when s is nil.
func (s *Set) Transport() http.RoundTripper {
	if s == nil {
		return nil
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &Conn{Conn: c}, nil
	}
	return t
}

// Package failpoint lets tests crash payform at the steps of a create that
// no sandbox fault can reach. It is off unless PAYFORM_FAILPOINT is set,
// which the README documents as test-only:
//
//	PAYFORM_FAILPOINT=STEP[:N]
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
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// Steps lists the failpoints.
var Steps = []string{"before-intent", "after-intent", "during-call", "after-call", "after-outcome"}

var (
	step  string
	nth   int64 = 1
	count atomic.Int64
)

func init() {
	spec := os.Getenv("PAYFORM_FAILPOINT")
	if spec == "" {
		return
	}
	name, n, ok := strings.Cut(spec, ":")
	step = name
	if ok {
		if v, err := strconv.ParseInt(n, 10, 64); err == nil && v > 0 {
			nth = v
		}
	}
}

// Enabled reports whether any failpoint is armed.
func Enabled() bool { return step != "" }

// Hit marks that name was reached; when it is the armed step, reached for
// the Nth time, the process dies at once.
func Hit(name string) {
	if step != name {
		return
	}
	if count.Add(1) == nth {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is delivered; never return
	}
}

// Conn is a connection that can fire a step once bytes are on the wire.
// net/http reports a request written (httptrace WroteRequest) before it
// flushes its buffer to the connection; a kill there would keep the
// request from ever leaving. Armed, the Conn fires after its next Write,
// the flush, so that "during-call" dies with the request at the gateway.
type Conn struct {
	net.Conn
	armed atomic.Pointer[string]
}

// Arm makes the next Write fire step.
func (c *Conn) Arm(step string) { c.armed.Store(&step) }

// Fire fires an armed step now (e.g. the answer began to arrive, so the
// request was on the wire, without a Write after Arm).
func (c *Conn) Fire() {
	if s := c.armed.Swap(nil); s != nil {
		Hit(*s)
	}
}

func (c *Conn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.Fire()
	return n, err
}

// Transport returns an HTTP transport like http.DefaultTransport whose
// connections are *Conn.
func Transport() http.RoundTripper {
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

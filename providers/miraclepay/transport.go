package miraclepay

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/payform/payform/providers"
)

// sendTrace records how far a request got, so that a failure can be
// classified: nothing sent (Retryable) or maybe processed (Ambiguous).
type sendTrace struct {
	gotConn atomic.Bool // a connection was ready for the request
	wrote   atomic.Bool // the whole request left this process
}

func (t *sendTrace) attach(req *http.Request) *http.Request {
	ct := &httptrace.ClientTrace{
		GotConn:      func(httptrace.GotConnInfo) { t.gotConn.Store(true) },
		WroteRequest: func(i httptrace.WroteRequestInfo) { t.wrote.Store(i.Err == nil) },
	}
	return req.WithContext(httptrace.WithClientTrace(req.Context(), ct))
}

// sentNothing reports whether a failed round trip provably did not reach
// the gateway's processing: the request was not fully written on a real
// connection, or no connection was made (dial, DNS and TLS failures).
// Anything else — a transport that reports no progress (an in-process
// one), a timeout, a connection cut after the write — may have been
// processed.
func (t *sendTrace) sentNothing(err error) bool {
	if t.wrote.Load() {
		return false
	}
	if t.gotConn.Load() {
		return true
	}
	var (
		op    *net.OpError
		dns   *net.DNSError
		cert  *tls.CertificateVerificationError
		rec   tls.RecordHeaderError
		alert tls.AlertError
	)
	switch {
	case errors.As(err, &op) && op.Op == "dial",
		errors.As(err, &dns), errors.As(err, &cert), errors.As(err, &rec), errors.As(err, &alert):
		return true
	}
	return false
}

// transportMessage describes a transport failure without the request URL,
// which carries nothing secret here but is noise in a message.
func transportMessage(err error) string {
	var ne interface{ Timeout() bool }
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return "no answer before the timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// statusError classifies a non-2xx answer, whose body is NestJS's
// {"statusCode","message","error"} with message a string or an array of
// validation messages (joined by "; "):
//
//   - 400, 401 (the documented authentication messages), 403, 404 and
//     other 4xx: Rejected — nothing was created;
//   - 429 (undocumented, but plain HTTP): Retryable, honouring
//     Retry-After;
//   - 5xx: Ambiguous.
func statusError(op string, resp *http.Response, raw []byte) error {
	e := &providers.Error{Gateway: gatewayName, Op: op, Status: resp.StatusCode}
	var body errorBody
	if json.Unmarshal(raw, &body) == nil {
		e.Message = strings.Join(body.Message, "; ")
		if e.Message == "" {
			e.Message = body.Error
		}
	}
	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests:
		e.Class = providers.Retryable
		if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && ra >= 0 {
			e.RetryAfter = time.Duration(ra) * time.Second
		}
	case s >= 500:
		e.Class = providers.Ambiguous
	default:
		e.Class = providers.Rejected
	}
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	return e
}

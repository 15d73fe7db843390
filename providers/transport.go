package providers

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"
	"time"
)

// SendTrace tells a failed round trip that sent nothing from one that may
// have been processed. Every client attaches one to each request.
//
// The only proof that nothing reached the gateway is that the request
// never had a connection: dial, DNS, proxy and TLS failures all come
// before one (GotConn fires after the handshake). Once a connection is
// ready, no client-side signal is safe: net/http reports a request written
// before it flushes it, and HTTP/2 may have delivered the last frame
// before it says so. Such failures are Ambiguous, never Retryable.
type SendTrace struct {
	gotConn atomic.Bool // set on the transport's goroutine
}

// Attach returns req carrying the trace.
func (t *SendTrace) Attach(req *http.Request) *http.Request {
	ct := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { t.gotConn.Store(true) }}
	return req.WithContext(httptrace.WithClientTrace(req.Context(), ct))
}

// Failed classifies a round trip that returned err: Retryable when it
// never had a connection, else Ambiguous.
func (t *SendTrace) Failed(gateway, op string, err error) *Error {
	class := Ambiguous
	if !t.gotConn.Load() {
		class = Retryable
	}
	return &Error{Class: class, Gateway: gateway, Op: op, Message: TransportMessage(err), Err: err}
}

// TransportMessage describes a transport failure without the request URL,
// which is noise in a message (and, for some gateways, carries the key).
func TransportMessage(err error) string {
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

// ReadAnswer reads an answer of at most max bytes. A 2xx answer is
// decoded into out and done is true; the error is then nil, or Ambiguous
// when the answer does not decode (the call succeeded, but what it made
// cannot be told). A cut answer is Ambiguous too. Any other status comes
// back as raw bytes (done false) for the gateway's own classification.
func ReadAnswer(gateway, op string, resp *http.Response, max int64, out any) (raw []byte, done bool, err error) {
	raw, err = io.ReadAll(io.LimitReader(resp.Body, max))
	if err != nil {
		return nil, true, &Error{Class: Ambiguous, Gateway: gateway, Op: op, Status: resp.StatusCode, Message: "reading response: " + TransportMessage(err), Err: err}
	}
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		// Never followed (NoRedirects): it would carry the credentials or
		// the signature elsewhere. What answered may have processed the
		// request, so it settles nothing.
		return raw, true, &Error{Class: Ambiguous, Gateway: gateway, Op: op, Status: resp.StatusCode,
			Message: "the gateway answered with a redirect to " + resp.Header.Get("Location") + ", which payform does not follow (it would send the credentials there); check the endpoint"}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return raw, false, nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return raw, true, &Error{Class: Ambiguous, Gateway: gateway, Op: op, Status: resp.StatusCode, Message: "undecodable success response: " + err.Error()}
	}
	return raw, true, nil
}

// NoRedirects returns a copy of hc (a new client when nil) that never
// follows a redirect: a redirected request would carry the API key or the
// signature to wherever the answer points, and a redirected POST may turn
// into a GET. The redirect comes back as the answer (ReadAnswer refuses
// it).
func NoRedirects(hc *http.Client) *http.Client {
	c := &http.Client{Timeout: 30 * time.Second}
	if hc != nil {
		copied := *hc
		c = &copied
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

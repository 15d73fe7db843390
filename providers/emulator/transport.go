package emulator

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strconv"
)

// ErrConnectionClosed is what a Transport round trip returns when the
// handler aborted (a fault cut the connection): the request may or may not
// have been processed, exactly as with a real connection closed mid-call.
var ErrConnectionClosed = fmt.Errorf("emulator: server closed the connection without a response: %w", io.EOF)

// Transport returns a RoundTripper that serves requests in-process by
// calling h, for clients that talk to an embedded emulator without a port.
// A round trip reads the request body fully before h sees it, gives h its
// own copy of the request and the response its own copy of h's headers and
// body, and returns ctx.Err() as soon as the request's context is done
// (h goes on, as a real server would with a late request).
func Transport(h http.Handler) http.RoundTripper {
	return transport{h: h}
}

type transport struct{ h http.Handler }

func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The request is handed over now, as a real transport writes it on a
	// connection: tell the client's trace, so that it classifies what
	// happens next (a timeout, a cut) as "may have been processed".
	if trace := httptrace.ContextClientTrace(ctx); trace != nil {
		if trace.GotConn != nil {
			trace.GotConn(httptrace.GotConnInfo{})
		}
		if trace.WroteHeaders != nil {
			trace.WroteHeaders()
		}
		if trace.WroteRequest != nil {
			trace.WroteRequest(httptrace.WroteRequestInfo{})
		}
	}
	// The handler's context ends when the client gives up, as a server's
	// does when the connection goes.
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	sreq := serverRequest(req, body).WithContext(hctx)
	rec := &recorder{header: http.Header{}}
	done := make(chan error, 1)
	go func() {
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					done <- ErrConnectionClosed
					return
				}
				done <- fmt.Errorf("emulator: handler panic: %v", p)
			}
		}()
		t.h.ServeHTTP(rec, sreq)
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			return nil, err
		}
		return rec.response(req), nil
	case <-ctx.Done():
		cancel()
		return nil, ctx.Err()
	}
}

// serverRequest builds the request a server would hand its handler.
func serverRequest(req *http.Request, body []byte) *http.Request {
	u := *req.URL
	if req.URL.User != nil {
		user := *req.URL.User
		u.User = &user
	}
	host := req.Host
	if host == "" {
		host = u.Host
	}
	// A server sees canonical header names, whatever the client wrote.
	header := make(http.Header, len(req.Header))
	for k, vs := range req.Header {
		ck := http.CanonicalHeaderKey(k)
		header[ck] = append(header[ck], vs...)
	}
	r := &http.Request{
		Method:        req.Method,
		URL:           &u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          http.NoBody,
		ContentLength: int64(len(body)),
		Host:          host,
		RemoteAddr:    "127.0.0.1:0",
		RequestURI:    u.RequestURI(),
	}
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	if len(body) > 0 {
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	return r
}

// recorder is the handler's ResponseWriter. Headers are snapshotted when
// the status is written, as on a wire.
type recorder struct {
	header http.Header
	sent   http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status != 0 || (code >= 100 && code < 200) {
		return
	}
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	r.status = code
	r.sent = r.header.Clone()
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	return r.body.Write(p)
}

func (r *recorder) Flush() {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
}

func (r *recorder) response(req *http.Request) *http.Response {
	r.Flush()
	body := bytes.Clone(r.body.Bytes())
	if req.Method == http.MethodHead {
		body = nil
	}
	header := r.sent
	if header.Get("Content-Type") == "" && len(body) > 0 {
		header.Set("Content-Type", http.DetectContentType(body))
	}
	header.Set("Content-Length", strconv.Itoa(len(body)))
	return &http.Response{
		Status:        strconv.Itoa(r.status) + " " + http.StatusText(r.status),
		StatusCode:    r.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

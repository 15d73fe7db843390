package gateways_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/gateways"
	"github.com/payform/payform/providers/providertest"
)

// The page tests (page_*_test.go) check the emulators against their
// vendor's page, quoted in each test, over real HTTP: the server
// `payform sandbox serve` runs (gateways.NewSandboxServer), listening on
// 127.0.0.1:0.

// t0 is when every page test's clock starts.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// sandbox is one running `payform sandbox serve`.
type sandbox struct {
	t     *testing.T
	base  string // http://127.0.0.1:PORT
	clock *providertest.Clock
	hc    *http.Client
}

// serve starts the sandbox server with opts (its clock at t0 unless
// opts.Clock is set) and stops it when the test ends.
func serve(t *testing.T, opts gateways.SandboxOptions) *sandbox {
	t.Helper()
	clock := providertest.NewClock(t0)
	if opts.Clock == nil {
		opts.Clock = clock.Now
	}
	srv, closer, err := gateways.NewSandboxServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
		closer.Close()
	})
	return &sandbox{t: t, base: "http://" + ln.Addr().String(), clock: clock, hc: &http.Client{Timeout: 10 * time.Second}}
}

// do sends one request to path (from the server's root) and returns the
// status and body.
func (s *sandbox) do(method, path, contentType, body string, header http.Header) (int, string) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSuffix(string(b), "\n")
}

// admin calls the admin API and fails the test on a status outside 2xx.
func (s *sandbox) admin(method, path, body string) string {
	s.t.Helper()
	status, got := s.do(method, path, "application/json", body, nil)
	if status < 200 || status > 299 {
		s.t.Fatalf("%s %s %s: %d %s", method, path, body, status, got)
	}
	return got
}

// form posts form fields to path.
func (s *sandbox) form(path string, fields url.Values) (int, string) {
	s.t.Helper()
	return s.do(http.MethodPost, path, "application/x-www-form-urlencoded", fields.Encode(), nil)
}

// object decodes a JSON object's members, keeping their raw values.
func object(t *testing.T, body string) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, body)
	}
	return m
}

// members returns an object's member names, sorted.
func members(m map[string]json.RawMessage) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// receiver is a merchant's endpoint on loopback: it records what it gets
// and answers 200.
type receiver struct {
	URL string

	mu  sync.Mutex
	got []received
}

type received struct {
	Method, Path, RawQuery, ContentType string
	Body                                string
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type"), string(b)})
		rc.mu.Unlock()
	}), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	rc.URL = "http://" + ln.Addr().String()
	return rc
}

// wait returns what the receiver got once it has n requests (or after 5
// s, what it has).
func (rc *receiver) wait(n int) []received {
	deadline := time.Now().Add(5 * time.Second)
	for {
		rc.mu.Lock()
		got := append([]received(nil), rc.got...)
		rc.mu.Unlock()
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// quiet waits a little and returns everything received.
func (rc *receiver) quiet() []received {
	time.Sleep(150 * time.Millisecond)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

var errNoDeliveries = errors.New("no deliveries")

// deliveries reads an emulator's callback deliveries from the admin API
// path (e.g. /_sandbox/coinpay24/callbacks), waiting until there are n.
func (s *sandbox) deliveries(path string, n int) ([]emulator.Delivery, error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		var body struct {
			Deliveries []emulator.Delivery `json:"deliveries"`
		}
		if err := json.Unmarshal([]byte(s.admin(http.MethodGet, path, "")), &body); err != nil {
			return nil, err
		}
		if len(body.Deliveries) >= n {
			return body.Deliveries, nil
		}
		if time.Now().After(deadline) {
			return body.Deliveries, errNoDeliveries
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// sign512 is WllxPay's X-Processing-Signature: hex HMAC-SHA512 of the
// body.
func sign512(secret, body string) string {
	m := hmac.New(sha512.New, []byte(secret))
	m.Write([]byte(body))
	return hex.EncodeToString(m.Sum(nil))
}

package providertest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/payform/payform/providers"
)

// Answer is an HTTP server that answers every request with the status
// and body it was last given: for fuzzing a client with arbitrary
// gateway answers.
type Answer struct {
	URL string

	mu     sync.Mutex
	status int
	body   []byte
}

// NewAnswer starts an Answer server, closed when tb ends.
func NewAnswer(tb testing.TB) *Answer {
	a := &Answer{status: http.StatusOK}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		a.mu.Lock()
		status, body := a.status, a.body
		a.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	a.URL = srv.URL
	return a
}

// Set makes every later request get status and body.
func (a *Answer) Set(status int, body []byte) {
	a.mu.Lock()
	a.status, a.body = status, body
	a.mu.Unlock()
}

// FuzzStatus maps any int onto an HTTP status from 200 to 599.
func FuzzStatus(n int) int {
	if n < 0 {
		n = -(n + 1)
	}
	return 200 + n%400
}

// CheckAnswer checks what every client call must make of an answer: a
// non-2xx or a 2xx body that is not JSON is an error, and a 5xx or a 2xx
// body that is not JSON is Ambiguous (the call may have been processed).
// retryable5xx allows a 5xx the gateway documents as "not processed" to
// be Retryable instead.
func CheckAnswer(t testing.TB, status int, body []byte, err error, retryable5xx bool) {
	t.Helper()
	is2xx := status < 300
	class := providers.ClassOf(err)
	switch {
	case !is2xx && err == nil:
		t.Fatalf("answer %d %q: no error", status, body)
	case is2xx && !json.Valid(body) && err == nil:
		t.Fatalf("answer %d %q (not JSON): no error", status, body)
	case status >= 500 && class != providers.Ambiguous && !(retryable5xx && class == providers.Retryable):
		t.Fatalf("answer %d %q: class %s, want ambiguous (the call may have been processed): %v", status, body, class, err)
	case is2xx && !json.Valid(body) && class != providers.Ambiguous:
		t.Fatalf("answer %d %q (not JSON): class %s, want ambiguous: %v", status, body, class, err)
	}
}

// Call sends one request with body to url and returns the status and the
// body without its final newline; a failed round trip fails the test.
func Call(t testing.TB, c *http.Client, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSuffix(string(b), "\n")
}

// Expect checks an answer's status and exact body.
func Expect(t testing.TB, what string, gotStatus int, gotBody string, wantStatus int, wantBody string) {
	t.Helper()
	if diff := cmp.Diff(wantBody, gotBody); diff != "" || gotStatus != wantStatus {
		t.Errorf("%s: status %d, want %d; body (-want +got):\n%s", what, gotStatus, wantStatus, diff)
	}
}

package emulator

import (
	"io"
	"net/http"
	"sync"
	"testing"
)

// fake is a tiny Emulator: it counts the requests it processed, answers
// 201 {"path":...,"uri":...,"body":...} and serves an admin echo.
type fake struct {
	name string

	mu        sync.Mutex
	processed int
	ledger    []LedgerObject
}

func (f *fake) Gateway() string { return f.name }

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.processed++
	f.mu.Unlock()
	WriteJSON(w, http.StatusCreated, map[string]string{"path": r.URL.Path, "uri": r.RequestURI, "body": string(body)})
}

func (f *fake) Processed() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.processed
}

func (f *fake) Ledger() []LedgerObject {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]LedgerObject(nil), f.ledger...)
}

func (f *fake) Admin() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]string{"admin": r.URL.Path})
	})
}

// limitedFake is a fake with its own 429 body.
type limitedFake struct{ *fake }

func (l limitedFake) RateLimitBody() (string, []byte) {
	return "application/json", []byte(`{"errors":{"rate_limit":"slow down"}}`)
}

func mustFaults(t *testing.T, spec string) Faults {
	t.Helper()
	f, err := ParseFaults(spec)
	if err != nil {
		t.Fatalf("ParseFaults(%q): %v", spec, err)
	}
	return f
}

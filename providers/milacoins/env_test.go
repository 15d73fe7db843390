package milacoins_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/milacoins"
	"github.com/payform/payform/providers/milacoins/sandbox"
	"github.com/payform/payform/providers/providertest"
)

// t0 is when every test's clock starts.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// seen is one request as it reached the sandbox server.
type seen struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   string
}

// env is the MilaCoins emulator behind `payform sandbox serve`'s server,
// on a real port, with a tap that records every request and can fail
// chosen ones with a 500 before they reach the emulator.
type env struct {
	em     *sandbox.Emulator
	clock  *providertest.Clock
	faults *emulator.FaultInjector
	url    string // the endpoint: server URL + /milacoins

	mu   sync.Mutex
	seen []seen
	fail func(r *http.Request) bool
}

func newEnv(t *testing.T, opts sandbox.Options) *env {
	t.Helper()
	e := &env{clock: providertest.NewClock(t0), faults: emulator.NewFaultInjector(emulator.Faults{})}
	opts.Clock = e.clock.Now
	em, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(em.Close)
	e.em = em
	srv := emulator.NewServer(emulator.ServerOptions{Emulators: []emulator.Emulator{em}, Faults: e.faults})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		e.mu.Lock()
		e.seen = append(e.seen, seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), string(body)})
		fail := e.fail != nil && e.fail(r)
		e.mu.Unlock()
		if fail {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	e.url = hs.URL + milacoins.Gateway.SandboxPath
	return e
}

// client returns a client of e with the sandbox credentials and e's
// clock; edit changes its options.
func (e *env) client(t *testing.T, edit func(*milacoins.Options)) *milacoins.Client {
	t.Helper()
	o := milacoins.Options{Endpoint: e.url, APIKey: sandbox.DefaultAPIKey, Secret: sandbox.DefaultSecret,
		HTTPClient: &http.Client{Timeout: 5 * time.Second}, Clock: e.clock.Now}
	if edit != nil {
		edit(&o)
	}
	c, err := milacoins.NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// requests returns the requests seen so far and forgets them.
func (e *env) requests() []seen {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.seen
	e.seen = nil
	return out
}

func (e *env) failWhen(f func(r *http.Request) bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.fail = f
}

func invoice(key, amount string, fields map[string]string) providers.Request {
	return providers.Request{Kind: providers.Invoice, Key: key, Amount: decimal.RequireFromString(amount), Currency: "USD", Fields: fields}
}

// stub serves body with 200 to every request and returns its URL.
func stub(t *testing.T, body string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }))
	t.Cleanup(srv.Close)
	return srv.URL
}

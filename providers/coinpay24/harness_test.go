package coinpay24_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/coinpay24"
	"github.com/payform/payform/providers/coinpay24/sandbox"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/providertest"
)

// t0 is when the emulators' clocks start.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// env is the CoinPay24 emulator over real HTTP behind a fault injector,
// mounted as `payform sandbox serve` mounts it; wrap, when set, sees
// every request first.
type env struct {
	emu      *sandbox.Emulator
	faults   *emulator.FaultInjector
	clock    *providertest.Clock
	endpoint string
	wrap     func(w http.ResponseWriter, r *http.Request) bool // true: answered
	mu       sync.Mutex
}

func newEnv(t *testing.T, opts sandbox.Options) *env {
	t.Helper()
	e := &env{clock: providertest.NewClock(t0)}
	if opts.Clock == nil {
		opts.Clock = e.clock.Now
	}
	emu, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emu.Close)
	e.emu = emu
	e.faults = emulator.NewFaultInjector(emulator.Faults{})
	srv := emulator.NewServer(emulator.ServerOptions{Emulators: []emulator.Emulator{emu}, Faults: e.faults})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		wrap := e.wrap
		e.mu.Unlock()
		if wrap != nil && wrap(w, r) {
			return
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	e.endpoint = hs.URL + coinpay24.Gateway.SandboxPath
	return e
}

func (e *env) setWrap(f func(w http.ResponseWriter, r *http.Request) bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.wrap = f
}

func client(t *testing.T, endpoint, key string) providers.Provider {
	t.Helper()
	p, err := coinpay24.Gateway.New(providers.Settings{
		Name: "coinpay24", Endpoint: endpoint, Credentials: map[string]string{"api_key": key},
		HTTPClient: &http.Client{Timeout: 5 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func invoice(key, amount, currency string, fields ...string) providers.Request {
	req := providers.Request{Kind: providers.Invoice, Key: key, Amount: decimal.RequireFromString(amount), Currency: currency, Fields: map[string]string{}}
	for i := 0; i+1 < len(fields); i += 2 {
		req.Fields[fields[i]] = fields[i+1]
	}
	return req
}

var (
	ignoreErr    = cmpopts.IgnoreFields(providers.Error{}, "Err")
	decimalEqual = cmp.Comparer(decimal.Decimal.Equal)
)

// lists records the list requests an env receives, and can fail chosen
// pages.
type lists struct {
	mu    sync.Mutex
	forms []url.Values
	fail  map[string]int // page → status to answer instead
}

func (e *env) watchLists() *lists {
	l := &lists{fail: map[string]int{}}
	e.setWrap(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/coinpay24/v1/invoices" {
			return false
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		l.mu.Lock()
		defer l.mu.Unlock()
		l.forms = append(l.forms, form)
		if status := l.fail[form.Get("page")]; status != 0 {
			w.WriteHeader(status)
			return true
		}
		return false
	})
	return l
}

func (l *lists) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.forms)
}

func (l *lists) reset(fail map[string]int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.forms, l.fail = nil, fail
}

var noLimits = sandbox.Options{
	RequestLimit: sandbox.Limit{N: -1}, HourlyRequestLimit: sandbox.Limit{N: -1}, InvoiceLimit: sandbox.Limit{N: -1},
}

// fill creates n invoices with keys prefix-0 ... prefix-(n-1).
func fill(t *testing.T, p providers.Provider, prefix string, n int) []providers.Object {
	t.Helper()
	out := make([]providers.Object, n)
	for i := range n {
		obj, err := p.Create(context.Background(), invoice(fmt.Sprintf("%s-%d", prefix, i), "1", "USD"))
		if err != nil {
			t.Fatal(err)
		}
		out[i] = obj
	}
	return out
}

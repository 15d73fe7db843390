// Package providertest is the conformance suite every provider passes:
// its client, talking over real HTTP to its emulator, must create, refuse
// or accept a repeated key as its gateway documents, look up by key only
// where it can and report absence only when it is proven, refresh without
// inventing disappearances, and classify bad credentials, validation
// errors and ambiguous failures. A gateway joins with a few lines (see
// providers/wllxpay/conformance_test.go). Answer and CheckAnswer serve the
// clients' fuzz targets: any status and body, and what a client must make
// of them. Clock and Counter are the tests' deterministic time and
// entropy.
package providertest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
)

// Harness describes one gateway to the suite.
type Harness struct {
	Gateway providers.Gateway
	// NewEmulator returns a fresh, empty emulator with the sandbox
	// credentials.
	NewEmulator func(t *testing.T) emulator.Emulator
	// Request returns a valid create request of kind with merchant key.
	Request func(kind providers.Kind, key string) providers.Request
	// Invalid returns a request of kind the gateway refuses as invalid.
	Invalid func(kind providers.Kind) providers.Request
	// Options are the provider block's gateway options.
	Options map[string]string
}

// env is one emulator behind a fault injector on a real HTTP server.
type env struct {
	h      Harness
	emu    emulator.Emulator
	faults *emulator.FaultInjector
	url    string
}

func newEnv(t *testing.T, h Harness) *env {
	t.Helper()
	emu := h.NewEmulator(t)
	faults := emulator.NewFaultInjector(emulator.Faults{})
	srv := httptest.NewServer(emulator.NewServer(emulator.ServerOptions{Emulators: []emulator.Emulator{emu}, Faults: faults}))
	t.Cleanup(srv.Close)
	return &env{h: h, emu: emu, faults: faults, url: srv.URL + h.Gateway.SandboxPath}
}

// provider builds a client; creds override the sandbox credentials.
func (e *env) provider(t *testing.T, creds map[string]string) providers.Provider {
	t.Helper()
	c := map[string]string{}
	for _, cr := range e.h.Gateway.Credentials {
		c[cr.Attr] = cr.Sandbox
	}
	for k, v := range creds {
		c[k] = v
	}
	p, err := e.h.Gateway.New(providers.Settings{
		Name: e.h.Gateway.Name, Endpoint: e.url, Credentials: c,
		HTTPClient: &http.Client{Timeout: 5 * time.Second}, Options: e.h.Options,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// ledgerKey is how the ledger names a request's key: deposit addresses
// are FOREIGN_ID/CURRENCY.
func ledgerKey(req providers.Request) string {
	if req.Kind == providers.DepositAddress {
		return req.Key + "/" + req.Currency
	}
	return req.Key
}

func (e *env) count(req providers.Request) int {
	n := 0
	for _, o := range e.emu.Ledger() {
		if o.Key == ledgerKey(req) {
			n++
		}
	}
	return n
}

// Run runs the suite for every kind the gateway supports, then the
// read-only check (`payform init`).
func Run(t *testing.T, h Harness) {
	for _, ks := range h.Gateway.Kinds {
		t.Run(string(ks.Kind), func(t *testing.T) { runKind(t, h, ks) })
	}
	t.Run("check", func(t *testing.T) { runCheck(t, h) })
}

// runCheck: the provider is a Checker whose check proves the sandbox
// credentials, refuses each wrong one as an authentication failure,
// tells an endpoint nobody answers at, and creates nothing anywhere.
func runCheck(t *testing.T, h Harness) {
	ctx := context.Background()
	e := newEnv(t, h)
	c, ok := e.provider(t, nil).(providers.Checker)
	if !ok {
		t.Fatalf("%s's provider is not a providers.Checker", h.Gateway.Name)
	}
	res, err := c.Check(ctx)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if res.Call == "" || res.Answer == "" {
		t.Errorf("Check = %+v: want the call made and what it answered", res)
	}
	if res.Unproven != "" {
		t.Errorf("Check proved nothing about the credentials: %s", res.Unproven)
	}
	for _, cr := range h.Gateway.Credentials {
		_, err := e.provider(t, map[string]string{cr.Attr: "wrong-" + cr.Attr}).(providers.Checker).Check(ctx)
		if !providers.IsAuth(err) || providers.ClassOf(err) != providers.Rejected {
			t.Errorf("wrong %s: Check = %v, want a Rejected authentication failure", cr.Attr, err)
		}
	}
	if n := len(e.emu.Ledger()); n != 0 {
		t.Errorf("after the checks the gateway holds %d objects, want none", n)
	}

	// Nobody listens at a closed server's address.
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	e.url = srv.URL + h.Gateway.SandboxPath
	_, err = e.provider(t, nil).(providers.Checker).Check(ctx)
	var perr *providers.Error
	if !errors.As(err, &perr) || perr.Class != providers.Retryable || perr.Status != 0 || providers.IsAuth(err) {
		t.Errorf("unreachable endpoint: Check = %v, want a Retryable failure without an answer", err)
	}
}

func runKind(t *testing.T, h Harness, ks providers.KindSupport) {
	ctx := context.Background()
	kind := ks.Kind

	t.Run("create", func(t *testing.T) {
		e := newEnv(t, h)
		req := h.Request(kind, "conf-create")
		obj, err := e.provider(t, nil).Create(ctx, req)
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		if obj.Kind != kind || obj.Key != req.Key || obj.ID == "" || obj.Status == "" {
			t.Errorf("created object %+v: want kind %s, key %q, an id and a status", obj, kind, req.Key)
		}
		if req.Amount.IsPositive() && !obj.Amount.IsZero() && !obj.Amount.Equal(req.Amount) {
			t.Errorf("created amount %s, want %s", obj.Amount, req.Amount)
		}
		if n := e.count(req); n != 1 {
			t.Errorf("ledger has %d objects with key %q, want 1", n, ledgerKey(req))
		}
	})

	t.Run("duplicate key", func(t *testing.T) {
		e := newEnv(t, h)
		p := e.provider(t, nil)
		req := h.Request(kind, "conf-dup")
		if _, err := p.Create(ctx, req); err != nil {
			t.Fatal(err)
		}
		_, err := p.Create(ctx, req)
		switch ks.InDoubt {
		case providers.Resend:
			// The gateway refuses a repeated key: that is what makes a
			// resend safe.
			if c := providers.ClassOf(err); err == nil || c != providers.Duplicate {
				t.Errorf("second Create = %v (%v), want a Duplicate error", err, c)
			}
			if n := e.count(req); n != 1 {
				t.Errorf("ledger has %d objects, want 1", n)
			}
		default:
			// The gateway takes repeated keys; payform must never rely on
			// it refusing them.
			if err != nil && providers.ClassOf(err) != providers.Duplicate {
				t.Errorf("second Create = %v", err)
			}
		}
	})

	t.Run("lookup", func(t *testing.T) {
		e := newEnv(t, h)
		p := e.provider(t, nil)
		req := h.Request(kind, "conf-lookup")
		created, err := p.Create(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		found, err := p.Lookup(ctx, providers.Query{Kind: kind, Key: req.Key})
		if ks.InDoubt == providers.LookupByKey {
			if err != nil || found.ID != created.ID || found.Key != req.Key {
				t.Errorf("Lookup = %+v, %v; want id %s", found, err, created.ID)
			}
			if _, err := p.Lookup(ctx, providers.Query{Kind: kind, Key: "conf-never-sent"}); !errors.Is(err, providers.ErrNotFound) {
				t.Errorf("Lookup(unknown key) = %v, want ErrNotFound", err)
			}
			// A failed lookup is never "not found".
			e.faults.Set(emulator.Faults{Status500: 1})
			_, err := p.Lookup(ctx, providers.Query{Kind: kind, Key: "conf-never-sent"})
			e.faults.Set(emulator.Faults{})
			if err == nil || errors.Is(err, providers.ErrNotFound) {
				t.Errorf("Lookup during a 500 = %v, want an error that is not ErrNotFound", err)
			}
			return
		}
		if err != nil && !errors.Is(err, providers.ErrUnsupported) {
			t.Errorf("Lookup = %v, want a result or ErrUnsupported", err)
		}
		if err == nil && found.Key != req.Key {
			t.Errorf("Lookup = %+v", found)
		}
	})

	t.Run("refresh", func(t *testing.T) {
		e := newEnv(t, h)
		p := e.provider(t, nil)
		req := h.Request(kind, "conf-refresh")
		created, err := p.Create(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		refs := []providers.Ref{{Kind: kind, Key: req.Key, ID: created.ID}, {Kind: kind, Key: "conf-missing", ID: "does-not-exist"}}
		objs, err := p.Refresh(ctx, refs)
		if errors.Is(err, providers.ErrUnsupported) {
			return
		}
		if err != nil {
			t.Fatalf("Refresh: %v", err)
		}
		var sawCreated bool
		for _, o := range objs {
			if o.Key == "conf-missing" {
				t.Errorf("Refresh reported an object it cannot have read: %+v", o)
			}
			if o.Key == req.Key && o.Status != "" {
				sawCreated = true
			}
		}
		if !sawCreated && kind != providers.DepositAddress {
			t.Errorf("Refresh = %+v, want the created object with a status", objs)
		}
	})

	t.Run("bad credentials", func(t *testing.T) {
		e := newEnv(t, h)
		for _, cr := range h.Gateway.Credentials {
			req := h.Request(kind, "conf-auth-"+cr.Attr)
			_, err := e.provider(t, map[string]string{cr.Attr: "wrong-" + cr.Attr}).Create(ctx, req)
			if c := providers.ClassOf(err); err == nil || c != providers.Rejected || !providers.IsAuth(err) {
				t.Errorf("wrong %s: Create = %v (%v), want Rejected as an authentication failure", cr.Attr, err, c)
			}
			if n := e.count(req); n != 0 {
				t.Errorf("wrong %s: the gateway made %d objects", cr.Attr, n)
			}
		}
	})

	t.Run("validation error", func(t *testing.T) {
		if h.Invalid == nil {
			t.Skip("the gateway accepts every well-formed request")
		}
		e := newEnv(t, h)
		req := h.Invalid(kind)
		_, err := e.provider(t, nil).Create(ctx, req)
		var perr *providers.Error
		if !errors.As(err, &perr) || perr.Class != providers.Rejected {
			t.Fatalf("Create(invalid) = %v, want Rejected", err)
		}
		if perr.Message == "" && len(perr.Fields) == 0 {
			t.Errorf("the rejection carries no message from the gateway: %+v", perr)
		}
		if n := e.count(req); n != 0 {
			t.Errorf("the gateway made %d objects for an invalid request", n)
		}
	})

	t.Run("ambiguous failure", func(t *testing.T) {
		e := newEnv(t, h)
		p := e.provider(t, nil)
		for _, tc := range []struct {
			faults    emulator.Faults
			class     providers.Class
			committed int
		}{
			{emulator.Faults{DropAfterCommit: 1}, providers.Ambiguous, 1},
			{emulator.Faults{FailBeforeCommit: 1}, providers.Ambiguous, 0},
			{emulator.Faults{Status500: 1}, providers.Ambiguous, 0},
			{emulator.Faults{Status429: 1}, providers.Retryable, 0},
		} {
			req := h.Request(kind, "conf-fault-"+tc.faults.String())
			e.faults.Set(tc.faults)
			_, err := p.Create(ctx, req)
			e.faults.Set(emulator.Faults{})
			if c := providers.ClassOf(err); err == nil || c != tc.class {
				t.Errorf("%s: Create = %v (%v), want %v", tc.faults, err, c, tc.class)
			}
			if n := e.count(req); n != tc.committed {
				t.Errorf("%s: ledger has %d objects, want %d", tc.faults, n, tc.committed)
			}
		}
	})
}

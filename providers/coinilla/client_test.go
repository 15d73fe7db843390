package coinilla_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/coinilla"
	"github.com/payform/payform/providers/coinilla/sandbox"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/providertest"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// gateway serves the Coinilla emulator over real HTTP behind a fault
// injector, mounted as `payform sandbox serve` mounts it.
func gateway(t *testing.T, opts sandbox.Options) (*sandbox.Emulator, *emulator.FaultInjector, *providertest.Clock, string) {
	t.Helper()
	clock := providertest.NewClock(t0)
	opts.Clock = clock.Now
	emu, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	faults := emulator.NewFaultInjector(emulator.Faults{})
	hs := httptest.NewServer(emulator.NewServer(emulator.ServerOptions{Emulators: []emulator.Emulator{emu}, Faults: faults}))
	t.Cleanup(hs.Close)
	return emu, faults, clock, hs.URL + coinilla.Gateway.SandboxPath
}

func provider(t *testing.T, endpoint, key string) providers.Provider {
	t.Helper()
	p, err := coinilla.Gateway.New(providers.Settings{
		Name: "coinilla", Endpoint: endpoint, Credentials: map[string]string{"api_key": key},
		HTTPClient: &http.Client{Timeout: 2 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func invoice(key, amount, currency string) providers.Request {
	return providers.Request{Kind: providers.Invoice, Key: key, Amount: decimal.RequireFromString(amount), Currency: currency,
		Fields: map[string]string{providers.FieldDescription: "Order " + key}}
}

var ignoreErr = cmpopts.IgnoreFields(providers.Error{}, "Err")

func TestCreateErrors(t *testing.T) {
	_, faults, _, endpoint := gateway(t, sandbox.Options{})
	good := provider(t, endpoint, sandbox.DefaultAPIKey)
	if _, err := good.Create(context.Background(), invoice("taken", "10", "USD")); err != nil {
		t.Fatal(err)
	}
	long := invoice("b", "10", "USD")
	long.Fields[providers.FieldDescription] = strings.Repeat("x", 256)
	tests := []struct {
		name   string
		p      providers.Provider
		req    providers.Request
		faults string
		want   *providers.Error
	}{
		{"wrong key", provider(t, endpoint, "nope"), invoice("a", "10", "USD"), "",
			&providers.Error{Class: providers.Rejected, Gateway: "coinilla", Op: "pay", Status: 200, Message: "invalid apikey", Auth: true}},
		{"validation", good, long, "",
			&providers.Error{Class: providers.Rejected, Gateway: "coinilla", Op: "pay", Status: 200, Message: "desc is longer than 255 characters"}},
		{"precision", good, invoice("c", "1.5", "JPY"), "",
			&providers.Error{Class: providers.Rejected, Gateway: "coinilla", Op: "pay", Status: 200, Message: "amount has more than 0 decimal places for JPY"}},
		{"duplicate refnum", good, invoice("taken", "10", "USD"), "",
			&providers.Error{Class: providers.Duplicate, Gateway: "coinilla", Op: "pay", Status: 200, Message: "duplicate refnum"}},
		{"429", good, invoice("d", "10", "USD"), "status-429=1",
			&providers.Error{Class: providers.Retryable, Gateway: "coinilla", Op: "pay", Status: 429, Message: "too many requests", RetryAfter: time.Second}},
		{"500", good, invoice("e", "10", "USD"), "status-500=1",
			&providers.Error{Class: providers.Ambiguous, Gateway: "coinilla", Op: "pay", Status: 500, Message: "Internal Server Error"}},
		{"cut after commit", good, invoice("f", "10", "USD"), "drop-after-commit=1",
			&providers.Error{Class: providers.Ambiguous, Gateway: "coinilla", Op: "pay", Message: "EOF"}},
		{"cut before commit", good, invoice("g", "10", "USD"), "fail-before-commit=1",
			&providers.Error{Class: providers.Ambiguous, Gateway: "coinilla", Op: "pay", Message: "EOF"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := emulator.ParseFaults(tc.faults)
			faults.Set(f)
			defer faults.Set(emulator.Faults{})
			_, err := tc.p.Create(context.Background(), tc.req)
			var got *providers.Error
			if !errors.As(err, &got) {
				t.Fatalf("Create = %v, want a *providers.Error", err)
			}
			if diff := cmp.Diff(tc.want, got, ignoreErr); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDuplicateTextsTolerated: the vendor documents no text for a taken
// refnum, so the client reads it by meaning.
func TestDuplicateTextsTolerated(t *testing.T) {
	for _, msg := range []string{"Duplicate refnum", "refnum already exists", "This refnum is already used"} {
		_, _, _, endpoint := gateway(t, sandbox.Options{DuplicateMessage: msg})
		p := provider(t, endpoint, sandbox.DefaultAPIKey)
		p.Create(context.Background(), invoice("k", "1", "EUR"))
		_, err := p.Create(context.Background(), invoice("k", "1", "EUR"))
		if c := providers.ClassOf(err); c != providers.Duplicate {
			t.Errorf("%q: class %v (%v), want duplicate", msg, c, err)
		}
	}
}

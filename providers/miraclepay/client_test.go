package miraclepay_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/miraclepay"
	"github.com/payform/payform/providers/miraclepay/sandbox"
	"github.com/payform/payform/providers/providertest"
)

var t0 = time.Date(2025, 1, 28, 14, 30, 0, 0, time.UTC)

// gateway serves the MiraclePay emulator over real HTTP behind a fault
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
	return emu, faults, clock, hs.URL + miraclepay.Gateway.SandboxPath
}

func provider(t *testing.T, endpoint, clientID, key string) providers.Provider {
	t.Helper()
	p, err := miraclepay.Gateway.New(providers.Settings{
		Name: "miraclepay", Endpoint: endpoint, Credentials: map[string]string{"client_id": clientID, "api_key": key},
		HTTPClient: &http.Client{Timeout: 2 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func prompt(key, amount string, fields ...string) providers.Request {
	r := providers.Request{Kind: providers.Invoice, Key: key, Amount: decimal.RequireFromString(amount), Currency: "USD",
		Fields: map[string]string{providers.FieldBlockchains: "eth"}}
	for i := 0; i+1 < len(fields); i += 2 {
		r.Fields[fields[i]] = fields[i+1]
	}
	return r
}

var ignoreErr = cmpopts.IgnoreFields(providers.Error{}, "Err")

func TestCreateErrors(t *testing.T) {
	_, faults, _, endpoint := gateway(t, sandbox.Options{})
	good := provider(t, endpoint, sandbox.DefaultClientID, sandbox.DefaultAPIKey)
	rejected := func(status int, msg string) *providers.Error {
		return &providers.Error{Class: providers.Rejected, Gateway: "miraclepay", Op: "create prompt", Status: status, Message: msg,
			Auth: status == 401}
	}
	tests := []struct {
		name   string
		p      providers.Provider
		req    providers.Request
		faults string
		want   *providers.Error
	}{
		{"wrong client id", provider(t, endpoint, "nope", sandbox.DefaultAPIKey), prompt("a", "10"), "", rejected(401, "Invalid client ID")},
		{"wrong key", provider(t, endpoint, sandbox.DefaultClientID, "mpay_nope"), prompt("a", "10"), "", rejected(401, "Invalid API key")},
		{"validation", good, prompt("a", "10.001"), "",
			rejected(400, "amount must be a number conforming to the specified constraints")},
		{"inactive chain", good, prompt("a", "10", providers.FieldBlockchains, "eth, doge"), "", rejected(400, "Invalid or inactive blockchain IDs: doge")},
		{"missing addresses", good, prompt("a", "10", providers.FieldBlockchains, "eth,eth-test"), "", rejected(400, "Missing payment addresses for some blockchains")},
		{"domain", good, prompt("a", "10", providers.FieldSuccessURL, "https://evil.example.net/"), "", rejected(400, "Redirect URL domain not allowed")},
		{"not USD", good, providers.Request{Kind: providers.Invoice, Key: "a", Amount: decimal.NewFromInt(1), Currency: "EUR"}, "",
			&providers.Error{Class: providers.Rejected, Gateway: "miraclepay", Op: "create prompt", Message: "MiraclePay prompts are in USD, not EUR"}},
		{"no blockchains", good, prompt("a", "10", providers.FieldBlockchains, " , "), "",
			&providers.Error{Class: providers.Rejected, Gateway: "miraclepay", Op: "create prompt", Message: `blockchains is required: the blockchain ids the customer may pay on, e.g. "eth,btc"`,
				Fields: map[string]string{"blockchains": `blockchains is required: the blockchain ids the customer may pay on, e.g. "eth,btc"`}}},
		{"payer", good, prompt("a", "10", providers.FieldPayer, "nobody"), "",
			&providers.Error{Class: providers.Rejected, Gateway: "miraclepay", Op: "create prompt", Message: `payer "nobody" must be "merchant" or "customer" (who pays MiraclePay's commission)`,
				Fields: map[string]string{"payer": `payer "nobody" must be "merchant" or "customer" (who pays MiraclePay's commission)`}}},
		{"429", good, prompt("a", "10"), "status-429=1",
			&providers.Error{Class: providers.Retryable, Gateway: "miraclepay", Op: "create prompt", Status: 429, Message: "Too Many Requests", RetryAfter: time.Second}},
		{"500", good, prompt("a", "10"), "status-500=1",
			&providers.Error{Class: providers.Ambiguous, Gateway: "miraclepay", Op: "create prompt", Status: 500, Message: "Internal Server Error"}},
		{"cut after commit", good, prompt("a", "10"), "drop-after-commit=1",
			&providers.Error{Class: providers.Ambiguous, Gateway: "miraclepay", Op: "create prompt", Message: "EOF"}},
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

// TestValidationArray: MiraclePay answers several validation messages as
// an array; the client joins them. (The provider refuses a bad payer
// before sending, so the client is called directly.)
func TestValidationArray(t *testing.T) {
	_, _, _, endpoint := gateway(t, sandbox.Options{})
	c := miraclepay.NewClient(endpoint, sandbox.DefaultClientID, sandbox.DefaultAPIKey, nil)
	_, err := c.CreatePrompt(context.Background(), miraclepay.PromptRequest{
		Amount: decimal.RequireFromString("10.001"), BlockchainIDs: []string{"eth"}, Payer: "shop", Note: "a"})
	var got *providers.Error
	if !errors.As(err, &got) {
		t.Fatalf("CreatePrompt = %v, want a *providers.Error", err)
	}
	want := &providers.Error{Class: providers.Rejected, Gateway: "miraclepay", Op: "create prompt", Status: 400,
		Message: "amount must be a number conforming to the specified constraints; payer must be one of the following values: merchant, customer"}
	if diff := cmp.Diff(want, got, ignoreErr); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
}

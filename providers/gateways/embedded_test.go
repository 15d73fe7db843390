package gateways

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
)

// sample returns a valid create request for a gateway.
func sample(t *testing.T, g providers.Gateway, key string) providers.Request {
	t.Helper()
	switch g.Name {
	case "wllxpay":
		addr, _ := money.GenerateAddress("BTC", []byte(key))
		return providers.Request{Kind: providers.Payout, Key: key, Amount: decimal.RequireFromString("0.01"), Currency: "BTC", Address: addr}
	case "milacoins":
		return providers.Request{Kind: providers.Invoice, Key: key, Amount: decimal.RequireFromString("10"), Currency: "EUR", Fields: map[string]string{}}
	case "miraclepay":
		return providers.Request{Kind: providers.Invoice, Key: key, Amount: decimal.RequireFromString("10"), Currency: "USD", Fields: map[string]string{providers.FieldBlockchains: "btc"}}
	}
	return providers.Request{Kind: providers.Invoice, Key: key, Amount: decimal.RequireFromString("10"), Currency: "USD", Fields: map[string]string{}}
}

// TestEmbeddedTimeoutIsAmbiguous: with the emulator inside the process, a
// create whose answer comes after the client's timeout, but which the
// gateway still processes, must be Ambiguous for every gateway. Were it
// Retryable, the retry would make a second object at gateways that accept
// repeated keys (or have none).
func TestEmbeddedTimeoutIsAmbiguous(t *testing.T) {
	for _, e := range catalog {
		t.Run(e.gateway.Name, func(t *testing.T) {
			emu, err := e.newEmulator(emuOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer emulatorCloser{emu}.Close()
			slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				time.Sleep(150 * time.Millisecond) // the client gave up; the gateway goes on
				emu.ServeHTTP(w, r)
			})
			creds := map[string]string{}
			for _, c := range e.gateway.Credentials {
				creds[c.Attr] = c.Sandbox
			}
			p, err := e.gateway.New(providers.Settings{
				Name: e.gateway.Name, Endpoint: "http://sandbox" + e.gateway.SandboxPath, Credentials: creds,
				HTTPClient: &http.Client{Timeout: 40 * time.Millisecond, Transport: emulator.Transport(http.StripPrefix("/"+e.gateway.Name, slow))},
			})
			if err != nil {
				t.Fatal(err)
			}
			req := sample(t, e.gateway, "late-1")
			_, err = providers.WithRetry(p, 3, providers.Backoff{Base: time.Millisecond}).Create(context.Background(), req)
			if c := providers.ClassOf(err); err == nil || c != providers.Ambiguous {
				t.Fatalf("Create = %v (%v), want Ambiguous", err, c)
			}
			time.Sleep(300 * time.Millisecond)
			n := 0
			for _, o := range emu.Ledger() {
				if o.Key == req.Key || o.Key == req.Key+"/"+req.Currency {
					n++
				}
			}
			if n != 1 {
				t.Errorf("the gateway holds %d objects for the key, want exactly 1 (no retry)", n)
			}
		})
	}
}

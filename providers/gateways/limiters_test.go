package gateways

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/coinpay24"
	cp24sandbox "github.com/payform/payform/providers/coinpay24/sandbox"
)

func openT(t *testing.T, spec Spec) providers.Provider {
	t.Helper()
	p, closer, err := Open(spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closer.Close() })
	return p
}

// TestOneLimiterPerAccount: blocks with one account id share a limiter,
// other accounts have their own, a block that asks one account for other
// limits is refused, and the limiter goes once nothing holds it.
func TestOneLimiterPerAccount(t *testing.T) {
	spec := func(name, account string, scale float64) Spec {
		return Spec{Gateway: coinpay24.Gateway, Name: name, Endpoint: "http://127.0.0.1:1/v1",
			Credentials: map[string]string{"api_key": "k"}, Account: account, LimitScale: scale}
	}
	main := openT(t, spec("coinpay24", "acct-1", 1))
	alias := openT(t, spec("coinpay24.main", "acct-1", 1))
	other := openT(t, spec("coinpay24.eu", "acct-2", 1))
	if providers.LimiterOf(main) == nil || providers.LimiterOf(main) != providers.LimiterOf(alias) {
		t.Error("two blocks of one account have separate limiters")
	}
	if providers.LimiterOf(main) == providers.LimiterOf(other) {
		t.Error("two accounts share a limiter")
	}
	_, _, err := Open(spec("coinpay24.fast", "acct-1", 60))
	if err == nil || !strings.Contains(err.Error(), "coinpay24.fast is the same CoinPay24 account as coinpay24, coinpay24.main") {
		t.Errorf("a second set of limits for one account: err = %v", err)
	}

	p, closer, err := Open(spec("coinpay24.x", "acct-3", 1))
	if err != nil {
		t.Fatal(err)
	}
	first := providers.LimiterOf(p)
	closer.Close()
	p2 := openT(t, spec("coinpay24.x", "acct-3", 1))
	if providers.LimiterOf(p2) == first {
		t.Error("a limiter outlived every provider that held it")
	}
	if got := providers.LimiterOf(p2).Describe(coinpay24.Gateway.Limits[2]); got != "CoinPay24: 1,000 invoices/h" {
		t.Errorf("Describe = %q", got)
	}
}

// TestAliasesStayUnderTheLimit: two aliases of one CoinPay24 account,
// eight workers each creating invoices as fast as they can against the
// emulator with the documented limits scaled by 60 (200 a second, 1,000
// invoices a minute), together get no 429 from the emulator: one
// account's limits, once. With a limiter each they would send 400 a
// second.
func TestAliasesStayUnderTheLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for 2.5 s")
	}
	emu, err := cp24sandbox.New(cp24sandbox.Options{
		RequestLimit:       cp24sandbox.Limit{N: 200, Per: time.Second},
		HourlyRequestLimit: cp24sandbox.Limit{N: 1000, Per: time.Minute},
		InvoiceLimit:       cp24sandbox.Limit{N: 1000, Per: time.Minute},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	srv := httptest.NewServer(http.StripPrefix("/coinpay24", emu))
	defer srv.Close()
	var provs []providers.Provider
	for _, name := range []string{"coinpay24", "coinpay24.main"} {
		provs = append(provs, openT(t, Spec{Gateway: coinpay24.Gateway, Name: name, Endpoint: srv.URL + "/coinpay24/v1",
			Credentials: map[string]string{"api_key": cp24sandbox.DefaultAPIKey}, Account: "one-account", LimitScale: 60, Timeout: 5 * time.Second}))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	var made, failed atomic.Int64
	for w := range 16 {
		p := provs[w%2]
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				_, err := p.Create(ctx, sample(t, coinpay24.Gateway, fmt.Sprintf("w%d-%d", w, i)))
				switch {
				case err == nil:
					made.Add(1)
				case ctx.Err() == nil:
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := emu.Refused(); n != 0 || failed.Load() != 0 {
		t.Errorf("the emulator answered 429 %d times (%d creates failed); two aliases must share one account's limits", n, failed.Load())
	}
	// 200 a second from 0, 1.01 and 2.02 s: 600 in 2.5 s at most.
	if n := made.Load(); n > 600 {
		t.Errorf("%d invoices in 2.5 s; the account allows 600", n)
	}
	t.Logf("two aliases: %d invoices in 2.5 s (the account allows 600), %d answers of 429", made.Load(), emu.Refused())
}

// TestOpenTimeoutIsAmbiguous: the block's timeout, applied by the
// limiter's transport once the request has left, still makes a create
// answered too late Ambiguous for every gateway, never Retryable (which
// would send it again).
func TestOpenTimeoutIsAmbiguous(t *testing.T) {
	for _, e := range catalog {
		t.Run(e.gateway.Name, func(t *testing.T) {
			emu, err := e.newEmulator(emuOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer emulatorCloser{emu}.Close()
			srv := httptest.NewServer(http.StripPrefix("/"+e.gateway.Name, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				time.Sleep(150 * time.Millisecond) // the client gave up; the gateway goes on
				emu.ServeHTTP(w, r)
			})))
			defer srv.Close()
			creds := map[string]string{}
			for _, c := range e.gateway.Credentials {
				creds[c.Attr] = c.Sandbox
			}
			p := openT(t, Spec{Gateway: e.gateway, Name: e.gateway.Name, Endpoint: srv.URL + e.gateway.SandboxPath,
				Credentials: creds, Timeout: 40 * time.Millisecond})
			req := sample(t, e.gateway, "late-1")
			if _, err := p.Create(context.Background(), req); providers.ClassOf(err) != providers.Ambiguous {
				t.Fatalf("Create = %v (%v), want Ambiguous", err, providers.ClassOf(err))
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

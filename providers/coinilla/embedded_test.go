package coinilla_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/coinilla"
	"github.com/payform/payform/providers/coinilla/sandbox"
	"github.com/payform/payform/providers/emulator"
)

// slow delays every request, for timeouts.
type slow struct {
	http.Handler
	d time.Duration
}

func (s slow) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	time.Sleep(s.d)
	s.Handler.ServeHTTP(w, r)
}

// TestEmbedded runs the client against the emulator in-process, as
// sandbox = true does (providers/gateways.Open): no port, no trace of the
// request's progress, so a timeout must count as Ambiguous.
func TestEmbedded(t *testing.T) {
	emu, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	settings := func(timeout time.Duration, h http.Handler) providers.Settings {
		return providers.Settings{Name: "coinilla", Endpoint: "http://sandbox" + coinilla.Gateway.SandboxPath,
			Credentials: map[string]string{"api_key": coinilla.Gateway.Credentials[0].Sandbox},
			HTTPClient:  &http.Client{Timeout: timeout, Transport: emulator.Transport(http.StripPrefix("/coinilla", h))}}
	}
	p, err := coinilla.Gateway.New(settings(time.Second, emu))
	if err != nil {
		t.Fatal(err)
	}
	req := providers.Request{Kind: providers.Invoice, Key: "emb-1", Amount: decimal.RequireFromString("1.25"), Currency: "EUR"}
	obj, err := p.Create(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := p.Refresh(context.Background(), []providers.Ref{{Kind: providers.Invoice, Key: "emb-1", ID: obj.ID}})
	if err != nil || len(objs) != 1 || objs[0].Status != providers.StatusPending {
		t.Errorf("Refresh = %+v, %v", objs, err)
	}
	if _, err := p.Create(context.Background(), req); providers.ClassOf(err) != providers.Duplicate {
		t.Errorf("second Create = %v, want Duplicate", err)
	}

	late, _ := coinilla.Gateway.New(settings(20*time.Millisecond, slow{emu, 100 * time.Millisecond}))
	_, err = late.Create(context.Background(), providers.Request{Kind: providers.Invoice, Key: "emb-2", Amount: decimal.NewFromInt(1), Currency: "EUR"})
	if c := providers.ClassOf(err); c != providers.Ambiguous {
		t.Errorf("timed-out Create = %v (%v), want Ambiguous: the emulator goes on", err, c)
	}
}

package miraclepay_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/miraclepay"
	"github.com/payform/payform/providers/miraclepay/sandbox"
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
// sandbox = true does (providers/gateways.Open). A timeout there must be
// Ambiguous: a Retryable one would be sent again and make a second prompt.
func TestEmbedded(t *testing.T) {
	emu, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	settings := func(timeout time.Duration, h http.Handler) providers.Settings {
		creds := map[string]string{}
		for _, c := range miraclepay.Gateway.Credentials {
			creds[c.Attr] = c.Sandbox
		}
		return providers.Settings{Name: "miraclepay", Endpoint: "http://sandbox" + miraclepay.Gateway.SandboxPath, Credentials: creds,
			HTTPClient: &http.Client{Timeout: timeout, Transport: emulator.Transport(http.StripPrefix("/miraclepay", h))}}
	}
	p, _ := miraclepay.Gateway.New(settings(time.Second, emu))
	obj, err := p.Create(context.Background(), prompt("emb-1", "9.99"))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := p.Refresh(context.Background(), []providers.Ref{{Kind: providers.Invoice, Key: "emb-1", ID: obj.ID}})
	if err != nil || len(objs) != 1 || objs[0].RawStatus != "pending" {
		t.Errorf("Refresh = %+v, %v", objs, err)
	}

	late, _ := miraclepay.Gateway.New(settings(20*time.Millisecond, slow{emu, 100 * time.Millisecond}))
	_, err = late.Create(context.Background(), prompt("emb-2", "1"))
	if c := providers.ClassOf(err); c != providers.Ambiguous {
		t.Errorf("timed-out Create = %v (%v), want Ambiguous: the emulator goes on", err, c)
	}
	// The handler goes on and makes the prompt.
	for deadline := time.Now().Add(5 * time.Second); len(emu.Prompts()) < 2 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(emu.Prompts()); n != 2 {
		t.Errorf("%d prompts, want 2 (the timed-out one was made)", n)
	}
}

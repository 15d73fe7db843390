package milacoins_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/milacoins"
	"github.com/payform/payform/providers/milacoins/sandbox"
)

// TestInvoiceOrPaymentLink: URLs make a payment link, callbackUrl's
// placeholders travel untouched, and the amount is the exact decimal.
func TestInvoiceOrPaymentLink(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	ctx := context.Background()
	plain, err := e.client(t, func(o *milacoins.Options) { o.Wallet = "USDT" }).Create(ctx, invoice("plain", "12.50", nil))
	if err != nil {
		t.Fatal(err)
	}
	const cb = "https://shop.example/cb?e={EVENT}&id={INVOICE_ID}&k={EXTERNAL_ID}"
	link, err := e.client(t, nil).Create(ctx, invoice("link", "123456789012345678.91", map[string]string{
		providers.FieldSuccessURL: "https://shop.example/ok/{INVOICE_ID}", providers.FieldCancelURL: "https://shop.example/no",
		providers.FieldCallbackURL: cb, providers.FieldCustomerEmail: "ann@example.com", providers.FieldWallet: "EUR",
		providers.FieldExpiresAt: "2026-03-01T18:00:00Z",
	}))
	if err != nil {
		t.Fatal(err)
	}
	reqs := e.requests()
	want := []seen{
		{Method: "POST", Path: "/milacoins/api/v1/invoices", Body: `{"wallet":"USDT","amount":12.5,"currency":"USD","externalID":"plain"}`},
		{Method: "POST", Path: "/milacoins/api/v1/invoices/payment-link", Body: `{"wallet":"EUR","amount":123456789012345678.91,"currency":"USD","externalID":"link",` +
			`"expiredAt":"2026-03-01T18:00:00Z","cancelUrl":"https://shop.example/no","completedUrl":"https://shop.example/ok/{INVOICE_ID}","callbackUrl":"` + cb + `","customerEmail":"ann@example.com"}`},
	}
	if diff := cmp.Diff(want, reqs, cmpopts.IgnoreFields(seen{}, "Header")); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if h := reqs[0].Header; h.Get("Content-Type") != "application/json" || h.Get("X-api-key") != sandbox.DefaultAPIKey || h.Get("X-time") != "1772366400" {
		t.Errorf("headers %v", h)
	}
	wantPlain := providers.Object{Kind: providers.Invoice, Key: "plain", ID: plain.ID, Status: providers.StatusPending, RawStatus: "new",
		Amount: plain.Amount, Currency: "USD", Fields: map[string]string{
			providers.ResultPaymentURL: sandbox.PaymentURL + plain.ID, providers.ResultExpiresAt: "2026-03-01T13:00:00Z"}}
	if diff := cmp.Diff(wantPlain, plain); diff != "" || plain.Amount.String() != "12.5" {
		t.Errorf("plain invoice (-want +got):\n%s", diff)
	}
	if link.RawStatus != "init" || link.Fields[providers.ResultExpiresAt] != "2026-03-01T18:00:00Z" || link.Amount.String() != "123456789012345678.91" {
		t.Errorf("payment link %+v", link)
	}
	for id, typ := range map[string]string{plain.ID: "invoice", link.ID: "paymentLink"} {
		if inv, err := e.client(t, nil).Get(ctx, id); err != nil || inv.Type != typ {
			t.Errorf("Get(%s) = %+v, %v; want type %s", id, inv, err, typ)
		}
	}
	if !strings.HasPrefix(reqs[1].Body, `{"wallet":"EUR"`) {
		t.Errorf("the invoice's wallet field did not win over the provider's")
	}
}

func TestGatewayNew(t *testing.T) {
	e := newEnv(t, sandbox.Options{Wallets: []string{"USD", "BTC"}})
	p, err := milacoins.Gateway.New(providers.Settings{Name: "milacoins", Endpoint: e.url,
		Credentials: map[string]string{"api_key": sandbox.DefaultAPIKey, "secret_key": sandbox.DefaultSecret},
		Options:     map[string]string{"wallet": "BTC"}})
	if err != nil {
		t.Fatal(err)
	}
	// Gateway.New uses the wall clock, which the emulator's fake one may
	// refuse (INVALID_TIME): only what was sent matters here.
	p.Create(context.Background(), invoice("x", "1", nil))
	if r := e.requests(); len(r) != 1 || !strings.HasPrefix(r[0].Body, `{"wallet":"BTC"`) {
		t.Errorf("requests %+v", r)
	}
	if _, err := milacoins.Gateway.New(providers.Settings{Credentials: map[string]string{"api_key": "k"}}); err == nil {
		t.Error("New without a secret succeeded")
	}
	if _, err := milacoins.Gateway.New(providers.Settings{Endpoint: "ftp://x", Credentials: map[string]string{"api_key": "k", "secret_key": "s"}}); err == nil {
		t.Error("New with an ftp endpoint succeeded")
	}
}

// TestInProcess talks to the emulator the way `sandbox = true` does:
// through emulator.Transport at http://sandbox/milacoins, the mount
// prefix stripped before the emulator and signed by the client.
func TestInProcess(t *testing.T) {
	em, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer em.Close()
	p, err := milacoins.Gateway.New(providers.Settings{
		Name: "milacoins", Endpoint: "http://sandbox" + milacoins.Gateway.SandboxPath,
		Credentials: map[string]string{"api_key": sandbox.DefaultAPIKey, "secret_key": sandbox.DefaultSecret},
		HTTPClient:  &http.Client{Transport: emulator.Transport(http.StripPrefix("/milacoins", em))},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	obj, err := p.Create(ctx, invoice("in-process", "3", nil))
	if err != nil {
		t.Fatal(err)
	}
	found, err := p.Lookup(ctx, providers.Query{Kind: providers.Invoice, Key: "in-process"})
	if err != nil || found.ID != obj.ID {
		t.Errorf("Lookup = %+v, %v", found, err)
	}
}

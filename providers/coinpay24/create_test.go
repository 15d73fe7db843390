package coinpay24_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/coinpay24"
	"github.com/payform/payform/providers/coinpay24/sandbox"
)

func TestGetInvoice(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	c := coinpay24.NewClient(e.endpoint, sandbox.DefaultAPIKey, nil)
	_, err := c.Invoice(context.Background(), "404")
	want := &providers.Error{Class: providers.Rejected, Gateway: "coinpay24", Op: "invoices/get", Status: 404,
		Message: "Invoice 404 not found", Fields: map[string]string{"id": "not found"}}
	var got *providers.Error
	if !errors.As(err, &got) {
		t.Fatalf("Invoice(404) = %v", err)
	}
	if diff := cmp.Diff(want, got, ignoreErr); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	created, err := client(t, e.endpoint, sandbox.DefaultAPIKey).Create(context.Background(), invoice("x", "5", "GBP"))
	if err != nil {
		t.Fatal(err)
	}
	obj, err := c.Invoice(context.Background(), created.ID)
	if diff := cmp.Diff(created, obj, decimalEqual); err != nil || diff != "" {
		t.Errorf("Invoice(%s) = %v (-created +read):\n%s", created.ID, err, diff)
	}
}

func TestCreateWithCheckout(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	p := client(t, e.endpoint, sandbox.DefaultAPIKey)
	obj, err := p.Create(context.Background(), invoice("inv-1", "100", "USD",
		providers.FieldTitle, "Order #1", providers.FieldPayCurrency, "BTC", providers.FieldSuccessURL, "https://shop.example/ok"))
	if err != nil {
		t.Fatal(err)
	}
	if u := obj.Fields[providers.ResultPaymentURL]; !strings.HasPrefix(u, "https://coinpay24.com/invoice/") {
		t.Errorf("payment_url %q", u)
	}
	delete(obj.Fields, providers.ResultPaymentURL)
	want := providers.Object{Kind: providers.Invoice, Key: "inv-1", ID: "1", Status: providers.StatusPending, RawStatus: "pending",
		Amount: decimal.RequireFromString("100"), Currency: "USD", Fields: map[string]string{
			providers.ResultPayAmount: "0.00166667", providers.FieldPayCurrency: "BTC",
			providers.ResultPayAddress: "bc1qspw4c2nk7fsj6mrvtvaldsm22f6lf9uqq8egsh", providers.ResultExpiresAt: "2026-03-01T12:20:00Z",
		}}
	if diff := cmp.Diff(want, obj, decimalEqual); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
}

// TestCheckoutFailure: once the create succeeded the invoice exists; a
// failed checkout is reported beside it, not as an error.
func TestCheckoutFailure(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	e.setWrap(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/checkout") {
			w.WriteHeader(http.StatusBadGateway)
			return true
		}
		return false
	})
	obj, err := client(t, e.endpoint, sandbox.DefaultAPIKey).Create(context.Background(), invoice("inv-2", "10", "EUR", providers.FieldPayCurrency, "LTC"))
	if err != nil {
		t.Fatalf("Create = %v, want success", err)
	}
	if obj.ID != "1" || obj.RawStatus != "new" || obj.Fields[coinpay24.FieldCheckoutError] != "coinpay24 invoices/checkout: HTTP 502: Bad Gateway" {
		t.Errorf("created %+v", obj)
	}
	if n := len(e.emu.Ledger()); n != 1 {
		t.Errorf("%d invoices, want 1", n)
	}
}

package coinilla_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/coinilla/sandbox"
)

func TestCreate(t *testing.T) {
	emu, _, _, endpoint := gateway(t, sandbox.Options{})
	p := provider(t, endpoint, sandbox.DefaultAPIKey)
	obj, err := p.Create(context.Background(), invoice("ord-1", "0.015", "BTC"))
	if err != nil {
		t.Fatal(err)
	}
	id := emu.Invoices()[0].ID
	want := providers.Object{Kind: providers.Invoice, Key: "ord-1", ID: id, Status: providers.StatusPending, RawStatus: "notpaid",
		Amount: decimal.RequireFromString("0.015"), Currency: "BTC",
		Fields: map[string]string{providers.ResultPaymentURL: endpoint + "/pay?invoice=" + id}}
	if diff := cmp.Diff(want, obj, cmp.Comparer(decimal.Decimal.Equal)); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	if v := emu.Invoices()[0]; v.Satoshi != 1_500_000 || v.Desc != "Order ord-1" {
		t.Errorf("invoice at the gateway %+v", v)
	}
	if _, err := p.Lookup(context.Background(), providers.Query{Kind: providers.Invoice, Key: "ord-1"}); !errors.Is(err, providers.ErrUnsupported) {
		t.Errorf("Lookup = %v, want ErrUnsupported", err)
	}
	resp, err := http.Get(obj.Fields[providers.ResultPaymentURL])
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("payment page: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
}

func TestCreateSendsURLs(t *testing.T) {
	emu, _, _, endpoint := gateway(t, sandbox.Options{})
	req := invoice("ord-1", "10", "GBP")
	req.Fields[providers.FieldSuccessURL] = "https://shop.example.com/ok"
	req.Fields[providers.FieldCancelURL] = "https://shop.example.com/fail"
	req.Fields["pending_url"] = "https://shop.example.com/wait"
	if _, err := provider(t, endpoint, sandbox.DefaultAPIKey).Create(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	got := emu.Invoices()[0].URLs
	want := `{"return_url":"https://shop.example.com/ok","fail_url":"https://shop.example.com/fail","unconfirm_url":"https://shop.example.com/wait"}`
	if b, _ := jsonString(got); b != want {
		t.Errorf("urls %s, want %s", b, want)
	}
}

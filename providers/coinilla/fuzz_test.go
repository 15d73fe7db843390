package coinilla_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/coinilla"
	"github.com/payform/payform/providers/providertest"
)

// fzHex64 reports whether id is a Coinilla invoice id: 64 hex digits.
func fzHex64(id string) bool {
	if len(id) != 64 {
		return false
	}
	return strings.Trim(strings.ToLower(id), "0123456789abcdef") == ""
}

const fzInvoiceID = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// FuzzResponses feeds arbitrary answers to /pay (the create) and /verify
// (the refresh). Coinilla reports its errors as HTTP 200 with an `error`
// text, so whatever the answer:
//   - nothing panics;
//   - a non-2xx answer is never a success; a 5xx, and a 2xx body that is
//     not JSON, are Ambiguous (the invoice may exist);
//   - a create is never reported made without a 64-hex invoice id;
//   - a refresh reports no object from a non-2xx answer and errs on it,
//     and reports objects only for the ids it was asked about.
func FuzzResponses(f *testing.F) {
	seeds := []struct {
		status int
		body   string
	}{
		{200, `{"invoice":"` + fzInvoiceID + `","error":""}`}, {200, `{"invoice":"` + fzInvoiceID + `"}`},
		{200, `{"invoice":"","error":"duplicate refnum"}`}, {200, `{"invoice":"","error":"invalid apikey"}`},
		{200, `{"invoice":"` + fzInvoiceID + `","error":"something odd"}`}, {200, `{"invoice":"abc","error":""}`},
		{200, `{"invoice":"` + strings.ToUpper(fzInvoiceID) + `","error":""}`}, {200, `{"invoice":"` + fzInvoiceID[:63] + `g"}`},
		{200, `{"status":"paid","error":""}`}, {200, `{"status":"paid-0","error":""}`}, {200, `{"status":"nopaid","error":""}`},
		{200, `{"status":"notpaid","error":"invoice not found"}`}, {200, `{"status":"notpaid","error":"invoice expired"}`},
		{200, `{"status":"notpaid","error":"invoice canceled"}`}, {200, `{"status":"notpaid","error":"bad apikey"}`},
		{200, `{"status":7,"error":null}`}, {200, `{"invoice":{"id":1}}`}, {200, `{"error":["x"]}`},
		{200, ``}, {200, `null`}, {200, `{}`}, {200, `[]`}, {200, `"ok"`}, {200, `{"invoice":"`}, {200, `<html>ok</html>`},
		{400, `{"error":"duplicate refnum"}`}, {403, `{"error":"invalid apikey"}`}, {404, `{"error":"invoice not found"}`},
		{429, `{"error":"slow down"}`}, {500, `{"invoice":"` + fzInvoiceID + `","error":""}`},
		{500, `{"error":"duplicate refnum"}`}, {502, `<html>bad gateway</html>`}, {503, ``}, {301, ``},
	}
	for _, s := range seeds {
		for op := range uint8(2) {
			f.Add(op, s.status, []byte(s.body))
		}
	}
	a := providertest.NewAnswer(f)
	p, err := coinilla.Gateway.New(providers.Settings{
		Name: "coinilla", Endpoint: a.URL,
		Credentials: map[string]string{"api_key": "k"},
		HTTPClient:  &http.Client{Timeout: 5 * time.Second},
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, op uint8, status int, body []byte) {
		status = providertest.FuzzStatus(status)
		a.Set(status, body)
		ctx := context.Background()
		is2xx := status < 300
		switch op % 2 {
		case 0:
			obj, err := p.Create(ctx, providers.Request{Kind: providers.Invoice, Key: "fz-1", Amount: decimal.RequireFromString("0.0025"),
				Currency: "BTC", Fields: map[string]string{providers.FieldDescription: "Order fz-1"}})
			providertest.CheckAnswer(t, status, body, err, false)
			if err == nil && !fzHex64(obj.ID) {
				t.Errorf("pay answered %d %q: reported made with invoice id %q", status, body, obj.ID)
			}
		case 1:
			refs := []providers.Ref{{Kind: providers.Invoice, Key: "fz-1", ID: fzInvoiceID}, {Kind: providers.Invoice, Key: "fz-2"}}
			objs, err := p.Refresh(ctx, refs)
			if !is2xx && len(objs) > 0 {
				t.Errorf("verify answered %d %q: reported %d objects", status, body, len(objs))
			}
			if !is2xx && err == nil {
				t.Errorf("verify answered %d %q: no error", status, body)
			}
			if errors.Is(err, coinilla.ErrInvoiceNotFound) {
				t.Errorf("verify answered %d %q: Refresh returned not-found as an error instead of leaving the invoice out", status, body)
			}
			for _, o := range objs {
				if o.Key != "fz-1" || o.ID != fzInvoiceID {
					t.Errorf("verify answered %d %q: object %q id %q, asked only fz-1 %s", status, body, o.Key, o.ID, fzInvoiceID)
				}
			}
		}
	})
}

package coinpay24_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/coinpay24"
	"github.com/payform/payform/providers/providertest"
)

// FuzzResponses feeds arbitrary answers to invoices/create (alone, and
// followed by a checkout), the list scan behind Lookup and Refresh.
// Whatever the answer:
//   - nothing panics;
//   - a non-2xx answer is never a success; a 5xx, and a 2xx body that is
//     not JSON, are Ambiguous (the invoice may exist);
//   - a create is never reported made without an id or a payment_url
//     (the lookup must settle such an answer);
//   - a lookup reports absence (ErrNotFound) only after a 2xx list, and
//     a refresh reports no object from a non-2xx answer and none for a key
//     or id it was not asked about.
func FuzzResponses(f *testing.F) {
	inv := `{"id":17,"order_id":"fz-1","status":"new","price_amount":"10.00","price_currency":"USD","created_at":"2026-03-01T12:00:00+00:00","payment_url":"https://pay.coinpay24.com/i/17"}`
	list := `{"current_page":1,"per_page":100,"total_invoices":1,"total_pages":1,"invoices":[` + inv + `]}`
	seeds := []struct {
		status int
		body   string
	}{
		{200, inv}, {201, inv}, {200, list},
		{200, `{"current_page":1,"per_page":100,"total_invoices":0,"total_pages":0,"invoices":[]}`},
		{200, `{"current_page":1,"per_page":100,"total_invoices":250,"total_pages":3,"invoices":[` + inv + `]}`},
		{200, `{"current_page":2,"total_pages":3,"invoices":[]}`},
		{200, `{"total_invoices":"5","invoices":null}`}, {200, `{"total_pages":-1,"invoices":[{}]}`},
		{200, `{"created_at":"2026-03-01T12:00:00+00:00","payment_url":"https://pay.coinpay24.com/i/17",}`},
		{200, `{"payment_url":"https://pay.coinpay24.com/i/17"}`}, {200, `{"id":null}`}, {200, `{"id":""}`},
		{200, ``}, {200, `null`}, {200, `{}`}, {200, `[]`}, {200, `"ok"`}, {200, `{"id":17,`},
		{200, `{"id":{"nested":true}}`}, {200, `{"id":1e999,"price_amount":"1e400"}`}, {200, `<html></html>`},
		{401, `{"error_message":"Unauthorized: your API key is wrong.","errors":{"api_key":"is wrong"}}`},
		{404, `{"error_message":"Invoice not found"}`},
		{422, `{"error_message":"order_id has already been taken","errors":{"order_id":"has already been taken"}}`},
		{422, `{"message":"Invoice is not valid","errors":["price_amount is required"]}`},
		{408, ``}, {429, `{"error_message":"Too Many Requests: slow down."}`},
		{500, `{"error":"Internal Server Error"}`}, {500, inv}, {503, `<html>down</html>`}, {504, ``}, {302, ``},
	}
	for _, s := range seeds {
		for op := range uint8(4) {
			f.Add(op, s.status, []byte(s.body))
		}
	}
	a := providertest.NewAnswer(f)
	p, err := coinpay24.Gateway.New(providers.Settings{
		Name: "coinpay24", Endpoint: a.URL + "/v1",
		Credentials: map[string]string{"api_key": "k"},
		HTTPClient:  &http.Client{Timeout: 5 * time.Second},
	})
	if err != nil {
		f.Fatal(err)
	}
	since := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, op uint8, status int, body []byte) {
		status = providertest.FuzzStatus(status)
		a.Set(status, body)
		ctx := context.Background()
		is2xx := status < 300
		switch op % 4 {
		case 0, 1:
			req := providers.Request{Kind: providers.Invoice, Key: "fz-1", Amount: decimal.RequireFromString("10"), Currency: "USD",
				Fields: map[string]string{providers.FieldTitle: "Order fz-1"}}
			if op%4 == 1 {
				req.Fields[providers.FieldPayCurrency] = "BTC"
			}
			obj, err := p.Create(ctx, req)
			providertest.CheckAnswer(t, status, body, err, false)
			if err == nil {
				if obj.ID == "" && obj.Fields[providers.ResultPaymentURL] == "" {
					t.Errorf("create answered %d %q: reported made with neither an id nor a payment_url", status, body)
				}
				if obj.Kind != providers.Invoice {
					t.Errorf("create answered %d %q: object of kind %q", status, body, obj.Kind)
				}
			}
		case 2:
			obj, err := p.Lookup(ctx, providers.Query{Kind: providers.Invoice, Key: "fz-1", Since: since})
			if errors.Is(err, providers.ErrNotFound) {
				if !is2xx {
					t.Errorf("lookup answered %d %q: reported absent", status, body)
				}
				return
			}
			providertest.CheckAnswer(t, status, body, err, false)
			if err == nil && obj.Key != "fz-1" {
				t.Errorf("lookup answered %d %q: object for key %q", status, body, obj.Key)
			}
		case 3:
			refs := []providers.Ref{
				{Kind: providers.Invoice, Key: "fz-1", ID: "17", CreatedAt: since},
				{Kind: providers.Invoice, Key: "fz-2", CreatedAt: since},
			}
			objs, err := p.Refresh(ctx, refs)
			if !is2xx && len(objs) > 0 {
				t.Errorf("refresh answered %d %q: reported %d objects", status, body, len(objs))
			}
			if !is2xx && err == nil {
				t.Errorf("refresh answered %d %q: no error", status, body)
			}
			// An invoice matched by id is reported with the order_id the
			// gateway gives it (the planner reads it only under a key it
			// asked about).
			for _, o := range objs {
				if !(o.Key == "fz-1" || o.Key == "fz-2" || o.ID == "17") {
					t.Errorf("refresh answered %d %q: object %q id %q, asked fz-1, fz-2 and id 17", status, body, o.Key, o.ID)
				}
			}
		}
	})
}

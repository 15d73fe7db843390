package miraclepay_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/miraclepay"
	"github.com/payform/payform/providers/providertest"
)

const fzPromptID = "4f1c2a9e-0b7d-4d43-9a8e-2b1f6c0d9e71"

// FuzzResponses feeds arbitrary answers to the prompt create and to the
// by-id read behind Refresh. MiraclePay has no merchant key, so an answer
// without a prompt id can never be settled automatically; whatever the
// answer:
//   - nothing panics;
//   - a non-2xx answer is never a success; a 5xx, and a 2xx body that is
//     not JSON, are Ambiguous (a prompt may exist);
//   - a create is never reported made without a prompt id;
//   - a refresh reports no object from a non-2xx answer, errs on it
//     unless it is the documented 404 "Payment prompt not found" (the
//     prompt is then left out, never reported gone), and reports objects
//     only for the ids it was asked about.
func FuzzResponses(f *testing.F) {
	created := `{"prompt":{"id":"` + fzPromptID + `","amount":103.5,"commissionAmount":"3.00","status":"pending","sessionStatus":"pending","expiresAt":"2026-03-02T12:00:00.000Z","createdAt":"2026-03-01T12:00:00.000Z","redirectUrl":null},"checkoutUrl":"https://checkout.miraclepay.com/?sessionId=abc"}`
	seeds := []struct {
		status int
		body   string
	}{
		{201, created}, {200, created},
		{200, `{"id":"` + fzPromptID + `","blockchainId":"eth","status":"completed","createdAt":"2026-03-01T12:00:00.000Z"}`},
		{200, `{"id":"` + fzPromptID + `","status":"pending","amount":"103.50","commissionAmount":"3.00","payer":"customer","note":"payform:fz-1 Order"}`},
		{200, `{"id":"other","status":"expired","note":"payform:someone-else"}`},
		{201, `{"prompt":{"id":""},"checkoutUrl":"x"}`}, {201, `{"prompt":null}`}, {201, `{"prompt":{"id":7,"amount":"1e400"}}`},
		{201, `{"prompt":{"id":"x","amount":"abc"}}`}, {201, `{"prompt":{"id":"x","amount":true}}`}, {201, `{"checkoutUrl":"x"}`},
		{200, ``}, {200, `null`}, {200, `{}`}, {200, `[]`}, {200, `{"prompt":{"id":"`}, {200, `<html>ok</html>`},
		{400, `{"statusCode":400,"message":["amount must be a positive number","payer must be one of the following values: merchant, customer"],"error":"Bad Request"}`},
		{400, `{"statusCode":400,"message":"Redirect URL domain not allowed","error":"Bad Request"}`},
		{401, `{"statusCode":401,"message":"Invalid API key","error":"Unauthorized"}`},
		{404, `{"statusCode":404,"message":"Payment prompt not found","error":"Not Found"}`},
		{404, `{"statusCode":404,"message":"Cannot GET /external/payments/prompt/x","error":"Not Found"}`},
		{404, `{"message":{"nested":"prompt not found"}}`},
		{429, `{"statusCode":429,"message":"ThrottlerException: Too Many Requests"}`},
		{500, created}, {500, `{"statusCode":500,"message":"Internal server error"}`}, {503, ``}, {302, ``},
	}
	for _, s := range seeds {
		for op := range uint8(2) {
			f.Add(op, s.status, []byte(s.body))
		}
	}
	a := providertest.NewAnswer(f)
	p, err := miraclepay.Gateway.New(providers.Settings{
		Name: "miraclepay", Endpoint: a.URL,
		Credentials: map[string]string{"client_id": "c", "api_key": "mpay_k"},
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
			obj, err := p.Create(ctx, providers.Request{Kind: providers.Invoice, Key: "fz-1", Amount: decimal.RequireFromString("100.50"),
				Currency: "USD", Fields: map[string]string{providers.FieldBlockchains: "eth,btc", providers.FieldPayer: "customer"}})
			providertest.CheckAnswer(t, status, body, err, false)
			if err == nil && obj.ID == "" {
				t.Errorf("create answered %d %q: reported made without a prompt id", status, body)
			}
		case 1:
			refs := []providers.Ref{{Kind: providers.Invoice, Key: "fz-1", ID: fzPromptID}, {Kind: providers.Invoice, Key: "fz-2"}}
			objs, err := p.Refresh(ctx, refs)
			if !is2xx && len(objs) > 0 {
				t.Errorf("get prompt answered %d %q: reported %d objects", status, body, len(objs))
			}
			notFound := status == http.StatusNotFound && strings.Contains(strings.ToLower(string(body)), "prompt not found")
			if !is2xx && err == nil && !notFound {
				t.Errorf("get prompt answered %d %q: no error", status, body)
			}
			for _, o := range objs {
				if o.ID != fzPromptID {
					t.Errorf("get prompt answered %d %q: object with id %q, asked only %s", status, body, o.ID, fzPromptID)
				}
			}
		}
	})
}

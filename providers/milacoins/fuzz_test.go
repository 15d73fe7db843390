package milacoins_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/milacoins"
	"github.com/payform/payform/providers/providertest"
)

// fzErrorCode is the catalogue code and name of an error body, as far as
// it has them.
func fzErrorCode(body []byte) (code, name string) {
	var e struct {
		Name string      `json:"name"`
		Code json.Number `json:"code"`
	}
	if json.Unmarshal(body, &e) != nil {
		return "", ""
	}
	return e.Code.String(), e.Name
}

// FuzzResponses feeds arbitrary answers to the invoice and payment-link
// creates, the externalID lookup and the refresh (from the list, and one
// by one for refs without a creation time). Whatever the answer:
//   - nothing panics;
//   - a non-2xx answer is never a success; a 5xx (unless its body is the
//     documented LIMIT_ERROR, code 4302, which says nothing was done) and
//     a 2xx body that is not JSON are Ambiguous;
//   - a create is never reported made without an invoice id;
//   - a lookup reports absence (ErrNotFound) only after a 2xx list; a
//     refresh reports no object from a non-2xx answer and none it was not
//     asked about, and leaves one out without an error only on the
//     documented DOCUMENT_NOT_FOUND (404/1604) or DB_CAST (1600).
func FuzzResponses(f *testing.F) {
	inv := `{"id":"62d8df9142d15eaa837f8ace","type":"invoice","status":"completed","invoiceCurrency":"EUR","invoiceAmount":10,"wallet":"EUR","externalID":"fz-1","createdAt":"2026-03-01T12:00:00.000Z"}`
	seeds := []struct {
		status int
		body   string
	}{
		{200, `{"id":"62d8df9142d15eaa837f8ace","wallet":"EUR","amount":10,"currency":"EUR","externalID":"fz-1","url":"https://pay.milacoins.com/62d8","expiredAt":1772368800000,"createdAt":1772366400000}`},
		{201, `{"_id":"62d8df9142d15eaa837f8ace","amount":"10"}`}, {200, inv},
		{200, `{"count":1,"limit":500,"skip":0,"docs":[` + inv + `]}`},
		{200, `{"count":0,"limit":500,"skip":0,"docs":[]}`},
		{200, `{"count":900,"limit":500,"skip":0,"docs":[` + inv + `]}`},
		{200, `{"count":2,"limit":500,"skip":0,"docs":[` + inv + `,` + inv + `]}`},
		{200, `{"count":"1","docs":[{"id":5}]}`}, {200, `{"count":-1,"docs":null}`},
		{200, `{"id":"x","expiredAt":"tomorrow"}`}, {200, `{"id":"x","amount":"1e400"}`}, {200, `{"id":"x","createdAt":1e309}`},
		{200, `{"wallet":"USD"}`}, {200, `{"id":""}`}, {200, `{"id":7}`},
		{200, ``}, {200, `null`}, {200, `{}`}, {200, `[]`}, {200, `{"id":"62d8`}, {200, `<html>ok</html>`},
		{401, `{"requestID":"62d956eda0a3bf0730f5fd18","name":"DB_DUPLICATE","message":"Already exist.","code":1601}`},
		{401, `{"name":"DB_CAST","message":"Cast to ObjectId failed","code":1600}`},
		{401, `{"name":"VALIDATION_REQUEST_ENUM_WALLETS","message":"bad wallet","code":1006}`},
		{403, `{"name":"FAIL_TO_AUTH","message":"Failed to authenticate","code":4304}`},
		{404, `{"name":"DOCUMENT_NOT_FOUND","message":"Document not found","code":1604}`},
		{404, `{"name":"NOT_FOUND","message":"Not found","code":404}`},
		{429, `{"name":"LIMIT_ERROR","message":"Too many requests","code":4302}`},
		{500, `{"code":4302}`}, {500, `{"message":"boom"}`}, {502, `<html>bad gateway</html>`}, {503, ``}, {307, ``},
	}
	for _, s := range seeds {
		for op := range uint8(5) {
			f.Add(op, s.status, []byte(s.body))
		}
	}
	a := providertest.NewAnswer(f)
	p, err := milacoins.Gateway.New(providers.Settings{
		Name: "milacoins", Endpoint: a.URL,
		Credentials: map[string]string{"api_key": "k", "secret_key": "s"},
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
		code, name := fzErrorCode(body)
		switch op % 5 {
		case 0, 1:
			req := providers.Request{Kind: providers.Invoice, Key: "fz-1", Amount: decimal.RequireFromString("10"), Currency: "EUR",
				Fields: map[string]string{}}
			if op%5 == 1 {
				req.Fields[providers.FieldSuccessURL] = "https://shop.example.com/ok"
				req.Fields[providers.FieldCancelURL] = "https://shop.example.com/cancel"
			}
			obj, err := p.Create(ctx, req)
			providertest.CheckAnswer(t, status, body, err, code == "4302")
			if err == nil && obj.ID == "" {
				t.Errorf("create answered %d %q: reported made without an invoice id", status, body)
			}
		case 2:
			obj, err := p.Lookup(ctx, providers.Query{Kind: providers.Invoice, Key: "fz-1", Since: since})
			if errors.Is(err, providers.ErrNotFound) {
				if !is2xx {
					t.Errorf("lookup answered %d %q: reported absent", status, body)
				}
				return
			}
			providertest.CheckAnswer(t, status, body, err, code == "4302")
			if err == nil && obj.Key != "fz-1" {
				t.Errorf("lookup answered %d %q: object for key %q", status, body, obj.Key)
			}
		case 3, 4:
			refs := []providers.Ref{
				{Kind: providers.Invoice, Key: "fz-1", ID: "62d8df9142d15eaa837f8ace", CreatedAt: since},
				{Kind: providers.Invoice, Key: "fz-2", CreatedAt: since},
			}
			if op%5 == 4 { // read one by one
				refs[0].CreatedAt, refs[1].CreatedAt = time.Time{}, time.Time{}
				refs = refs[:1]
			}
			objs, err := p.Refresh(ctx, refs)
			if !is2xx && len(objs) > 0 {
				t.Errorf("refresh answered %d %q: reported %d objects", status, body, len(objs))
			}
			documentedAbsent := status >= 400 && status < 500 &&
				(status == http.StatusNotFound && (code == "1604" || name == "DOCUMENT_NOT_FOUND") || code == "1600" || name == "DB_CAST")
			if !is2xx && err == nil && !(op%5 == 4 && documentedAbsent) {
				t.Errorf("refresh answered %d %q: no error", status, body)
			}
			for _, o := range objs {
				if !(o.Key == "fz-1" || o.Key == "fz-2") {
					t.Errorf("refresh answered %d %q: object for key %q, asked fz-1 and fz-2", status, body, o.Key)
				}
			}
		}
	})
}

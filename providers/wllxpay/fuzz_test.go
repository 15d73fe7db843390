package wllxpay_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/providertest"
	"github.com/payform/payform/providers/wllxpay"
)

// FuzzResponses feeds arbitrary answers (status and body) to every call
// that reads one: withdrawal/make, addresses/take, the v2 lookup and the
// refresh built on it. Whatever the answer:
//   - nothing panics;
//   - a non-2xx answer is never a success, and a 5xx is Ambiguous (the
//     withdrawal may have been made: never Rejected, which would let the
//     planner send the key again);
//   - a 2xx body that is not JSON is never a success either (Ambiguous);
//   - a deposit address is never reported taken without an address;
//   - a lookup reports absence (ErrNotFound) only for the documented 404
//     that names foreign_id, and a refresh never reports an object from a
//     non-2xx answer, nor one for a key it was not asked about.
func FuzzResponses(f *testing.F) {
	ok := `{"status":"ok","data":{"id":1,"currency":"BTC","currency_fee":"BTC","address":"bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv","tag":null,"amount":"0.001","status":"processing"}}`
	take := `{"status":"ok","data":{"id":1,"address":"rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh","foreign_id":"cust-1","tag":"tag-1"}}`
	v2 := `{"data":{"id":7,"foreign_id":"fz-1","type":"withdrawal","status":"confirmed","currency_sent":{"currency":"BTC","amount":"0.001"},"crypto_address":{"address":"bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv","tag":null}}}`
	seeds := []struct {
		status int
		body   string
	}{
		{201, ok}, {200, ok}, {201, take}, {200, v2},
		{201, ``}, {201, `null`}, {201, `{}`}, {201, `[]`}, {201, `"ok"`}, {201, `{"status":"ok","data":`},
		{201, `{"status":"ok","data":{"id":{"x":1}}}`}, {201, `{"status":"ok","data":{"address":""}}`},
		{201, `{"status":"ok","data":{"id":1e999,"amount":"1e400","status":7}}`}, {201, `<html>ok</html>`},
		{400, `{"errors":{"foreign_id":"The Foreign ID has already been taken."}}`},
		{422, `{"errors":{"foreign_id":["The foreign id has already been taken."]},"error_code":"validation"}`},
		{400, `{"errors":{"currency":"Currency BTC is not enabled for your merchant"},"error_code":"forbidden_currency"}`},
		{403, `{"error":"Bad signature","code":"bad_header_signature"}`},
		{404, `{"errors":{"foreign_id":"Transaction not found"}}`}, {404, `{"message":"Not Found"}`},
		{429, `{"error":"Too Many Requests"}`}, {500, `{"error":"Internal Server Error"}`},
		{500, `{"errors":{"foreign_id":"already taken"}}`}, {502, `<html>bad gateway</html>`},
		{503, ``}, {504, `{"status":"ok","data":{"id":1}}`}, {301, ``}, {204, ``},
	}
	for _, s := range seeds {
		for op := range uint8(4) {
			f.Add(op, s.status, []byte(s.body))
		}
	}
	a := providertest.NewAnswer(f)
	p, err := wllxpay.Gateway.New(providers.Settings{
		Name: "wllxpay", Endpoint: a.URL + "/api/v1",
		Credentials: map[string]string{"api_key": "k", "secret_key": "s"},
		HTTPClient:  &http.Client{Timeout: 5 * time.Second},
		Options:     map[string]string{"v2_lookup": "true"},
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, op uint8, status int, body []byte) {
		status = providertest.FuzzStatus(status)
		a.Set(status, body)
		ctx := context.Background()
		is2xx := status < 300
		switch op % 4 {
		case 0, 1:
			req := providers.Request{Kind: providers.Payout, Key: "fz-1", Amount: decimal.RequireFromString("0.001"),
				Currency: "BTC", Address: "bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv"}
			if op%4 == 1 {
				req = providers.Request{Kind: providers.DepositAddress, Key: "cust-1", Currency: "XRP"}
			}
			obj, err := p.Create(ctx, req)
			providertest.CheckAnswer(t, status, body, err, false)
			if err == nil {
				if obj.Key != req.Key || obj.Kind != req.Kind {
					t.Errorf("create answered %d %q: object for %s %q, want %s %q", status, body, obj.Kind, obj.Key, req.Kind, req.Key)
				}
				if req.Kind == providers.DepositAddress && obj.Address == "" {
					t.Errorf("addresses/take answered %d %q: reported taken without an address", status, body)
				}
			}
		case 2:
			obj, err := p.Lookup(ctx, providers.Query{Kind: providers.Payout, Key: "fz-1"})
			if errors.Is(err, providers.ErrNotFound) {
				if status != http.StatusNotFound {
					t.Errorf("lookup answered %d %q: reported absent", status, body)
				}
				return
			}
			providertest.CheckAnswer(t, status, body, err, false)
			if err == nil && (obj.Key != "fz-1" || obj.ID == "") {
				t.Errorf("lookup answered %d %q: found %+v, which names no transaction of key fz-1", status, body, obj)
			}
		case 3:
			objs, err := p.Refresh(ctx, []providers.Ref{{Kind: providers.Payout, Key: "fz-1", ID: "7"}})
			if !is2xx && len(objs) > 0 {
				t.Errorf("refresh answered %d %q: reported %d objects", status, body, len(objs))
			}
			for _, o := range objs {
				if o.Key != "fz-1" {
					t.Errorf("refresh answered %d %q: object for key %q, asked only fz-1", status, body, o.Key)
				}
			}
			if err == nil && !is2xx && status != http.StatusNotFound {
				t.Errorf("refresh answered %d %q: no error", status, body)
			}
		}
	})
}

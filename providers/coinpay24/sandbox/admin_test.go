package sandbox

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/payform/payform/providers/providertest"
)

func TestAdminAPI(t *testing.T) {
	h := newHarness(t, Options{})
	h.create("a", "10", "USD")
	h.create("b", "20", "EUR")
	h.create("b", "30", "EUR")
	const ledgerB = `{"gateway":"coinpay24","kind":"invoice","key":"b","id":"3","currency":"EUR","amount":"30",`
	for _, tc := range []struct {
		method, path, body string
		wantStatus         int
		wantBody           string
	}{
		{"POST", "/status", `{"id":"1","status":"invalid"}`, 200,
			`{"gateway":"coinpay24","kind":"invoice","key":"a","id":"1","currency":"USD","amount":"10","status":"invalid","create_requests":1,"created_at":"2026-03-01T12:00:00Z"}`},
		{"POST", "/status", `{"order_id":"b","status":"refunded"}`, 200,
			ledgerB + `"status":"refunded","create_requests":2,"created_at":"2026-03-01T12:00:00Z"}`},
		{"POST", "/status", `{"id":"2","status":"paid"}`, 400, `{"error":"status \"paid\" is not one of invalid, canceled, refunded"}`},
		{"POST", "/status", `{"id":"9","status":"canceled"}`, 404, `{"error":"no such invoice: coinpay24 has no invoice \"9\""}`},
		{"POST", "/status", `{"id":"1","order_id":"a","status":"canceled"}`, 400,
			`{"error":"want a JSON body {\"id\":\"7\",\"status\":\"canceled\"} or {\"order_id\":\"...\",\"status\":\"...\"}"}`},
		{"GET", "/rates", "", 200, `{"BCH":"400","BTC":"60000","DAI":"1","DOGE":"0.16","ETH":"3000","EUR":"1.08","GBP":"1.27","LTC":"80",` +
			`"TRX":"0.125","USD":"1","USDC":"1","USDT":"1","USDTB":"1","USDTE":"1","USDTT":"1"}`},
		{"GET", "/callbacks", "", 200, `{"callbacks":[],"deliveries":[]}`},
		{"DELETE", "/status", "", 404, `{"error":"no admin route \"DELETE /status\"; try POST /status, GET /callbacks, GET /rates"}`},
	} {
		status, body := h.admin(tc.method, "/_sandbox/coinpay24"+tc.path, tc.body)
		providertest.Expect(t, tc.method+" "+tc.path+" "+tc.body, status, body, tc.wantStatus, tc.wantBody)
	}
	if diff := cmp.Diff([]string{"a 1 USD 10 invalid 1", "b 2 EUR 20 new 2", "b 3 EUR 30 refunded 2"}, ledgerLines(h.em)); diff != "" {
		t.Errorf("ledger (-want +got):\n%s", diff)
	}
	status, body := h.post("/invoices/1/checkout", "pay_currency", "BTC")
	providertest.Expect(t, "checkout of an invalid invoice", status, body, 422,
		`{"error_message":"Checkout is not valid: status is invalid; only a new invoice can be checked out","errors":{"status":"is invalid; only a new invoice can be checked out"}}`)
	status, body = h.admin(http.MethodGet, "/_sandbox/ledger?gateway=coinpay24", "")
	if status != 200 || len(body) < 100 {
		t.Errorf("server ledger: %d %s", status, body)
	}
}

func TestClosed(t *testing.T) {
	h := newHarness(t, Options{})
	h.em.Close()
	status, body := h.post("/invoices")
	providertest.Expect(t, "after Close", status, body, 503, `{"error_message":"Service Unavailable","errors":{}}`)
	if _, err := h.em.SetStatus("1", "", StatusCanceled); err != errClosed {
		t.Errorf("SetStatus after Close: %v", err)
	}
}

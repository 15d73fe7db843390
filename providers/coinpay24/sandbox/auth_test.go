package sandbox

import (
	"net/http"
	"strings"
	"testing"

	"github.com/payform/payform/providers/providertest"
)

func TestAuthentication(t *testing.T) {
	h := newHarness(t, Options{})
	for _, tc := range []struct {
		name, contentType, body string
		wantStatus              int
		wantBody                string
	}{
		{"no api_key", formType, "order_id=a&price_amount=1&price_currency=USD", 401,
			`{"error_message":"Unauthorized: send your API key as api_key.","errors":{"api_key":"is required"}}`},
		{"empty api_key", formType, "api_key=&order_id=a", 401,
			`{"error_message":"Unauthorized: send your API key as api_key.","errors":{"api_key":"is required"}}`},
		{"wrong api_key", formType, "api_key=coinpay24-test-kez&order_id=a&price_amount=1&price_currency=USD", 401,
			`{"error_message":"Unauthorized: your API key is wrong.","errors":{"api_key":"is wrong"}}`},
		{"wrong api_key in JSON", "application/json", `{"api_key":"nope","order_id":"a","price_amount":"1","price_currency":"USD"}`, 401,
			`{"error_message":"Unauthorized: your API key is wrong.","errors":{"api_key":"is wrong"}}`},
		{"api_key in the query is not read", formType, "order_id=a", 401,
			`{"error_message":"Unauthorized: send your API key as api_key.","errors":{"api_key":"is required"}}`},
	} {
		path := "/invoices/create"
		if tc.name == "api_key in the query is not read" {
			path += "?api_key=" + DefaultAPIKey
		}
		status, body := h.send(http.MethodPost, path, tc.contentType, tc.body)
		providertest.Expect(t, tc.name, status, body, tc.wantStatus, tc.wantBody)
	}
	if got := h.em.Ledger(); len(got) != 0 {
		t.Errorf("ledger %+v: unauthenticated calls made or counted something", got)
	}
}

func TestRoutesAndFormats(t *testing.T) {
	h := newHarness(t, Options{})
	key := "api_key=" + DefaultAPIKey
	for _, tc := range []struct {
		name, method, path, contentType, body string
		wantStatus                            int
		wantBody                              string
	}{
		{"unknown path", "POST", "/payouts", formType, key, 404, `{"error_message":"Not Found","errors":{}}`},
		{"unknown sub-path", "POST", "/invoices/1/refund", formType, key, 404, `{"error_message":"Not Found","errors":{}}`},
		{"a longer name", "POST", "/invoicesx", formType, key, 404, `{"error_message":"Not Found","errors":{}}`},
		{"GET", "GET", "/invoices/1", "", "", 405, `{"error_message":"Method Not Allowed: this CoinPay24 API call is a POST","errors":{}}`},
		{"PUT list", "PUT", "/invoices", "", "", 405, `{"error_message":"Method Not Allowed: list invoices with GET or POST","errors":{}}`},
		// The list's heading: "GET https://api.coinpay24.com/v1/invoices",
		// its parameters "[Path Params - GET]".
		{"GET list without a key", "GET", "/invoices", "", "", 401, `{"error_message":"Unauthorized: send your API key as api_key.","errors":{"api_key":"is required"}}`},
		{"GET list", "GET", "/invoices?" + key + "&per_page=2", "", "", 200,
			`{"current_page":1,"per_page":2,"total_invoices":0,"total_pages":0,"invoices":[]}`},
		{"not JSON", "POST", "/invoices", "application/json", "api_key=x", 400,
			`{"error_message":"Bad Request: send the parameters form-encoded (application/x-www-form-urlencoded) or as a JSON object","errors":{}}`},
		{"XML", "POST", "/invoices", "text/xml", "<a/>", 400,
			`{"error_message":"Bad Request: send the parameters form-encoded (application/x-www-form-urlencoded) or as a JSON object","errors":{}}`},
		{"JSON array member", "POST", "/invoices", "application/json", `{"api_key":"` + DefaultAPIKey + `","page":[1]}`, 400,
			`{"error_message":"Bad Request: page must be a string or a number","errors":{"page":"must be a string or a number"}}`},
		{"too large", "POST", "/invoices", formType, key + "&x=" + strings.Repeat("a", 1<<20), 413,
			`{"error_message":"Request Entity Too Large: the body may not exceed 1 MiB","errors":{}}`},
		{"unknown invoice", "POST", "/invoices/77", formType, key, 404, `{"error_message":"Invoice 77 not found","errors":{"id":"not found"}}`},
		{"id not a number", "POST", "/invoices/0x1", formType, key, 404, `{"error_message":"Invoice 0x1 not found","errors":{"id":"not found"}}`},
		{"list without a Content-Type", "POST", "/invoices/", "", key, 200,
			`{"current_page":1,"per_page":100,"total_invoices":0,"total_pages":0,"invoices":[]}`},
	} {
		status, body := h.send(tc.method, tc.path, tc.contentType, tc.body)
		providertest.Expect(t, tc.name, status, body, tc.wantStatus, tc.wantBody)
	}
}

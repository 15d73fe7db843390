package sandbox

import (
	"net/http"
	"testing"

	"github.com/payform/payform/providers/providertest"
)

func TestTransportErrors(t *testing.T) {
	h := newHarness(t, Options{})
	signedAs := func(contentType, body string) map[string]string {
		return map[string]string{"Content-Type": contentType, "X-Processing-Key": DefaultKey, "X-Processing-Signature": testSign(DefaultSecret, body)}
	}
	const badFormat = `{"error":"Bad content format","code":"bad_content_format"}`
	for _, tc := range []struct {
		name, method, path, body string
		header                   map[string]string
		wantStatus               int
		wantBody                 string
	}{
		{"unknown path without key", "POST", "/api/v1/nope", "{}", map[string]string{},
			403, `{"error":"No key header","code":"required_header_key"}`},
		{"unknown path with key", "POST", "/api/v1/nope", "{}", signedAs("application/json", "{}"),
			404, `{"error":"Not found","code":"not_found"}`},
		{"v2 when disabled", "GET", "/api/v2/transactions/info", `{"id":1}`, signedAs("application/json", `{"id":1}`),
			404, `{"error":"Not found","code":"not_found"}`},
		{"GET on a v1 endpoint", "GET", "/api/v1/withdrawal/make", "{}", signedAs("application/json", "{}"),
			405, `{"error":"Method Not Allowed","code":"method_not_allowed"}`},
		{"not JSON", "POST", "/api/v1/withdrawal/make", "currency=BTC", signedAs("application/json", "currency=BTC"),
			400, badFormat},
		{"form content type", "POST", "/api/v1/withdrawal/make", `{"currency":"BTC"}`, signedAs("application/x-www-form-urlencoded", `{"currency":"BTC"}`),
			400, badFormat},
		{"no content type", "POST", "/api/v1/withdrawal/make", `{"currency":"BTC"}`, signedAs("", `{"currency":"BTC"}`),
			400, badFormat},
		{"JSON array", "POST", "/api/v1/withdrawal/make", `[1]`, signedAs("application/json", `[1]`),
			400, badFormat},
		{"JSON null", "POST", "/api/v1/withdrawal/make", `null`, signedAs("application/json", `null`),
			400, badFormat},
		{"empty body", "POST", "/api/v1/addresses/take", ``, signedAs("application/json", ``),
			400, badFormat},
		{"content type with charset", "POST", "/api/v1/addresses/take", `{}`, signedAs("application/json; charset=utf-8", `{}`),
			400, `{"errors":{"currency":"The currency field is required.","foreign_id":"The foreign id field is required."},"error_code":"validation_error"}`},
	} {
		status, got := h.raw(tc.method, tc.path, tc.body, tc.header)
		providertest.Expect(t, tc.name, status, got, tc.wantStatus, tc.wantBody)
	}
}

func TestRateLimitFault(t *testing.T) {
	h := newHarness(t, Options{})
	status, body := h.sandbox(http.MethodPut, "/_sandbox/faults", `{"spec":"status-429=1,seed=1"}`)
	if status != 200 {
		t.Fatalf("setting faults: %d %s", status, body)
	}
	status, body = h.post("/api/v1/addresses/take", `{"currency":"BTC","foreign_id":"c1"}`)
	providertest.Expect(t, "429", status, body, 429, `{"errors":{"rate_limit":"error code: 1015"},"error_code":"rate_limited"}`)
	if got := ledgerLines(h.em); len(got) != 0 {
		t.Errorf("a rate-limited request reached the ledger: %v", got)
	}
}

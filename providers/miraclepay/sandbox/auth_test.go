package sandbox

import (
	"net/http"
	"testing"

	"github.com/payform/payform/providers/providertest"
)

func TestAuthentication(t *testing.T) {
	h := newHarness(t, Options{})
	unauthorized := func(msg string) string {
		return `{"statusCode":401,"message":"` + msg + `","error":"Unauthorized"}`
	}
	for _, tc := range []struct {
		name, auth, want string
	}{
		{"no header", "", unauthorized("Basic authorization header is required")},
		{"bearer", "Bearer " + DefaultAPIKey, unauthorized("Basic authorization header is required")},
		{"not base64", "Basic !!!", unauthorized("Basic authorization header is required")},
		{"no colon", "Basic bWlyYWNsZXBheQ==", unauthorized("Basic authorization header is required")},
		{"unknown client", basic("a1b2c3d4-e5f6-7890-abcd-ef1234567890", DefaultAPIKey), unauthorized("Invalid client ID")},
		{"wrong key", basic(DefaultClientID, "mpay_abc123xyz"), unauthorized("Invalid API key")},
	} {
		for _, path := range []string{"/external/payments/prompt", "/external/blockchains/active"} {
			method := http.MethodPost
			if path != "/external/payments/prompt" {
				method = http.MethodGet
			}
			status, body := h.do(method, path, tc.auth, promptBody("a"))
			providertest.Expect(t, tc.name+" "+path, status, body, 401, tc.want)
		}
	}
	if err := h.em.SetAccount(Account{Active: true, MerchantAdmin: false, MainBranch: true}); err != nil {
		t.Fatal(err)
	}
	status, body := h.post(promptBody("a"))
	providertest.Expect(t, "not an admin", status, body, 401, unauthorized("User is not a merchant admin"))
	h.em.SetAccount(Account{Active: false, MerchantAdmin: false, MainBranch: true})
	status, body = h.post(promptBody("a"))
	providertest.Expect(t, "inactive", status, body, 401, unauthorized("User is not active"))
	// Requests that fail authentication are not counted.
	if got := ledgerLines(h.em); len(got) != 0 {
		t.Errorf("ledger %v", got)
	}

	inactive := newHarness(t, Options{UserInactive: true})
	status, body = inactive.post(promptBody("a"))
	providertest.Expect(t, "Options.UserInactive", status, body, 401, unauthorized("User is not active"))
	custom := newHarness(t, Options{ClientID: "a1b2c3d4-e5f6-7890-abcd-ef1234567890", APIKey: "mpay_abc123xyz"})
	// The vendor's worked example of the header.
	status, _ = custom.do(http.MethodGet, "/external/blockchains/active", "Basic YTFiMmMzZDQtZTVmNi03ODkwLWFiY2QtZWYxMjM0NTY3ODkwOm1wYXlfYWJjMTIzeHl6", "")
	if status != 200 {
		t.Errorf("the vendor's example header: %d", status)
	}
}

func TestRouting(t *testing.T) {
	h := newHarness(t, Options{})
	for _, tc := range []struct {
		method, path, auth string
		status             int
		body               string
	}{
		{http.MethodGet, "/external/payments/prompt/nope", defaultAuth, 404, `{"statusCode":404,"message":"Payment prompt not found","error":"Not Found"}`},
		{http.MethodGet, "/external/payments/prompt/nope", "", 401, `{"statusCode":401,"message":"Basic authorization header is required","error":"Unauthorized"}`},
		{http.MethodGet, "/external/payments/prompt", defaultAuth, 404, `{"statusCode":404,"message":"Cannot GET /external/payments/prompt","error":"Not Found"}`},
		{http.MethodDelete, "/external/payments/prompt/x", "", 404, `{"statusCode":404,"message":"Cannot DELETE /external/payments/prompt/x","error":"Not Found"}`},
		{http.MethodGet, "/external/payments/prompt/a/b", defaultAuth, 404, `{"statusCode":404,"message":"Cannot GET /external/payments/prompt/a/b","error":"Not Found"}`},
		{http.MethodGet, "/nope", "", 404, `{"statusCode":404,"message":"Cannot GET /nope","error":"Not Found"}`},
	} {
		status, body := h.do(tc.method, tc.path, tc.auth, "")
		providertest.Expect(t, tc.method+" "+tc.path, status, body, tc.status, tc.body)
	}
	status, body := h.do(http.MethodGet, "/external/blockchains/active", defaultAuth, "")
	providertest.Expect(t, "blockchains", status, body, 200, `[{"id":"btc","name":"Bitcoin","active":true},{"id":"eth","name":"Ethereum","active":true},`+
		`{"id":"eth-usdc","name":"USDC (Ethereum)","active":true},{"id":"sol","name":"Solana","active":true},{"id":"tron","name":"TRON","active":true},`+
		`{"id":"tron-usdt","name":"USDT (Tron)","active":true},{"id":"tron-usdc","name":"USDC (Tron)","active":true},`+
		`{"id":"btc-test","name":"Bitcoin Testnet","active":true},{"id":"eth-test","name":"Ethereum Sepolia","active":true}]`)
}

package gateways_test

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/payform/payform/providers/gateways"
)

// mpPrompt posts a create body with the sandbox's credentials.
func mpPrompt(s *sandbox, body string) (int, string) {
	s.t.Helper()
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("miraclepay-test-client:mpay_test_key"))
	return s.do(http.MethodPost, "/miraclepay/external/payments/prompt", "application/json", body, http.Header{"Authorization": {auth}})
}

// TestPageMiraclePayRedirectDomains: the page, Best Practices 6: "Only
// fully qualified domain names (e.g., shop.example.com) are allowed", and
// Limits: "Only FQDNs are accepted (no paths, protocols, or wildcards)";
// "The hostname of your redirectUrl must exactly match one of the
// configured domains". localhost and an IP address are not FQDNs, so a
// redirectUrl on them is "Redirect URL domain not allowed".
func TestPageMiraclePayRedirectDomains(t *testing.T) {
	s := serve(t, gateways.SandboxOptions{})
	const refused = `{"statusCode":400,"message":"Redirect URL domain not allowed","error":"Bad Request"}`
	for _, u := range []string{"http://localhost:8080/done", "http://127.0.0.1/done", "http://[::1]/done", "https://shop/done"} {
		status, body := mpPrompt(s, `{"amount":10,"blockchainIds":["eth"],"payer":"merchant","redirectUrl":"`+u+`"}`)
		if status != 400 || body != refused {
			t.Errorf("redirectUrl %s: %d %s, want 400 %s", u, status, body, refused)
		}
	}
	// The page's own example domain is taken.
	if status, body := mpPrompt(s, `{"amount":10,"blockchainIds":["eth"],"payer":"merchant","redirectUrl":"https://shop.example.com/order/12345/complete"}`); status != 201 {
		t.Errorf("the page's example: %d %s", status, body)
	}
}

package gateways_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/gateways"
	"github.com/payform/payform/providers/miraclepay"
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

// TestPageMiraclePayStatusFields: the page's Get Payment Status "Example
// Response" is {"id", "blockchainId", "status", "createdAt"}: the
// sandbox answers those and nothing more — no amount, commission, payer
// or note, so nothing can learn from it which order a prompt is for.
func TestPageMiraclePayStatusFields(t *testing.T) {
	s := serve(t, gateways.SandboxOptions{})
	status, body := mpPrompt(s, `{"amount":100.50,"blockchainIds":["eth"],"payer":"customer","note":"Order #12345"}`)
	var created struct{ Prompt struct{ ID string } }
	if err := json.Unmarshal([]byte(body), &created); status != 201 || err != nil {
		t.Fatalf("create: %d %s", status, body)
	}
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("miraclepay-test-client:mpay_test_key"))
	status, body = s.do(http.MethodGet, "/miraclepay/external/payments/prompt/"+created.Prompt.ID, "", "", http.Header{"Authorization": {auth}})
	if status != 200 {
		t.Fatalf("get: %d %s", status, body)
	}
	if diff := cmp.Diff([]string{"blockchainId", "createdAt", "id", "status"}, members(object(t, body))); diff != "" {
		t.Errorf("GET members (-want +got):\n%s", diff)
	}
	// The provider reads back no key and no amount, and says so.
	p, closer, err := gateways.Open(gateways.Spec{Gateway: miraclepay.Gateway, Name: "miraclepay", Endpoint: s.base + "/miraclepay",
		Credentials: map[string]string{"client_id": "miraclepay-test-client", "api_key": "mpay_test_key"}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	objs, err := p.Refresh(context.Background(), []providers.Ref{{Kind: providers.Invoice, Key: "ord-1", ID: created.Prompt.ID}})
	ks, _ := p.Supports(providers.Invoice)
	if err != nil || len(objs) != 1 || !objs[0].Amount.IsZero() || !ks.Unread.Has(providers.UnreadKey|providers.UnreadAmount) ||
		objs[0].Fields[providers.ResultCreatedAt] == "" {
		t.Errorf("Refresh: %+v, %v; Unread %v", objs, err, ks.Unread)
	}
}

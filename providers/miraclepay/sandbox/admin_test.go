package sandbox

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/payform/payform/providers/providertest"
)

func TestAdmin(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.create(promptBody("ord-1"))
	other := h.create(promptBody("ord-2"))

	status, body := h.admin("POST", "/_sandbox/pay", `{"gateway":"miraclepay","key":"ord-1","mode":"partial"}`)
	if status != 200 || !strings.Contains(body, `"status":"unsuccessful"`) || !strings.Contains(body, `"id":"`+id+`"`) {
		t.Errorf("pay: %d %s", status, body)
	}
	if status, body = h.admin("POST", "/_sandbox/pay", `{"gateway":"miraclepay","id":"nope"}`); status != 404 {
		t.Errorf("paying an unknown prompt: %d %s", status, body)
	}
	status, body = h.admin("POST", "/_sandbox/miraclepay/status", `{"id":"`+other+`","status":"cancelled"}`)
	if status != 200 || !strings.Contains(body, `"status":"cancelled"`) {
		t.Errorf("status: %d %s", status, body)
	}
	for _, tc := range []struct {
		body   string
		status int
	}{
		{`{"id":"` + other + `","status":"successful"}`, 400},
		{`{"id":"nope","status":"cancelled"}`, 404},
		{`{"id":"` + id + `","status":"paid"}`, 400},
		{`{"nope":1}`, 400},
	} {
		if status, body := h.admin("POST", "/_sandbox/miraclepay/status", tc.body); status != tc.status {
			t.Errorf("status %s: %d %s, want %d", tc.body, status, body, tc.status)
		}
	}
	status, body = h.admin("GET", "/_sandbox/miraclepay/prompts", "")
	var prompts struct{ Prompts []PromptView }
	if err := json.Unmarshal([]byte(body), &prompts); status != 200 || err != nil || len(prompts.Prompts) != 2 ||
		prompts.Prompts[0].Status != "unsuccessful" || prompts.Prompts[1].Commission != "3.02" {
		t.Errorf("prompts: %d %s", status, body)
	}
	status, body = h.admin("PUT", "/_sandbox/miraclepay/account", `{"merchant_admin":false}`)
	if status != 200 || body != `{"active":true,"merchant_admin":false,"main_branch":true}` {
		t.Errorf("account: %d %s", status, body)
	}
	status, body = h.post(promptBody("x"))
	providertest.Expect(t, "not an admin", status, body, 401, `{"statusCode":401,"message":"User is not a merchant admin","error":"Unauthorized"}`)
	if status, body = h.admin("GET", "/_sandbox/miraclepay/nope", ""); status != 404 {
		t.Errorf("unknown route: %d %s", status, body)
	}
	status, body = h.admin("GET", "/_sandbox/ledger?gateway=miraclepay", "")
	if status != 200 || strings.Count(body, `"kind":"invoice"`) != 2 || !strings.Contains(body, `"key":"ord-2"`) {
		t.Errorf("ledger: %d %s", status, body)
	}
}

package sandbox

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestAdmin(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.create("ord-1")
	other := h.create("ord-2")

	status, body := h.admin("POST", "/_sandbox/pay", `{"gateway":"coinilla","key":"ord-1"}`)
	if status != 200 || !strings.Contains(body, `"status":"paid-0"`) || !strings.Contains(body, `"key":"ord-1"`) {
		t.Errorf("pay: %d %s", status, body)
	}
	status, body = h.admin("POST", "/_sandbox/pay", `{"gateway":"coinilla","id":"`+id+`"}`)
	if status != 400 || !strings.Contains(body, "is paid-0 and cannot be paid") {
		t.Errorf("paying twice: %d %s", status, body)
	}
	status, body = h.admin("POST", "/_sandbox/pay", `{"gateway":"coinilla","id":"nope"}`)
	if status != 404 {
		t.Errorf("paying an unknown invoice: %d %s", status, body)
	}
	status, body = h.admin("POST", "/_sandbox/coinilla/cancel", `{"refnum":"ord-2"}`)
	if status != 200 || !strings.Contains(body, `"id":"`+other+`"`) {
		t.Errorf("cancel: %d %s", status, body)
	}
	for _, tc := range []struct {
		body   string
		status int
	}{{`{"refnum":"ord-2"}`, 400}, {`{"refnum":"nope"}`, 404}, {`{}`, 400}, {`{"id":"x"}`, 400}} {
		if status, body := h.admin("POST", "/_sandbox/coinilla/cancel", tc.body); status != tc.status {
			t.Errorf("cancel %s: %d %s, want %d", tc.body, status, body, tc.status)
		}
	}

	status, body = h.admin("GET", "/_sandbox/coinilla/invoices", "")
	var invoices struct{ Invoices []InvoiceView }
	if err := json.Unmarshal([]byte(body), &invoices); status != 200 || err != nil || len(invoices.Invoices) != 2 {
		t.Fatalf("invoices: %d %s", status, body)
	}
	if v := invoices.Invoices[1]; v.State != StateCanceled || v.Status != "notpaid" || v.Note != "invoice canceled" {
		t.Errorf("cancelled invoice %+v", v)
	}
	status, body = h.admin("GET", "/_sandbox/coinilla/returns", "")
	var returns struct{ Returns []Return }
	if err := json.Unmarshal([]byte(body), &returns); status != 200 || err != nil || len(returns.Returns) != 2 ||
		returns.Returns[0].Form.Get("state") != "PENDING" || returns.Returns[1].Form.Get("state") != "CANCELED" {
		t.Errorf("returns: %d %s", status, body)
	}
	if status, body = h.admin("GET", "/_sandbox/coinilla/rates", ""); status != 200 || !strings.Contains(body, `"USD":"60000"`) {
		t.Errorf("rates: %d %s", status, body)
	}
	if status, body = h.admin("GET", "/_sandbox/coinilla/nope", ""); status != 404 {
		t.Errorf("unknown route: %d %s", status, body)
	}
	status, body = h.admin("GET", "/_sandbox/ledger?gateway=coinilla", "")
	if status != 200 || strings.Count(body, `"kind":"invoice"`) != 2 {
		t.Errorf("ledger: %d %s", status, body)
	}
}

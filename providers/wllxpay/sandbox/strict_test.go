package sandbox

import (
	"fmt"
	"testing"

	"github.com/payform/payform/providers/providertest"
)

// TestStrict: the page's withdrawal/make request table is currency
// ("string"), foreign_id ("string"), amount ("string"), address
// ("string"). With Strict a number is not taken for a string, and a tag
// (not in the table) is not taken at all: the withdrawal is made without
// one and the answer says "tag": null.
func TestStrict(t *testing.T) {
	h := newHarness(t, Options{Strict: true})
	xrp := address(t, "XRP", "dest")
	status, body := h.post(makePath, fmt.Sprintf(`{"currency":"XRP","foreign_id":1001,"amount":12.5,"address":%q}`, xrp))
	providertest.Expect(t, "numbers", status, body, 400,
		`{"errors":{"amount":"The amount must be a string.","foreign_id":"The foreign id must be a string."},"error_code":"validation_error"}`)
	status, body = h.post(makePath, fmt.Sprintf(`{"currency":"XRP","foreign_id":"1002","amount":"12.5","address":%q,"tag":"12345"}`, xrp))
	providertest.Expect(t, "a tag", status, body, 201,
		fmt.Sprintf(`{"status":"ok","data":{"id":1,"currency":"XRP","currency_fee":"XRP","address":%q,"tag":null,"amount":"12.5","status":"processing"}}`, xrp))
	if l := h.em.Ledger(); len(l) != 1 || l[0].Tag != "" || l[0].Key != "1002" {
		t.Errorf("ledger %+v, want 1002 without a tag", l)
	}
}

package sandbox

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/payform/payform/providers/providertest"
)

const infoPath = "/api/v2/transactions/info"

func TestV2Lookup(t *testing.T) {
	h := newHarness(t, Options{V2Lookup: true})
	btc, xrp := address(t, "BTC", "a"), address(t, "XRP", "a")
	h.post(makePath, withdrawalBody("BTC", "w1", "1.01", btc))
	h.post(makePath, fmt.Sprintf(`{"currency":"XRP","foreign_id":"w2","amount":"5","address":%q,"tag":"77"}`, xrp))
	info := func(body string) (int, string) { return h.signed(http.MethodGet, infoPath, body) }

	w1e := func(status, errText string) string {
		return fmt.Sprintf(`{"data":{"id":1,"foreign_id":"w1","type":"withdrawal","status":%q,"currency_sent":{"currency":"BTC","amount":"1.01"},"crypto_address":{"address":%q,"tag":null,"currency":"BTC"},"error":%q}}`, status, btc, errText)
	}
	w1 := func(status string) string { return w1e(status, "") }
	status, body := info(`{"foreign_id":"w1"}`)
	providertest.Expect(t, "by foreign_id", status, body, 200, w1("processing"))
	status, body = info(`{"id":2}`)
	providertest.Expect(t, "by id", status, body, 200,
		fmt.Sprintf(`{"data":{"id":2,"foreign_id":"w2","type":"withdrawal","status":"processing","currency_sent":{"currency":"XRP","amount":"5"},"crypto_address":{"address":%q,"tag":"77","currency":"XRP"},"error":""}}`, xrp))

	h.clock.Advance(10 * time.Second)
	status, body = info(`{"id":"1"}`)
	providertest.Expect(t, "confirmed after ConfirmAfter", status, body, 200, w1("confirmed"))

	if err := h.em.ForceStatus("w1", StatusError); err != nil {
		t.Fatal(err)
	}
	status, body = info(`{"foreign_id":"w1"}`)
	providertest.Expect(t, "error is cancelled in v2, with its error", status, body, 200, w1e("cancelled", withdrawalErrorText))
	if err := h.em.ForceStatus("w2", StatusCancelled); err != nil {
		t.Fatal(err)
	}
	status, body = info(`{"id":2}`)
	providertest.Expect(t, "cancelled is cancelled in v2, without an error", status, body, 200,
		fmt.Sprintf(`{"data":{"id":2,"foreign_id":"w2","type":"withdrawal","status":"cancelled","currency_sent":{"currency":"XRP","amount":"5"},"crypto_address":{"address":%q,"tag":"77","currency":"XRP"},"error":""}}`, xrp))

	const code = `,"error_code":"validation_error"}`
	for _, tc := range []struct {
		name, body string
		wantStatus int
		wantBody   string
	}{
		{"neither", `{}`, 400, `{"errors":{"foreign_id":"The foreign id field is required when id is not present.","id":"The id field is required when foreign id is not present."}` + code},
		{"both", `{"id":1,"foreign_id":"w1"}`, 400, `{"errors":{"id":"The id field prohibits foreign id from being present."}` + code},
		{"id not a number", `{"id":"one"}`, 400, `{"errors":{"id":"The id must be an integer."}` + code},
		{"unknown foreign_id", `{"foreign_id":"nope"}`, 404, `{"errors":{"foreign_id":"Transaction not found."},"error_code":"not_found"}`},
		{"unknown id", `{"id":99}`, 404, `{"errors":{"id":"Transaction not found."},"error_code":"not_found"}`},
	} {
		status, body := info(tc.body)
		providertest.Expect(t, tc.name, status, body, tc.wantStatus, tc.wantBody)
	}
	status, body = h.post(infoPath, `{"id":1}`)
	providertest.Expect(t, "POST", status, body, 405, `{"error":"Method Not Allowed","code":"method_not_allowed"}`)
	status, body = h.raw(http.MethodGet, infoPath, `{"id":1}`, map[string]string{"Content-Type": "application/json"})
	providertest.Expect(t, "unsigned", status, body, 403, `{"error":"No key header","code":"required_header_key"}`)
}

func TestV2LookupDisabled(t *testing.T) {
	h := newHarness(t, Options{})
	h.post(makePath, withdrawalBody("BTC", "w1", "1", address(t, "BTC", "a")))
	status, body := h.signed(http.MethodGet, infoPath, `{"foreign_id":"w1"}`)
	providertest.Expect(t, "v2 disabled", status, body, 404, `{"error":"Not found","code":"not_found"}`)
}

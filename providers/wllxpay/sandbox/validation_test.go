package sandbox

import (
	"net/http"
	"testing"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers/providertest"
)

func TestWithdrawalValidation(t *testing.T) {
	h := newHarness(t, Options{})
	btc, xrp := address(t, "BTC", "a"), address(t, "XRP", "a")
	const code = `,"error_code":"validation_error"}`
	for _, tc := range []struct{ name, body, want string }{
		{"empty", `{}`, `{"errors":{"address":"The address field is required.","amount":"The amount field is required.","currency":"The currency field is required.","foreign_id":"The foreign id field is required."}` + code},
		{"nulls and empty strings", `{"currency":null,"foreign_id":"","amount":"1","address":"x"}`,
			`{"errors":{"currency":"The currency field is required.","foreign_id":"The foreign id field is required."}` + code},
		{"wrong types", `{"currency":["BTC"],"foreign_id":{"a":1},"amount":true,"address":"x"}`,
			`{"errors":{"amount":"The amount must be a string.","currency":"The currency must be a string.","foreign_id":"The foreign id must be a string."}` + code},
		{"unknown currency", withdrawalBody("FOO", "v1", "1", btc), `{"errors":{"currency":"The selected currency iso is invalid."}` + code},
		{"fiat currency", withdrawalBody("USD", "v1", "1", btc), `{"errors":{"currency":"The selected currency iso is invalid."}` + code},
		{"lower-case currency", withdrawalBody("btc", "v1", "1", btc), `{"errors":{"currency":"The selected currency iso is invalid."}` + code},
		{"amount not a number", withdrawalBody("BTC", "v1", "abc", btc), `{"errors":{"amount":"The amount must be a decimal number such as \"1.01\"."}` + code},
		{"amount with exponent", withdrawalBody("BTC", "v1", "1e3", btc), `{"errors":{"amount":"The amount must be a decimal number such as \"1.01\"."}` + code},
		{"amount zero", withdrawalBody("BTC", "v1", "0", btc), `{"errors":{"amount":"The amount must be greater than 0."}` + code},
		{"amount negative", withdrawalBody("BTC", "v1", "-1", btc), `{"errors":{"amount":"The amount must be greater than 0."}` + code},
		{"amount too precise", withdrawalBody("BTC", "v1", "0.123456789", btc), `{"errors":{"amount":"The amount may not have more than 8 decimal places for BTC."}` + code},
		{"amount too long", withdrawalBody("BTC", "v1", "123456789012345678901234567890123456789", btc), `{"errors":{"amount":"The amount may not have more than 38 digits."}` + code},
		{"tag on a currency without tags", `{"currency":"BTC","foreign_id":"v1","amount":"1","address":"` + btc + `","tag":"5"}`,
			`{"errors":{"tag":"Currency BTC does not use a tag."}` + code},
		{"tag not a number", `{"currency":"XRP","foreign_id":"v1","amount":"1","address":"` + xrp + `","tag":"memo"}`,
			`{"errors":{"tag":"The tag must be an integer between 0 and 4294967295."}` + code},
		{"tag too big", `{"currency":"XRP","foreign_id":"v1","amount":"1","address":"` + xrp + `","tag":4294967296}`,
			`{"errors":{"tag":"The tag must be an integer between 0 and 4294967295."}` + code},
		{"several at once", `{"currency":"BTC","foreign_id":"v1","amount":"0","address":"` + xrp + `"}`,
			`{"errors":{"address":"Not supported address format.","amount":"The amount must be greater than 0."}` + code},
	} {
		status, body := h.post(makePath, tc.body)
		providertest.Expect(t, tc.name, status, body, http.StatusBadRequest, tc.want)
	}
	if money.ValidateAddress("BTC", "not-an-address") == nil {
		t.Skip("money.ValidateAddress does not check formats yet")
	}
	for _, bad := range []string{"not-an-address", xrp, btc[:len(btc)-1] + "x"} {
		status, body := h.post(makePath, withdrawalBody("BTC", "v1", "1", bad))
		providertest.Expect(t, "address "+bad, status, body, http.StatusBadRequest, `{"errors":{"address":"Not supported address format."}`+code)
	}
}

package sandbox

import (
	"net/http"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers/providertest"
)

const accountsPath = "/api/v2/accounts/list"

func TestAccountsList(t *testing.T) {
	h := newHarness(t, Options{V2Lookup: true, Enabled: []string{"BTC", "ETH", "USDTT"},
		Balances: map[string]decimal.Decimal{"BTC": decimal.RequireFromString("2.5"), "ETH": decimal.RequireFromString("0.000000000000000001"), "XRP": decimal.RequireFromString("7")}})
	status, body := h.post(accountsPath, `{}`)
	providertest.Expect(t, "balances", status, body, 200,
		`{"data":[{"currency":"BTC","type":"crypto","balance":"2.50000000"},{"currency":"ETH","type":"crypto","balance":"0.000000000000000001"},{"currency":"USDTT","type":"crypto","balance":"0.00000000"},{"currency":"XRP","type":"crypto","balance":"7.00000000"}]}`)

	// A withdrawal is taken from the balance at once.
	h.post(makePath, withdrawalBody("BTC", "w1", "1.25", address(t, "BTC", "a")))
	status, body = h.post(accountsPath, `{}`)
	providertest.Expect(t, "after a withdrawal", status, body, 200,
		`{"data":[{"currency":"BTC","type":"crypto","balance":"1.25000000"},{"currency":"ETH","type":"crypto","balance":"0.000000000000000001"},{"currency":"USDTT","type":"crypto","balance":"0.00000000"},{"currency":"XRP","type":"crypto","balance":"7.00000000"}]}`)

	status, body = h.signed(http.MethodGet, accountsPath, `{}`)
	providertest.Expect(t, "GET", status, body, 405, `{"error":"Method Not Allowed","code":"method_not_allowed"}`)
	status, body = h.raw(http.MethodPost, accountsPath, `{}`, map[string]string{"Content-Type": "application/json", "X-Processing-Key": DefaultKey, "X-Processing-Signature": testSign("other", "{}")})
	providertest.Expect(t, "bad signature", status, body, 403, `{"error":"Bad signature header","code":"bad_header_signature"}`)
	status, body = h.raw(http.MethodPost, accountsPath, ``, signedHeader(``))
	providertest.Expect(t, "no body", status, body, 400, `{"error":"Bad content format","code":"bad_content_format"}`)
}

func TestAccountsListDisabled(t *testing.T) {
	h := newHarness(t, Options{})
	status, body := h.post(accountsPath, `{}`)
	providertest.Expect(t, "v2 disabled", status, body, 404, `{"error":"Not found","code":"not_found"}`)
}

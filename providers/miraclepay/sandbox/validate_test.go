package sandbox

import (
	"strings"
	"testing"

	"github.com/payform/payform/providers/providertest"
)

func TestCreateValidation(t *testing.T) {
	long := "https://shop.example.com/" + strings.Repeat("a", 2048)
	for _, tc := range []struct {
		name string
		opts Options
		body string
		want string
	}{
		{"empty body", Options{}, ``,
			`{"statusCode":400,"message":["amount must be a positive number","amount must be a number conforming to the specified constraints","blockchainIds should not be empty","blockchainIds must be an array","payer must be one of the following values: merchant, customer"],"error":"Bad Request"}`},
		{"not JSON", Options{}, `{"amount":`, `{"statusCode":400,"message":"Unexpected token in JSON body","error":"Bad Request"}`},
		{"array body", Options{}, `[1]`, `{"statusCode":400,"message":"Unexpected token in JSON body","error":"Bad Request"}`},
		{"amount as string", Options{}, `{"amount":"10","blockchainIds":["btc"],"payer":"merchant"}`,
			`{"statusCode":400,"message":["amount must be a positive number","amount must be a number conforming to the specified constraints"],"error":"Bad Request"}`},
		{"three decimals", Options{}, `{"amount":1.005,"blockchainIds":["btc"],"payer":"merchant"}`,
			`{"statusCode":400,"message":["amount must be a number conforming to the specified constraints"],"error":"Bad Request"}`},
		{"exponent", Options{}, `{"amount":1e2,"blockchainIds":["btc"],"payer":"merchant"}`,
			`{"statusCode":400,"message":["amount must be a number conforming to the specified constraints"],"error":"Bad Request"}`},
		{"zero", Options{}, `{"amount":0,"blockchainIds":["btc"],"payer":"merchant"}`,
			`{"statusCode":400,"message":["amount must be a positive number"],"error":"Bad Request"}`},
		{"negative", Options{}, `{"amount":-5,"blockchainIds":["btc"],"payer":"merchant"}`,
			`{"statusCode":400,"message":["amount must be a positive number"],"error":"Bad Request"}`},
		{"chains not an array", Options{}, `{"amount":5,"blockchainIds":"btc","payer":"merchant"}`,
			`{"statusCode":400,"message":["blockchainIds must be an array"],"error":"Bad Request"}`},
		{"no chains", Options{}, `{"amount":5,"blockchainIds":[],"payer":"merchant"}`,
			`{"statusCode":400,"message":["blockchainIds should not be empty"],"error":"Bad Request"}`},
		{"chain not a string", Options{}, `{"amount":5,"blockchainIds":[1],"payer":"merchant"}`,
			`{"statusCode":400,"message":["each value in blockchainIds must be a string"],"error":"Bad Request"}`},
		{"payer", Options{}, `{"amount":5,"blockchainIds":["btc"],"payer":"shop"}`,
			`{"statusCode":400,"message":["payer must be one of the following values: merchant, customer"],"error":"Bad Request"}`},
		{"note", Options{}, `{"amount":5,"blockchainIds":["btc"],"payer":"merchant","note":7}`,
			`{"statusCode":400,"message":["note must be a string"],"error":"Bad Request"}`},
		{"long note", Options{}, `{"amount":5,"blockchainIds":["btc"],"payer":"merchant","note":"` + strings.Repeat("n", 1001) + `"}`,
			`{"statusCode":400,"message":["note must be shorter than or equal to 1000 characters"],"error":"Bad Request"}`},
		{"long redirect", Options{}, `{"amount":5,"blockchainIds":["btc"],"payer":"merchant","redirectUrl":"` + long + `"}`,
			`{"statusCode":400,"message":["redirectUrl must be shorter than or equal to 2048 characters"],"error":"Bad Request"}`},
		{"inactive chain", Options{}, `{"amount":5,"blockchainIds":["btc","doge","xrp"],"payer":"merchant"}`,
			`{"statusCode":400,"message":"Invalid or inactive blockchain IDs: doge, xrp","error":"Bad Request"}`},
		{"no addresses", Options{}, `{"amount":5,"blockchainIds":["btc-test"],"payer":"merchant"}`,
			`{"statusCode":400,"message":"No payment addresses configured","error":"Bad Request"}`},
		{"some addresses", Options{}, `{"amount":5,"blockchainIds":["btc","eth-test"],"payer":"merchant"}`,
			`{"statusCode":400,"message":"Missing payment addresses for some blockchains","error":"Bad Request"}`},
		{"main branch", Options{NoMainBranch: true}, `{"amount":5,"blockchainIds":["btc"],"payer":"merchant"}`,
			`{"statusCode":400,"message":"Main branch not found","error":"Bad Request"}`},
		{"redirect format", Options{}, `{"amount":5,"blockchainIds":["btc"],"payer":"merchant","redirectUrl":"shop.example.com/x"}`,
			`{"statusCode":400,"message":"Invalid redirect URL format","error":"Bad Request"}`},
		{"no domains", Options{AllowedDomains: []string{}}, `{"amount":5,"blockchainIds":["btc"],"payer":"merchant","redirectUrl":"https://shop.example.com/x"}`,
			`{"statusCode":400,"message":"No redirect domains configured","error":"Bad Request"}`},
		{"subdomain", Options{}, `{"amount":5,"blockchainIds":["btc"],"payer":"merchant","redirectUrl":"https://evil.shop.example.com/x"}`,
			`{"statusCode":400,"message":"Redirect URL domain not allowed","error":"Bad Request"}`},
		{"parent domain", Options{}, `{"amount":5,"blockchainIds":["btc"],"payer":"merchant","redirectUrl":"https://example.com/x"}`,
			`{"statusCode":400,"message":"Redirect URL domain not allowed","error":"Bad Request"}`},
		// "Only fully qualified domain names (e.g., shop.example.com) are
		// allowed": neither localhost nor an IP address is one.
		{"localhost", Options{}, `{"amount":5,"blockchainIds":["btc"],"payer":"merchant","redirectUrl":"http://localhost:8080/done"}`,
			`{"statusCode":400,"message":"Redirect URL domain not allowed","error":"Bad Request"}`},
		{"loopback ip", Options{}, `{"amount":5,"blockchainIds":["btc"],"payer":"merchant","redirectUrl":"http://127.0.0.1/done"}`,
			`{"statusCode":400,"message":"Redirect URL domain not allowed","error":"Bad Request"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.opts)
			status, body := h.post(tc.body)
			providertest.Expect(t, tc.name, status, body, 400, tc.want)
			if got := h.em.Ledger(); len(got) != 0 {
				t.Errorf("ledger %v, want nothing", got)
			}
		})
	}
	// What passes: a port on an allowed host, exactly 2048 characters,
	// null optionals, unknown properties, a non-JSON content type's body
	// ignored.
	h := newHarness(t, Options{})
	for _, body := range []string{
		`{"amount":5,"blockchainIds":["btc"],"payer":"merchant","redirectUrl":"http://shop.example.com:8080/done?x=1"}`,
		`{"amount":5,"blockchainIds":["btc"],"payer":"merchant","redirectUrl":"` + long[:2048] + `"}`,
		`{"amount":5,"blockchainIds":["btc"],"payer":"merchant","note":null,"redirectUrl":null,"extra":1}`,
		`{"amount":5,"blockchainIds":["btc"],"payer":"merchant","redirectUrl":"https://SHOP.example.com/x"}`,
	} {
		h.create(body)
	}
}

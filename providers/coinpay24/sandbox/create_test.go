package sandbox

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/payform/payform/providers/providertest"
)

// TestCreateEncodings: JSON with numbers and the table's "amount", form
// with price_amount, and multipart all make the same invoice.
func TestCreateEncodings(t *testing.T) {
	h := newHarness(t, Options{})
	status, body := h.send(http.MethodPost, "/invoices/create", "application/json; charset=utf-8",
		`{"api_key":"`+DefaultAPIKey+`","order_id":1001,"amount":12.5,"price_currency":"EUR","title":null}`)
	if status != 200 || !strings.Contains(body, `"order_id":"1001","status":"new","price_amount":"12.5","price_currency":"EUR"`) {
		t.Errorf("JSON create: %d %s", status, body)
	}
	status, body = h.send(http.MethodPost, "/invoices/create", "multipart/form-data; boundary=XX",
		"--XX\r\nContent-Disposition: form-data; name=\"api_key\"\r\n\r\n"+DefaultAPIKey+
			"\r\n--XX\r\nContent-Disposition: form-data; name=\"order_id\"\r\n\r\n1002"+
			"\r\n--XX\r\nContent-Disposition: form-data; name=\"price_amount\"\r\n\r\n12.50"+
			"\r\n--XX\r\nContent-Disposition: form-data; name=\"price_currency\"\r\n\r\nEUR\r\n--XX--\r\n")
	if status != 200 || !strings.Contains(body, `"order_id":"1002","status":"new","price_amount":"12.5"`) {
		t.Errorf("multipart create: %d %s", status, body)
	}
	h.create("1003", "12.50", "EUR", "amount", "12.5")
	if diff := cmp.Diff([]string{
		"1001 1 EUR 12.5 new 1",
		"1002 2 EUR 12.5 new 1",
		"1003 3 EUR 12.5 new 1",
	}, ledgerLines(h.em)); diff != "" {
		t.Errorf("ledger (-want +got):\n%s", diff)
	}
}

func TestCreateValidation(t *testing.T) {
	h := newHarness(t, Options{})
	for _, tc := range []struct {
		name     string
		fields   []string
		wantBody string
	}{
		{"nothing", nil,
			`{"error_message":"Invoice is not valid: order_id is required; price_amount is required; price_currency is required",` +
				`"errors":{"order_id":"is required","price_amount":"is required","price_currency":"is required"}}`},
		{"bad amount and currency", []string{"order_id", "v1", "price_amount", "1e3", "price_currency", "XYZ"},
			`{"error_message":"Invoice is not valid: price_amount must be a decimal number such as 12.50; price_currency is not supported: XYZ",` +
				`"errors":{"price_amount":"must be a decimal number such as 12.50","price_currency":"is not supported: XYZ"}}`},
		{"zero", []string{"order_id", "v1", "price_amount", "0", "price_currency", "USD"},
			`{"error_message":"Invoice is not valid: price_amount must be greater than 0","errors":{"price_amount":"must be greater than 0"}}`},
		{"negative via amount", []string{"order_id", "v1", "amount", "-5", "price_currency", "USD"},
			`{"error_message":"Invoice is not valid: amount must be greater than 0","errors":{"amount":"must be greater than 0"}}`},
		{"precision", []string{"order_id", "v1", "price_amount", "1.001", "price_currency", "USD"},
			`{"error_message":"Invoice is not valid: price_amount may not have more than 2 decimal places for USD","errors":{"price_amount":"may not have more than 2 decimal places for USD"}}`},
		{"amounts disagree", []string{"order_id", "v1", "price_amount", "1", "amount", "2", "price_currency", "USD"},
			`{"error_message":"Invoice is not valid: amount differs from price_amount; send one of them","errors":{"amount":"differs from price_amount; send one of them"}}`},
		{"title and URLs", []string{"order_id", "v1", "price_amount", "1", "price_currency", "BTC", "title", strings.Repeat("é", 151),
			"callback_url", "ftp://x.example", "success_url", "not a url", "cancel_url", "https://ok.example/cart"},
			`{"error_message":"Invoice is not valid: callback_url must be a valid http or https URL; success_url must be a valid http or https URL; title may not be longer than 150 characters",` +
				`"errors":{"callback_url":"must be a valid http or https URL","success_url":"must be a valid http or https URL","title":"may not be longer than 150 characters"}}`},
		{"lower-case currency", []string{"order_id", "v1", "price_amount", "1", "price_currency", "usd"},
			`{"error_message":"Invoice is not valid: price_currency is not supported: usd","errors":{"price_currency":"is not supported: usd"}}`},
	} {
		status, body := h.post("/invoices/create", tc.fields...)
		providertest.Expect(t, tc.name, status, body, 422, tc.wantBody)
	}
	h.create("v1", "1", "BTC", "title", strings.Repeat("é", 150))
	// Refused requests count for their order_id.
	if diff := cmp.Diff([]string{"v1 1 BTC 1 new 8"}, ledgerLines(h.em)); diff != "" {
		t.Errorf("ledger (-want +got):\n%s", diff)
	}
}

func TestDuplicateOrderID(t *testing.T) {
	h := newHarness(t, Options{})
	h.create("dup", "5", "USD")
	h.create("dup", "5", "USD")
	if diff := cmp.Diff([]string{"dup 1 USD 5 new 2", "dup 2 USD 5 new 2"}, ledgerLines(h.em)); diff != "" {
		t.Errorf("default: ledger (-want +got):\n%s", diff)
	}
	s := newHarness(t, Options{StrictOrderID: true})
	s.create("dup", "5", "USD")
	status, body := s.post("/invoices/create", "order_id", "dup", "price_amount", "0", "price_currency", "USD")
	providertest.Expect(t, "strict", status, body, 422, `{"error_message":"order_id has already been taken","errors":{"order_id":"has already been taken"}}`)
	if diff := cmp.Diff([]string{"dup 1 USD 5 new 2"}, ledgerLines(s.em)); diff != "" {
		t.Errorf("strict: ledger (-want +got):\n%s", diff)
	}
}

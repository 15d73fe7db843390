package sandbox

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestValidation(t *testing.T) {
	h := newHarness(t, Options{})
	fiat := strings.Split("AED,MYR,BRL,EUR,USD,GBP,ILS,JPY,RUB,TRY,UAH,NZD", ",")
	const link = "/api/v1/invoices/payment-link"
	const urls = `"cancelUrl":"https://shop.example/cancel","completedUrl":"https://shop.example/done"`
	tests := []struct {
		name, path, body string
		want             apiError
	}{
		{"1003 wallet missing", "/api/v1/invoices", `{"amount":1,"currency":"USD","externalID":"v-1"}`, errRequired("wallet")},
		{"1003 wallet empty", "/api/v1/invoices", `{"wallet":"","amount":1,"currency":"USD","externalID":"v-1"}`, errRequired("wallet")},
		{"1003 amount null", "/api/v1/invoices", `{"wallet":"USD","amount":null,"currency":"USD"}`, errRequired("amount")},
		{"1003 cancelUrl", link, `{"wallet":"USD","amount":1,"currency":"USD","completedUrl":"https://shop.example/done"}`, errRequired("cancelUrl")},
		{"1001 amount as string", "/api/v1/invoices", `{"wallet":"USD","amount":"10.5","currency":"USD","externalID":"v-2"}`, errIncorrectType("amount", "number", "string")},
		{"1001 wallet as number", "/api/v1/invoices", `{"wallet":7,"amount":1,"currency":"USD"}`, errIncorrectType("wallet", "string", "number")},
		{"1001 externalID as object", "/api/v1/invoices", `{"wallet":"USD","amount":1,"currency":"USD","externalID":{}}`, errIncorrectType("externalID", "string", "object")},
		{"1001 expiredAt not a date", "/api/v1/invoices", `{"wallet":"USD","amount":1,"currency":"USD","expiredAt":"tomorrow"}`, errIncorrectType("expiredAt", "ISO 8601 date", "string")},
		{"1002 unknown field", "/api/v1/invoices", `{"wallet":"USD","amount":1,"currency":"USD","title":"x"}`, errNotAllowed("title")},
		{"1002 link field on an invoice", "/api/v1/invoices", `{"wallet":"USD","amount":1,"currency":"USD","callbackUrl":"https://x.example"}`, errNotAllowed("callbackUrl")},
		{"1006 wallet", "/api/v1/invoices", `{"wallet":"XYZ","amount":1,"currency":"USD","externalID":"v-3"}`, errWallet("XYZ", DefaultWallets)},
		{"1007 currency", "/api/v1/invoices", `{"wallet":"USD","amount":1,"currency":"BTC"}`, errCurrency("BTC", fiat)},
		{"1602 amount zero", "/api/v1/invoices", `{"wallet":"USD","amount":0,"currency":"USD"}`, errInvalid(`"amount" must be greater than 0.`)},
		{"1602 amount negative", "/api/v1/invoices", `{"wallet":"USD","amount":-5,"currency":"USD"}`, errInvalid(`"amount" must be greater than 0.`)},
		{"1602 amount places", "/api/v1/invoices", `{"wallet":"USD","amount":1.005,"currency":"USD"}`, errInvalid(`"amount" may have at most 2 decimal places in USD.`)},
		{"1602 JPY places", "/api/v1/invoices", `{"wallet":"USD","amount":100.5,"currency":"JPY"}`, errInvalid(`"amount" may have at most 0 decimal places in JPY.`)},
		{"1602 expiredAt past", "/api/v1/invoices", `{"wallet":"USD","amount":1,"currency":"USD","expiredAt":"2026-03-01T11:00:00Z"}`, errInvalid(`"expiredAt" must be in the future.`)},
		{"1602 bad URL", link, `{"wallet":"USD","amount":1,"currency":"USD","cancelUrl":"/cancel","completedUrl":"https://shop.example/done"}`, errInvalid(`"cancelUrl" must be an http or https URL.`)},
		{"1602 not an object", "/api/v1/invoices", `[1]`, errInvalid("The body must be a JSON object.")},
		{"1602 not JSON", "/api/v1/invoices", `{"wallet":`, errInvalid("The body must be a JSON object.")},
		{"1004 type", "/api/v1/transactions/invoices/?type=refund", "", errEnum("type", "refund", Types)},
		{"1005 status", "/api/v1/transactions/invoices/?status=new,paid", "", errStatus("paid")},
		{"1006 wallet filter", "/api/v1/transactions/invoices/?wallet=DOGE", "", errWallet("DOGE", DefaultWallets)},
		{"1001 limit", "/api/v1/transactions/invoices/?limit=ten", "", errIncorrectType("limit", "positive integer", "string")},
		{"1001 page", "/api/v1/transactions/invoices/?page=0", "", errIncorrectType("page", "positive integer", "string")},
		{"1001 from", "/api/v1/transactions/invoices/?from=yesterday", "", errIncorrectType("from", "ISO 8601 date", "string")},
		{"1002 query", "/api/v1/transactions/invoices/?sort=asc", "", errNotAllowed("sort")},
		{"1600 id", "/api/v1/transactions/invoices/not-an-id", "", errCast("_id", "not-an-id")},
		{"1604 id", "/api/v1/transactions/invoices/000000000000000000000000", "", errNoDocument("Invoice", "000000000000000000000000")},
		{"1604 log", "/api/v1/logs/000000000000000000000000", "", errNoDocument("Log", "000000000000000000000000")},
		{"404 path", "/api/v1/payouts", "", errNotFound()},
		{"404 method", "/api/v1/wallets", `{}`, errNotFound()},
	}
	for _, tc := range tests {
		method := http.MethodGet
		if tc.body != "" {
			method = http.MethodPost
		}
		status, body := h.call(method, tc.path, tc.body)
		expectError(t, tc.name, status, body, tc.want)
	}
	// A body not sent as JSON is read as {}, as Express reads it.
	hdr := h.signed(http.MethodPost, "/api/v1/invoices", `wallet=USD`)
	hdr["Content-Type"] = "application/x-www-form-urlencoded"
	status, _, body := h.send(http.MethodPost, "/api/v1/invoices", `wallet=USD`, hdr)
	expectError(t, "form body", status, body, errRequired("wallet"))
	// With the URLs, a payment link is fine, placeholders and all.
	if status, body := h.call(http.MethodPost, link, `{"wallet":"USD","amount":1,"currency":"USD",`+urls+`,"callbackUrl":"https://shop.example/cb?e={EVENT}&id={INVOICE_ID}"}`); status != http.StatusOK {
		t.Errorf("payment link: %d %s", status, body)
	}
	// Refused requests made nothing, and were counted for their key.
	var got []string
	for _, o := range h.em.Ledger() {
		got = append(got, o.Key)
	}
	if len(got) != 1 || got[0] != "" {
		t.Errorf("ledger keys %q, want just the payment link's", got)
	}
	h.em.mu.Lock()
	defer h.em.mu.Unlock()
	if n := h.em.requests["v-1"]; n != 2 {
		t.Errorf("create requests for v-1 = %d, want 2", n)
	}
}

func TestStrictExternalID(t *testing.T) {
	for _, strict := range []bool{false, true} {
		h := newHarness(t, Options{StrictExternalID: strict})
		body := `{"wallet":"USD","amount":5,"currency":"USD","externalID":"ord-1"}`
		h.create(body)
		h.clock.Advance(time.Second)
		status, got := h.call(http.MethodPost, "/api/v1/invoices", body)
		switch {
		case strict:
			expectError(t, "strict duplicate", status, got, errDuplicate())
		case status != http.StatusOK:
			t.Errorf("duplicate accepted by default: %d %s", status, got)
		}
		objs := h.em.Ledger()
		want := 2
		if strict {
			want = 1
		}
		if len(objs) != want || objs[0].CreateRequests != 2 {
			t.Errorf("strict=%v: ledger %+v, want %d object(s) with 2 create requests", strict, objs, want)
		}
	}
}

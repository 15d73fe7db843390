package sandbox

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// admin calls the server's admin API at path (e.g. "/_sandbox/pay").
func (h *harness) admin(method, path, body string) (int, string) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSuffix(string(b), "\n")
}

func TestAdmin(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.create(`{"wallet":"USD","amount":4,"currency":"USD","externalID":"adm"}`)
	tests := []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"GET", "/_sandbox/milacoins/wallets", "", 200, `{"wallets":["BTC","BCH","ETH","USDT","USDC","EUR","GBP","USD"]}`},
		{"PUT", "/_sandbox/milacoins/wallets", `{"wallets":["USD","ILS"]}`, 200, `{"wallets":["USD","ILS"]}`},
		{"PUT", "/_sandbox/milacoins/wallets", `{"wallets":["NOPE"]}`, 400, `{"error":"wallet \"NOPE\" is not a currency payform knows"}`},
		{"PUT", "/_sandbox/milacoins/wallets", `{"currencies":["USD"]}`, 400, `{"error":"want a JSON body {\"wallets\":[\"USD\",...]}"}`},
		{"PUT", "/_sandbox/milacoins/currencies", `{"currencies":["USD","CAD"]}`, 200, `{"currencies":["USD","CAD"]}`},
		{"GET", "/_sandbox/milacoins/currencies", "", 200, `{"currencies":["USD","CAD"]}`},
		{"POST", "/_sandbox/milacoins/status", `{"externalID":"adm","status":"overPaid"}`, 200, `{"id":"` + id + `","externalID":"adm","status":"overPaid"}`},
		{"POST", "/_sandbox/milacoins/status", `{"id":"` + id + `","status":"paid"}`, 400, `{"error":"status \"paid\" is not one of [init completed invalid new waitingForConfirmation underPaid overPaid paidLate]"}`},
		{"POST", "/_sandbox/milacoins/status", `{"id":"000000000000000000000000","status":"invalid"}`, 404, `{"error":"no such invoice: \"000000000000000000000000\""}`},
		{"GET", "/_sandbox/milacoins/deliveries", "", 200, `{"deliveries":null}`},
		{"DELETE", "/_sandbox/milacoins/wallets", "", 404, `{"error":"no admin route \"DELETE /wallets\"; try GET /deliveries, GET|PUT /wallets, GET|PUT /currencies, POST /status"}`},
		{"POST", "/_sandbox/pay", `{"gateway":"milacoins","key":"nobody"}`, 404, `{"error":"no such invoice: id \"\", externalID \"nobody\""}`},
	}
	for _, tc := range tests {
		status, got := h.admin(tc.method, tc.path, tc.body)
		if diff := cmp.Diff(tc.want, got); diff != "" || status != tc.status {
			t.Errorf("%s %s: status %d, want %d; body (-want +got):\n%s", tc.method, tc.path, status, tc.status, diff)
		}
	}
	// The lists set above are what the API now validates against.
	status, body := h.call(http.MethodPost, "/api/v1/invoices", `{"wallet":"EUR","amount":1,"currency":"CAD"}`)
	expectError(t, "wallet after PUT", status, body, errWallet("EUR", []string{"USD", "ILS"}))
	status, body = h.call(http.MethodPost, "/api/v1/invoices", `{"wallet":"ILS","amount":1,"currency":"EUR"}`)
	expectError(t, "currency after PUT", status, body, errCurrency("EUR", []string{"USD", "CAD"}))
	if status, body := h.call(http.MethodGet, "/api/v1/wallets", ""); body != `{"wallets":["USD","ILS"]}` {
		t.Errorf("GET /api/v1/wallets: %d %s", status, body)
	}
	if status, body := h.call(http.MethodGet, "/api/v1/currencies", ""); body != `{"currencies":["USD","CAD"]}` {
		t.Errorf("GET /api/v1/currencies: %d %s", status, body)
	}
	if got := h.em.Ledger()[0].Status; got != StatusOverPaid {
		t.Errorf("forced status = %s", got)
	}
}

// TestSandboxPay: POST /_sandbox/pay reaches Pay, by key.
func TestSandboxPay(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.create(`{"wallet":"USD","amount":4,"currency":"USD","externalID":"shop-1"}`)
	status, body := h.admin("POST", "/_sandbox/pay", `{"gateway":"milacoins","key":"shop-1","mode":"partial"}`)
	want := `{"gateway":"milacoins","kind":"invoice","key":"shop-1","id":"` + id + `","currency":"USD","amount":"4","status":"waitingForConfirmation","create_requests":1,"created_at":"2026-03-01T12:00:00Z"}`
	if diff := cmp.Diff(want, body); diff != "" || status != 200 {
		t.Errorf("pay: %d (-want +got):\n%s", status, diff)
	}
	h.clock.Advance(DefaultConfirmAfter)
	if got := h.em.Ledger()[0].Status; got != StatusUnderPaid {
		t.Errorf("status = %s, want underPaid", got)
	}
}

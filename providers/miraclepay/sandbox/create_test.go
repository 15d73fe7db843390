package sandbox

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/payform/payform/providers/providertest"
)

// TestVendorExample is the vendor page's example request and answer.
func TestVendorExample(t *testing.T) {
	h := newHarness(t, Options{})
	status, body := h.post(`{
	  "amount": 100.50,
	  "blockchainIds": ["eth"],
	  "payer": "customer",
	  "note": "Order #12345",
	  "redirectUrl": "https://shop.example.com/order/12345/complete"
	}`)
	providertest.Expect(t, "create", status, body, 201, `{"prompt":{"id":"00010203-0405-4607-8809-0a0b0c0d0e0f","amount":103.52,"commissionAmount":"3.02",`+
		`"status":"pending","sessionStatus":"pending","expiresAt":"2025-01-29T14:30:00.000Z","createdAt":"2025-01-28T14:30:00.000Z",`+
		`"redirectUrl":"https://shop.example.com/order/12345/complete"},`+
		`"checkoutUrl":"https://checkout.miraclepay.com/?sessionId=00010203-0405-4607-8809-0a0b0c0d0e0f"}`)
	status, body = h.do(http.MethodGet, "/external/payments/prompt/00010203-0405-4607-8809-0a0b0c0d0e0f", defaultAuth, "")
	providertest.Expect(t, "get", status, body, 200, `{"id":"00010203-0405-4607-8809-0a0b0c0d0e0f","blockchainId":"eth","status":"pending","createdAt":"2025-01-28T14:30:00.000Z"}`)
	if diff := cmp.Diff([]string{"Order #12345 USD 100.5 pending 1"}, ledgerLines(h.em)); diff != "" {
		t.Errorf("ledger (-want +got):\n%s", diff)
	}
}

func TestCommission(t *testing.T) {
	h := newHarness(t, Options{})
	for _, tc := range []struct {
		amount, payer     string
		total, commission string
	}{
		{"100.50", "customer", "103.52", "3.02"},
		{"100.50", "merchant", "100.5", "3.02"},
		{"0.50", "customer", "0.52", "0.02"}, // 0.015 rounds half up
		{"0.01", "customer", "0.01", "0.00"},
		{"1000", "customer", "1030", "30.00"},
	} {
		_, body := h.post(`{"amount":` + tc.amount + `,"blockchainIds":["btc"],"payer":"` + tc.payer + `"}`)
		var out struct {
			Prompt struct {
				Amount           json.Number
				CommissionAmount string
			}
		}
		json.Unmarshal([]byte(body), &out)
		if string(out.Prompt.Amount) != tc.total || out.Prompt.CommissionAmount != tc.commission {
			t.Errorf("%s, %s pays: amount %s commission %q, want %s and %q", tc.amount, tc.payer, out.Prompt.Amount, out.Prompt.CommissionAmount, tc.total, tc.commission)
		}
	}
	h2 := newHarness(t, Options{CommissionPercent: dec("2.5")})
	_, body := h2.post(`{"amount":200,"blockchainIds":["btc"],"payer":"customer"}`)
	if !strings.Contains(body, `"amount":205,"commissionAmount":"5.00"`) {
		t.Errorf("2.5%% of 200: %s", body)
	}
}

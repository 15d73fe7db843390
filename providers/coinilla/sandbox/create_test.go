package sandbox

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/payform/payform/providers/providertest"
)

func TestCreate(t *testing.T) {
	h := newHarness(t, Options{})
	status, body := h.post("/pay", payForm("ord-1"))
	providertest.Expect(t, "pay", status, body, 200, `{"invoice":"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f","error":""}`)
	got := h.em.Invoices()[0]
	if got.Satoshi != 83317 || got.Currency != "USD" || got.Amount != "49.99" || !strings.HasPrefix(got.Address, "bc1q") {
		t.Errorf("invoice %+v: want 49.99 USD due as 83317 satoshi at a bc1q address", got)
	}
}

func TestSatoshi(t *testing.T) {
	h := newHarness(t, Options{})
	for _, tc := range []struct {
		currency, amount string
		want             int64
	}{
		{"BTC", "0.015", 1_500_000},
		{"BTC", "0.00000001", 1},
		{"USD", "60000", 100_000_000},
		{"USD", "0.01", 17},      // 16.67 rounded up
		{"JPY", "1000", 11_112},  // 11111.1 rounded up
		{"EUR", "27.50", 50_000}, // exact
	} {
		id := h.create("sat-"+tc.currency+tc.amount, "currency", tc.currency, "amount", tc.amount)
		for _, v := range h.em.Invoices() {
			if v.ID == id && v.Satoshi != tc.want {
				t.Errorf("%s %s: %d satoshi, want %d", tc.amount, tc.currency, v.Satoshi, tc.want)
			}
		}
	}
}

func TestCreateValidation(t *testing.T) {
	h := newHarness(t, Options{})
	long := strings.Repeat("é", 256)
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"no apikey", payForm("a", "apikey", ""), `{"invoice":"","error":"invalid apikey"}`},
		{"wrong apikey", payForm("a", "apikey", "nope"), `{"invoice":"","error":"invalid apikey"}`},
		{"wrong func", payForm("a", "func", "3"), `{"invoice":"","error":"invalid func"}`},
		{"currency", payForm("a", "currency", "ETH"), `{"invoice":"","error":"invalid currency"}`},
		{"lower-case currency", payForm("a", "currency", "usd"), `{"invoice":"","error":"invalid currency"}`},
		{"no amount", payForm("a", "amount", ""), `{"invoice":"","error":"amount is required"}`},
		{"amount syntax", payForm("a", "amount", "1e3"), `{"invoice":"","error":"invalid amount"}`},
		{"zero amount", payForm("a", "amount", "0.00"), `{"invoice":"","error":"amount must be greater than 0"}`},
		{"negative amount", payForm("a", "amount", "-1"), `{"invoice":"","error":"amount must be greater than 0"}`},
		{"precision", payForm("a", "amount", "1.001"), `{"invoice":"","error":"amount has more than 2 decimal places for USD"}`},
		{"JPY precision", payForm("a", "currency", "JPY", "amount", "1.5"), `{"invoice":"","error":"amount has more than 0 decimal places for JPY"}`},
		{"BTC precision", payForm("a", "currency", "BTC", "amount", "0.000000001"), `{"invoice":"","error":"amount has more than 8 decimal places for BTC"}`},
		{"too large", payForm("a", "currency", "BTC", "amount", "21000000.00000001"), `{"invoice":"","error":"amount is too large"}`},
		{"no refnum", payForm(""), `{"invoice":"","error":"refnum is required"}`},
		{"long refnum", payForm(strings.Repeat("r", 256), "desc", "x"), `{"invoice":"","error":"refnum is longer than 255 characters"}`},
		{"long desc", payForm("a", "desc", long), `{"invoice":"","error":"desc is longer than 255 characters"}`},
		{"long extra", payForm("a", "extra_2", long), `{"invoice":"","error":"extra_2 is longer than 255 characters"}`},
		{"bad url", payForm("a", "fail_url", "/relative"), `{"invoice":"","error":"invalid fail_url"}`},
		{"bad scheme", payForm("a", "unconfirm_url", "ftp://x.example"), `{"invoice":"","error":"invalid unconfirm_url"}`},
		{"duplicate flag", payForm("a", "duplicate_refnum", "2"), `{"invoice":"","error":"invalid duplicate_refnum"}`},
		{"all at once", payForm("", "currency", "XYZ", "desc", long),
			`{"invoice":"","error":"invalid currency; refnum is required; desc is longer than 255 characters"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := h.post("/pay", tc.form)
			providertest.Expect(t, tc.name, status, body, 200, tc.want)
		})
	}
	if got := h.em.Ledger(); len(got) != 0 {
		t.Errorf("ledger %v, want nothing", got)
	}
	// Exactly 255 characters is fine.
	h.create(strings.Repeat("r", 255), "desc", strings.Repeat("é", 255), "extra_1", strings.Repeat("é", 255))
}

func TestDuplicateRefnum(t *testing.T) {
	h := newHarness(t, Options{})
	first := h.create("ord-1")
	status, body := h.post("/pay", payForm("ord-1"))
	providertest.Expect(t, "repeat", status, body, 200, `{"invoice":"","error":"duplicate refnum"}`)
	// Reported before validation: a resend learns it was committed.
	status, body = h.post("/pay", payForm("ord-1", "amount", "bad"))
	providertest.Expect(t, "repeat, invalid", status, body, 200, `{"invoice":"","error":"duplicate refnum"}`)
	// duplicate_refnum absent means 0.
	status, body = h.post("/pay", payForm("ord-1", "duplicate_refnum", ""))
	providertest.Expect(t, "repeat without flag", status, body, 200, `{"invoice":"","error":"duplicate refnum"}`)
	second := h.create("ord-1", "duplicate_refnum", "1")
	if second == first {
		t.Errorf("duplicate_refnum=1 gave the same invoice %s", first)
	}
	// Wrong keys name no refnum worth counting.
	h.post("/pay", payForm("ord-1", "apikey", "nope"))
	if diff := cmp.Diff([]string{"ord-1 USD 49.99 notpaid 5", "ord-1 USD 49.99 notpaid 5"}, ledgerLines(h.em)); diff != "" {
		t.Errorf("ledger (-want +got):\n%s", diff)
	}

	custom := newHarness(t, Options{DuplicateMessage: "Refnum already exists"})
	custom.create("x")
	status, body = custom.post("/pay", payForm("x"))
	providertest.Expect(t, "custom message", status, body, 200, `{"invoice":"","error":"Refnum already exists"}`)
}

package sandbox

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/providertest"
)

func TestPayments(t *testing.T) {
	h := newHarness(t, Options{})
	type result struct{ Status, Underpaid, Overpaid, PayAmount string }
	read := func(id string) result {
		return result{h.status(id), h.field(id, "underpaid_amount"), h.field(id, "overpaid_amount"), h.field(id, "pay_amount")}
	}
	// paid: "Payment is confirmed by the network, and has been credited
	// to the merchant. Purchased goods/services can be safely delivered to
	// the shopper." A short payment is none of that: pending until the
	// invoice's time is up, then invalid.
	for _, tc := range []struct {
		mode, amount string
		answer       string // what Pay answers
		want         result // an hour later
	}{
		{"full", "", "paid", result{"paid", "0", "0", "0.00166667"}},
		{"partial", "", "pending", result{"invalid", "0.00083334", "0", "0.00166667"}},
		{"partial", "99.99", "pending", result{"invalid", "0.00000017", "0", "0.00166667"}},
		{"over", "", "paid", result{"paid", "0", "0.00016666", "0.00166667"}},
		{"late", "", "paid", result{"paid", "0", "0", "0.00166667"}},
	} {
		id := h.create("p-"+tc.mode+tc.amount, "100", "USD")
		h.post("/invoices/"+id+"/checkout", "pay_currency", "BTC")
		obj, err := h.em.Pay(emulator.Payment{ID: id, Mode: tc.mode, Amount: tc.amount})
		if err != nil {
			t.Fatalf("%s %s: %v", tc.mode, tc.amount, err)
		}
		if obj.Status != tc.answer {
			t.Errorf("%s: Pay answered %s, want %s", tc.mode, obj.Status, tc.answer)
		}
		h.clock.Advance(time.Hour) // paid stays paid; a short payment's invoice ends invalid
		if diff := cmp.Diff(tc.want, read(id)); diff != "" {
			t.Errorf("%s %s (-want +got):\n%s", tc.mode, tc.amount, diff)
		}
	}
}

func TestPayChecksOutAndLate(t *testing.T) {
	h := newHarness(t, Options{})
	// Not checked out: the payment checks out in its currency.
	id := h.create("k1", "0.5", "ETH")
	if _, err := h.em.Pay(emulator.Payment{Key: "k1"}); err != nil {
		t.Fatal(err)
	}
	if got := []string{h.status(id), h.field(id, "pay_currency"), h.field(id, "pay_amount")}; !cmp.Equal(got, []string{"paid", "ETH", "0.5"}) {
		t.Errorf("paid in the price currency by default: %v", got)
	}
	id = h.create("k2", "30", "USD")
	if _, err := h.em.Pay(emulator.Payment{ID: id, Currency: "USDTT"}); err != nil {
		t.Fatal(err)
	}
	if got := h.field(id, "pay_amount"); got != "30.0" {
		t.Errorf("USDTT pay amount %s, want 30.0", got)
	}

	// Late, before the expiry: the invoice expires at once, then is paid.
	id = h.create("k3", "10", "USD")
	h.clock.Advance(5 * time.Minute)
	if _, err := h.em.Pay(emulator.Payment{ID: id, Mode: emulator.PayLate}); err != nil {
		t.Fatal(err)
	}
	if got := []string{h.status(id), h.field(id, "expire_at")}; !cmp.Equal(got, []string{"paid", "2026-03-01T12:05:00+00:00"}) {
		t.Errorf("late before expiry: %v", got)
	}
	// Late, after it.
	id = h.create("k4", "10", "USD")
	h.clock.Advance(time.Hour)
	if _, err := h.em.Pay(emulator.Payment{ID: id}); err == nil || !strings.Contains(err.Error(), "pay it with mode late") {
		t.Errorf("full payment of an expired invoice: %v", err)
	}
	if _, err := h.em.Pay(emulator.Payment{ID: id, Mode: emulator.PayLate}); err != nil {
		t.Fatal(err)
	}
	if got := []string{h.status(id), h.field(id, "expire_at")}; !cmp.Equal(got, []string{"paid", "2026-03-01T12:25:00+00:00"}) {
		t.Errorf("late after expiry: %v", got)
	}
}

func TestPayErrors(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.create("x1", "10", "USD")
	h.post("/invoices/"+id+"/checkout", "pay_currency", "LTC")
	for _, tc := range []struct {
		p    emulator.Payment
		want string
	}{
		{emulator.Payment{ID: "99"}, `no such invoice: coinpay24 has no invoice "99"`},
		{emulator.Payment{Key: "nope"}, `no such invoice: coinpay24 has no invoice with order_id "nope"`},
		{emulator.Payment{ID: id, Mode: "twice"}, `mode "twice": want full, partial, over or late`},
		{emulator.Payment{ID: id, Currency: "BTC"}, "invoice 1 is to be paid in LTC, not BTC"},
		{emulator.Payment{ID: id, Currency: "USD"}, `currency "USD": the sandbox takes payments in [BCH BTC DAI DOGE ETH LTC TRX USDC USDT USDTB USDTE USDTT]`},
		{emulator.Payment{ID: id, Mode: "partial", Amount: "10"}, "invoice 1: a partial payment must be less than the invoiced 10 USD"},
		{emulator.Payment{ID: id, Mode: "over", Amount: "10.00"}, "invoice 1: an over payment must be more than the invoiced 10 USD"},
		{emulator.Payment{ID: id, Amount: "9"}, "invoice 1: a full payment is the invoiced 10 USD, not 9"},
		{emulator.Payment{ID: id, Amount: "9.999"}, `invoice 1: amount "9.999" has 3 decimal places, but USD allows at most 2`},
	} {
		_, err := h.em.Pay(tc.p)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Pay(%+v) = %v, want %q", tc.p, err, tc.want)
		}
	}
	if _, err := h.em.Pay(emulator.Payment{ID: "99"}); !errors.Is(err, emulator.ErrNoInvoice) {
		t.Errorf("unknown invoice: %v, want ErrNoInvoice", err)
	}
	if _, err := h.em.Pay(emulator.Payment{ID: id}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.em.Pay(emulator.Payment{ID: id}); err == nil || err.Error() != "invoice 1 already received a payment (it is paid)" {
		t.Errorf("second payment: %v", err)
	}
	// Through the server's admin API, by key: the newest invoice.
	h.create("x1", "10", "USD")
	status, body := h.admin(http.MethodPost, "/_sandbox/pay", `{"gateway":"coinpay24","key":"x1","mode":"partial"}`)
	if status != 200 || !strings.Contains(body, `"key":"x1","id":"2","currency":"USD","amount":"10","status":"pending"`) {
		t.Errorf("POST /_sandbox/pay: %d %s", status, body)
	}
	status, body = h.admin(http.MethodPost, "/_sandbox/pay", `{"gateway":"coinpay24","id":"1"}`)
	providertest.Expect(t, "pay a paid invoice", status, body, 400, `{"error":"invoice 1 already received a payment (it is paid)"}`)
}

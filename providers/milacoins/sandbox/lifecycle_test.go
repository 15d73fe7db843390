package sandbox

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers/emulator"
)

func TestLifecycle(t *testing.T) {
	h := newHarness(t, Options{})
	mk := func(key, extra string) string {
		return h.create(`{"wallet":"USD","amount":20,"currency":"USD","externalID":"` + key + `"` + extra + `}`)
	}
	full, partial, over, late, unpaid := mk("full", ""), mk("partial", ""), mk("over", ""), mk("late", ""), mk("unpaid", "")
	short := mk("short", `,"expiredAt":"2026-03-01T12:05:00Z"`)
	status, body := h.call(http.MethodPost, "/api/v1/invoices/payment-link",
		`{"wallet":"USD","amount":20,"currency":"USD","externalID":"link","cancelUrl":"https://x.example/c","completedUrl":"https://x.example/d"}`)
	if status != http.StatusOK {
		t.Fatalf("payment link: %d %s", status, body)
	}
	all := "/api/v1/transactions/invoices/?limit=500"
	want := []string{"link init", "short new", "unpaid new", "late new", "over new", "partial new", "full new"}
	if diff := cmp.Diff(want, statuses(h.list(all))); diff != "" {
		t.Errorf("at creation (-want +got):\n%s", diff)
	}

	for id, mode := range map[string]string{full: emulator.PayFull, partial: emulator.PayPartial, over: emulator.PayOver, late: emulator.PayLate} {
		if _, err := h.em.Pay(emulator.Payment{ID: id, Mode: mode}); err != nil {
			t.Fatalf("Pay %s: %v", mode, err)
		}
	}
	h.clock.Advance(5 * time.Minute) // past "short"'s expiry, within the others'
	if _, err := h.em.Pay(emulator.Payment{ID: short}); err != nil {
		t.Fatal(err)
	}
	want = []string{"link init", "short waitingForConfirmation", "unpaid new", "late paidLate", "over overPaid", "partial underPaid", "full completed"}
	if diff := cmp.Diff(want, statuses(h.list(all))); diff != "" {
		t.Errorf("paid, confirmed (-want +got):\n%s", diff)
	}
	h.clock.Advance(DefaultConfirmAfter)
	h.clock.Advance(DefaultExpiry) // everything unpaid has expired
	want = []string{"link invalid", "short paidLate", "unpaid invalid", "late paidLate", "over overPaid", "partial underPaid", "full completed"}
	if diff := cmp.Diff(want, statuses(h.list(all))); diff != "" {
		t.Errorf("after expiry (-want +got):\n%s", diff)
	}

	// What a paid document says.
	p := h.list("/api/v1/transactions/invoices/?externalID=partial")
	if len(p.Docs) != 1 {
		t.Fatalf("partial: %+v", p)
	}
	d := p.Docs[0]
	if d.WalletCredited != "10" || d.Network != "USDT" || d.NetworkAmountReceived != "10" ||
		d.ExchangeRate.Rate != "1" || d.Address == "" || len(d.Txs) != 1 {
		t.Errorf("partial payment doc: %+v", d)
	}
	if _, err := h.em.Pay(emulator.Payment{ID: full}); !errors.Is(err, ErrPaid) {
		t.Errorf("paying twice: %v, want ErrPaid", err)
	}
	if _, err := h.em.Pay(emulator.Payment{Key: "nobody"}); !errors.Is(err, emulator.ErrNoInvoice) {
		t.Errorf("paying an unknown key: %v, want ErrNoInvoice", err)
	}
	if _, err := h.em.Pay(emulator.Payment{ID: unpaid, Mode: emulator.PayPartial, Amount: "25"}); err == nil {
		t.Error("a partial payment above the invoice was taken")
	}
}

// TestPayInCrypto: a BTC wallet is paid in BTC at the sandbox's price.
func TestPayInCrypto(t *testing.T) {
	h := newHarness(t, Options{})
	h.create(`{"wallet":"BTC","amount":120,"currency":"USD","externalID":"btc"}`)
	h.clock.Advance(time.Second)
	newest := h.create(`{"wallet":"BTC","amount":300,"currency":"USD","externalID":"btc"}`)
	obj, err := h.em.Pay(emulator.Payment{Key: "btc"})
	if err != nil {
		t.Fatal(err)
	}
	if obj.ID != newest || obj.Status != StatusWaiting {
		t.Errorf("paid %+v, want the newest invoice %s waiting", obj, newest)
	}
	d := h.list("/api/v1/transactions/invoices/?externalID=btc&status=waitingForConfirmation").Docs
	if len(d) != 1 || d[0].Network != "BTC" || d[0].NetworkAmountReceived != "0.005" || d[0].WalletCredited != "0.005" ||
		d[0].ExchangeRate != (rateDoc{"BTC", "USD", "60000"}) {
		t.Errorf("BTC payment docs: %+v", d)
	}
}

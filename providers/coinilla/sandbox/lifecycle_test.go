package sandbox

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/providertest"
)

const (
	notpaid   = `{"status":"notpaid","error":""}`
	unconf    = `{"status":"paid-0","error":""}`
	paid      = `{"status":"paid","error":""}`
	expired   = `{"status":"notpaid","error":"invoice expired"}`
	canceled  = `{"status":"notpaid","error":"invoice canceled"}`
	underpaid = `{"status":"notpaid","error":"invoice underpaid"}`
	notFound  = `{"status":"notpaid","error":"invoice not found"}`
)

func TestLifecycle(t *testing.T) {
	h := newHarness(t, Options{ConfirmAfter: 10 * time.Minute, Expiry: time.Hour})
	full := h.create("full")
	part := h.create("partial")
	gone := h.create("expires")
	canc := h.create("cancel")
	late := h.create("late")
	over := h.create("over")

	check := func(when string, want map[string]string) {
		t.Helper()
		for id, w := range want {
			refnum := map[string]string{full: "full", part: "partial", gone: "expires", canc: "cancel", late: "late", over: "over"}[id]
			if got := h.verify(id, refnum); got != w {
				t.Errorf("%s: verify %s = %s, want %s", when, refnum, got, w)
			}
		}
	}
	check("at creation", map[string]string{full: notpaid, part: notpaid, gone: notpaid, canc: notpaid, late: notpaid, over: notpaid})

	h.clock.Advance(30 * time.Minute)
	mustPay(t, h, emulator.Payment{Gateway: "coinilla", ID: full})
	mustPay(t, h, emulator.Payment{Gateway: "coinilla", Key: "partial", Mode: emulator.PayPartial})
	mustPay(t, h, emulator.Payment{Gateway: "coinilla", ID: over, Mode: emulator.PayOver, Amount: "60.00"})
	if _, err := h.em.Cancel(canc, ""); err != nil {
		t.Fatal(err)
	}
	check("after paying", map[string]string{full: unconf, part: underpaid, canc: canceled, over: unconf, gone: notpaid})

	h.clock.Advance(10*time.Minute - time.Nanosecond)
	check("just before confirmation", map[string]string{full: unconf})
	h.clock.Advance(time.Nanosecond)
	check("confirmed", map[string]string{full: paid, over: paid})

	h.clock.Advance(20 * time.Minute) // t0 + 1h: Expiry
	check("at expiry", map[string]string{gone: expired, late: expired, canc: canceled, part: underpaid, full: paid})
	if _, err := h.em.Pay(emulator.Payment{ID: late}); !errors.Is(err, ErrNotPayable) {
		t.Errorf("full payment after expiry = %v, want ErrNotPayable", err)
	}
	mustPay(t, h, emulator.Payment{ID: late, Mode: emulator.PayLate})
	check("late payment", map[string]string{late: unconf, gone: expired})

	// Nothing final can be paid or cancelled again.
	for _, id := range []string{full, part, canc, late} {
		if _, err := h.em.Pay(emulator.Payment{ID: id, Mode: emulator.PayLate}); !errors.Is(err, ErrNotPayable) {
			t.Errorf("paying %s again = %v, want ErrNotPayable", id, err)
		}
		if _, err := h.em.Cancel(id, ""); !errors.Is(err, ErrNotPayable) {
			t.Errorf("cancelling %s = %v, want ErrNotPayable", id, err)
		}
	}
	if _, err := h.em.Pay(emulator.Payment{Key: "never"}); !errors.Is(err, emulator.ErrNoInvoice) {
		t.Errorf("paying an unknown refnum = %v, want ErrNoInvoice", err)
	}
	if _, err := h.em.Pay(emulator.Payment{ID: gone, Mode: emulator.PayLate, Currency: "ETH"}); err == nil {
		t.Error("a payment in ETH was taken")
	}
}

func mustPay(t *testing.T, h *harness, p emulator.Payment) emulator.LedgerObject {
	t.Helper()
	obj, err := h.em.Pay(p)
	if err != nil {
		t.Fatalf("Pay(%+v): %v", p, err)
	}
	return obj
}

func TestVerifyRules(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.create("ord-1")
	other := h.create("ord-2")
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"match", url.Values{"func": {"3"}, "invoice": {id}, "refnum": {"ord-1"}}, notpaid},
		{"refnum of another invoice", url.Values{"func": {"3"}, "invoice": {id}, "refnum": {"ord-2"}}, notFound},
		{"unknown invoice", url.Values{"func": {"3"}, "invoice": {"ab"}, "refnum": {"ord-1"}}, notFound},
		{"no invoice", url.Values{"func": {"3"}, "refnum": {"ord-1"}}, notFound},
		{"unknown trans_id", url.Values{"func": {"4"}, "trans_id": {"1000001"}}, `{"status":"notpaid","error":"transaction not found"}`},
		{"wrong func", url.Values{"func": {"1"}, "invoice": {id}, "refnum": {"ord-1"}}, `{"status":"notpaid","error":"invalid func"}`},
		{"wrong apikey", url.Values{"func": {"3"}, "apikey": {"nope"}, "invoice": {id}, "refnum": {"ord-1"}}, `{"status":"notpaid","error":"invalid apikey"}`},
	} {
		if tc.form.Get("apikey") == "" {
			tc.form.Set("apikey", DefaultAPIKey)
		}
		status, body := h.post("/verify", tc.form)
		providertest.Expect(t, tc.name, status, body, 200, tc.want)
	}
	mustPay(t, h, emulator.Payment{ID: other})
	status, body := h.post("/verify", url.Values{"func": {"4"}, "apikey": {DefaultAPIKey}, "trans_id": {"1000001"}})
	providertest.Expect(t, "func=4", status, body, 200, unconf)
}

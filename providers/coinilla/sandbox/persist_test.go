package sandbox

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/providertest"
)

// reopen builds a new emulator over the store file at path, as a
// restarted process would, with the clock at now.
func reopen(t *testing.T, path string, now time.Time) *harness {
	t.Helper()
	store, err := emulator.OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h := newHarness(t, Options{Store: store.Journal("coinilla")})
	h.clock.Set(now)
	return h
}

func TestPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox", "data.jsonl")
	h := reopen(t, path, t0)
	a := h.create("a")
	h.post("/pay", payForm("a"))                          // refused: counted
	h.post("/pay", payForm("b", "amount", "0"))           // refused: counted
	h.post("/pay", payForm("c", "apikey", "wrong"))       // not counted
	h.create("a", "duplicate_refnum", "1", "amount", "5") // a second "a"
	c := h.create("c", "currency", "BTC", "amount", "0.5")
	d := h.create("d")
	mustPay(t, h, emulator.Payment{ID: a})
	mustPay(t, h, emulator.Payment{ID: c, Mode: emulator.PayPartial})
	if _, err := h.em.Cancel(d, ""); err != nil {
		t.Fatal(err)
	}
	before := h.em.Invoices()
	returns := h.em.Returns()
	lines := []string{
		"a USD 49.99 paid-0 3",
		"a USD 5 notpaid 3",
		"c BTC 0.5 notpaid 1",
		"d USD 49.99 notpaid 1",
	}
	if diff := cmp.Diff(lines, ledgerLines(h.em)); diff != "" {
		t.Errorf("ledger before restart (-want +got):\n%s", diff)
	}

	// A restart, with a write torn by a kill at the end of the file.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"gateway":"coinilla","record":{"op":"invoice","id":"ff`)
	f.Close()
	h2 := reopen(t, path, t0)
	if diff := cmp.Diff(before, h2.em.Invoices()); diff != "" {
		t.Errorf("invoices after restart (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(returns, h2.em.Returns()); diff != "" {
		t.Errorf("returns after restart (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(lines, ledgerLines(h2.em)); diff != "" {
		t.Errorf("ledger after restart (-want +got):\n%s", diff)
	}

	// Refnums, counters and trans_ids carry on; time moves statuses.
	status, body := h2.post("/pay", payForm("d"))
	providertest.Expect(t, "d after restart", status, body, 200, `{"invoice":"","error":"duplicate refnum"}`)
	e := h2.create("e")
	mustPay(t, h2, emulator.Payment{ID: e})
	if got := h2.em.Invoices()[4].TransID; got != "1000003" {
		t.Errorf("trans_id after restart %q, want 1000003", got)
	}
	h3 := reopen(t, path, t0.Add(time.Hour))
	if diff := cmp.Diff([]string{
		"a USD 49.99 paid 3",
		"a USD 5 notpaid 3",
		"c BTC 0.5 notpaid 1",
		"d USD 49.99 notpaid 2",
		"e USD 49.99 paid 1",
	}, ledgerLines(h3.em)); diff != "" {
		t.Errorf("ledger an hour later (-want +got):\n%s", diff)
	}
	if got := h3.verify(a, "a"); got != paid {
		t.Errorf("verify a = %s", got)
	}
}

func TestJournalFailureChangesNothing(t *testing.T) {
	store, err := emulator.OpenStore(filepath.Join(t.TempDir(), "data.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Options{Store: store.Journal("coinilla")})
	id := h.create("a")
	store.Close()
	status, body := h.post("/pay", payForm("b"))
	providertest.Expect(t, "pay with a closed store", status, body, 500, `{"invoice":"","error":"internal error"}`)
	status, body = h.post("/pay", payForm("a"))
	providertest.Expect(t, "refusal with a closed store", status, body, 500, `{"invoice":"","error":"internal error"}`)
	if _, err := h.em.Pay(emulator.Payment{ID: id}); err == nil {
		t.Error("Pay with a closed store succeeded")
	}
	if diff := cmp.Diff([]string{"a USD 49.99 notpaid 1"}, ledgerLines(h.em)); diff != "" {
		t.Errorf("ledger (-want +got):\n%s", diff)
	}
	status, body = h.admin("POST", "/_sandbox/coinilla/cancel", `{"invoice":"`+id+`"}`)
	if status != 500 {
		t.Errorf("admin cancel with a closed store: %d %s, want 500", status, body)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	for name, opts := range map[string]Options{
		"negative expiry":  {Expiry: -time.Second},
		"negative confirm": {ConfirmAfter: -time.Second},
		"unknown rate":     {Rates: map[string]decimal.Decimal{"AUD": decimal.NewFromInt(1)}},
		"zero rate":        {Rates: map[string]decimal.Decimal{"USD": decimal.Zero}},
	} {
		if _, err := New(opts); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}

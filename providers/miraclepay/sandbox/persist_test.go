package sandbox

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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
	h := newHarness(t, Options{Store: store.Journal("miraclepay")})
	h.clock.Set(now)
	return h
}

func TestPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox", "data.jsonl")
	h := reopen(t, path, t0)
	a := h.create(promptBody("a"))
	h.create(promptBody("a"))                                                                   // no dedup: a second prompt
	h.post(`{"amount":5,"blockchainIds":["doge"],"payer":"merchant","note":"payform:a again"}`) // refused: counted for a
	h.post(`{"amount":0,"blockchainIds":["btc"],"payer":"merchant","note":"payform:b"}`)        // refused: counted for b
	h.post(`{"amount":0,"blockchainIds":["btc"],"payer":"merchant"}`)                           // refused, no note: not counted
	h.do("POST", "/external/payments/prompt", basic(DefaultClientID, "wrong"), promptBody("c")) // not authenticated: not counted
	c := h.create(`{"amount":7.25,"blockchainIds":["tron-usdt"],"payer":"merchant","note":"Order 7"}`)
	d := h.create(`{"amount":1,"blockchainIds":["sol"],"payer":"merchant"}`)
	mustPay(t, h, emulator.Payment{ID: a})
	if _, err := h.em.SetStatus(c, StatusCancelled); err != nil {
		t.Fatal(err)
	}
	if err := h.em.SetAccount(Account{Active: true, MerchantAdmin: true, MainBranch: false}); err != nil {
		t.Fatal(err)
	}
	lines := []string{
		d + " USD 1 pending 1",
		"Order 7 USD 7.25 cancelled 1",
		"a USD 100.5 successful 3",
		"a USD 100.5 pending 3",
	}
	if diff := cmp.Diff(lines, ledgerLines(h.em)); diff != "" {
		t.Errorf("ledger before restart (-want +got):\n%s", diff)
	}
	before := h.em.Prompts()

	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"gateway":"miraclepay","record":{"op":"prompt","id":"x`) // torn by a kill
	f.Close()
	h2 := reopen(t, path, t0)
	if diff := cmp.Diff(before, h2.em.Prompts()); diff != "" {
		t.Errorf("prompts after restart (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(lines, ledgerLines(h2.em)); diff != "" {
		t.Errorf("ledger after restart (-want +got):\n%s", diff)
	}
	if got := h2.em.Account(); got.MainBranch {
		t.Errorf("account after restart %+v, want no main branch", got)
	}
	status, body := h2.post(promptBody("b"))
	providertest.Expect(t, "after restart", status, body, 400, `{"statusCode":400,"message":"Main branch not found","error":"Bad Request"}`)

	// A day later the pending prompts have expired.
	h3 := reopen(t, path, t0.Add(24*time.Hour))
	if diff := cmp.Diff([]string{
		d + " USD 1 expired 1",
		"Order 7 USD 7.25 cancelled 1",
		"a USD 100.5 successful 3",
		"a USD 100.5 expired 3",
	}, ledgerLines(h3.em)); diff != "" {
		t.Errorf("ledger a day later (-want +got):\n%s", diff)
	}
	if got := h3.em.requests["b"]; got != 2 {
		t.Errorf("create requests for b: %d, want 2", got)
	}
}

func TestJournalFailureChangesNothing(t *testing.T) {
	store, err := emulator.OpenStore(filepath.Join(t.TempDir(), "data.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Options{Store: store.Journal("miraclepay")})
	id := h.create(promptBody("a"))
	store.Close()
	status, body := h.post(promptBody("b"))
	providertest.Expect(t, "create with a closed store", status, body, 500, `{"statusCode":500,"message":"Internal server error","error":"Internal Server Error"}`)
	status, body = h.post(`{"amount":0,"blockchainIds":["btc"],"payer":"merchant","note":"payform:c"}`)
	providertest.Expect(t, "refusal with a closed store", status, body, 500, `{"statusCode":500,"message":"Internal server error","error":"Internal Server Error"}`)
	if _, err := h.em.Pay(emulator.Payment{ID: id}); err == nil {
		t.Error("Pay with a closed store succeeded")
	}
	if diff := cmp.Diff([]string{"a USD 100.5 pending 1"}, ledgerLines(h.em)); diff != "" {
		t.Errorf("ledger (-want +got):\n%s", diff)
	}
	if status, body := h.admin("PUT", "/_sandbox/miraclepay/account", `{"active":false}`); status != 500 {
		t.Errorf("admin PUT with a closed store: %d %s, want 500", status, body)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	many := make([]string, 21)
	for i := range many {
		many[i] = "d" + string(rune('a'+i)) + ".example.com"
	}
	for name, opts := range map[string]Options{
		"21 domains":         {AllowedDomains: many},
		"domain with scheme": {AllowedDomains: []string{"https://shop.example.com"}},
		"wildcard":           {AllowedDomains: []string{"*.example.com"}},
		"localhost":          {AllowedDomains: []string{"localhost"}},
		"ip address":         {AllowedDomains: []string{"127.0.0.1"}},
		"trailing dot":       {AllowedDomains: []string{"shop.example.com."}},
		"with port":          {AllowedDomains: []string{"shop.example.com:443"}},
		"negative expiry":    {Expiry: -time.Second},
		"commission 100":     {CommissionPercent: dec("100")},
		"repeated chain":     {Blockchains: []Blockchain{{"btc", "a"}, {"btc", "b"}}},
		"empty address":      {PaymentAddresses: map[string]string{"btc": ""}},
	} {
		if _, err := New(opts); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	if _, err := New(Options{AllowedDomains: many[:20]}); err != nil {
		t.Errorf("20 domains: %v", err)
	}
}

package sandbox

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/providertest"
)

// TestPersistence: everything an emulator committed is there again after
// New over the same store file, and ids go on from where they stopped.
func TestPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.jsonl")
	clock := providertest.NewClock(t0)
	open := func() (*Emulator, *emulator.Store) {
		store, err := emulator.OpenStore(path)
		if err != nil {
			t.Fatal(err)
		}
		em, err := New(Options{Store: store.Journal("milacoins"), Clock: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		return em, store
	}
	em, store := open()
	h := &harness{t: t, em: em, clock: clock}
	h.srv = newServer(t, em)
	h.url = h.srv.URL + "/milacoins"

	first := h.create(`{"wallet":"USD","amount":10,"currency":"USD","externalID":"a"}`)
	h.call(http.MethodPost, "/api/v1/invoices", `{"wallet":"XYZ","amount":10,"currency":"USD","externalID":"a"}`) // refused, counted
	status, body := h.call(http.MethodPost, "/api/v1/invoices/payment-link", `{"wallet":"EUR","amount":99.99,"currency":"EUR","externalID":"b",`+
		`"expiredAt":"2026-03-02T00:00:00Z","cancelUrl":"https://x.example/c","completedUrl":"https://x.example/d","callbackUrl":"https://x.example/cb",`+
		`"customerEmail":"ann@example.com","customerFirstName":"Ann","customerLastName":"Lee"}`)
	if status != http.StatusOK {
		t.Fatalf("payment link: %d %s", status, body)
	}
	third := h.create(`{"wallet":"BTC","amount":60,"currency":"USD","externalID":"c"}`)
	if _, err := em.Pay(emulator.Payment{ID: first, Mode: emulator.PayOver}); err != nil {
		t.Fatal(err)
	}
	if err := em.ForceStatus(third, StatusInvalid); err != nil {
		t.Fatal(err)
	}
	if err := em.SetWallets([]string{"USD", "BTC"}); err != nil {
		t.Fatal(err)
	}
	if err := em.SetCurrencies([]string{"USD"}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	wantLedger, wantDocs := em.Ledger(), h.list("/api/v1/transactions/invoices/").Docs
	em.Close()
	store.Close()

	em2, store2 := open()
	defer store2.Close()
	defer em2.Close()
	h2 := &harness{t: t, em: em2, clock: clock, srv: newServer(t, em2)}
	h2.url = h2.srv.URL + "/milacoins"
	if diff := cmp.Diff(wantLedger, em2.Ledger()); diff != "" {
		t.Errorf("ledger after reopening (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantDocs, h2.list("/api/v1/transactions/invoices/").Docs); diff != "" {
		t.Errorf("invoices after reopening (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"USD", "BTC"}, em2.Wallets()); diff != "" {
		t.Errorf("wallets (-want +got):\n%s", diff)
	}
	if wantLedger[0].CreateRequests != 2 {
		t.Errorf("create requests for a = %d, want 2", wantLedger[0].CreateRequests)
	}
	next := h2.create(`{"wallet":"USD","amount":1,"currency":"USD","externalID":"d"}`)
	if next[8:] != "0000000000000004" {
		t.Errorf("next id %s does not follow the three before", next)
	}
}

// TestJournalFailure: a mutation the journal refuses answers 500 and
// changes nothing.
func TestJournalFailure(t *testing.T) {
	store, err := emulator.OpenStore(filepath.Join(t.TempDir(), "s.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Options{Store: store.Journal("milacoins")})
	store.Close()
	status, body := h.call(http.MethodPost, "/api/v1/invoices", `{"wallet":"USD","amount":1,"currency":"USD","externalID":"x"}`)
	expectError(t, "closed store", status, body, errInternal())
	if n := len(h.em.Ledger()); n != 0 {
		t.Errorf("ledger has %d objects", n)
	}
	if err := h.em.SetWallets([]string{"USD"}); err == nil {
		t.Error("SetWallets on a closed store succeeded")
	}
}

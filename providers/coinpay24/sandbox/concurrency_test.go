package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"sync"
	"testing"

	"github.com/payform/payform/providers/emulator"
)

// TestConcurrentUse: creates, checkouts, lists, payments and ledger reads
// at once, under -race; every create lands once, with its own id, and a
// restart sees the same.
func TestConcurrentUse(t *testing.T) {
	store, err := emulator.OpenStore(filepath.Join(t.TempDir(), "data.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h := newHarness(t, Options{Store: store.Journal("coinpay24"), RequestLimit: Limit{N: -1}, HourlyRequestLimit: Limit{N: -1}, InvoiceLimit: Limit{N: -1}})
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				form := url.Values{"api_key": {DefaultAPIKey}, "order_id": {fmt.Sprintf("w%d-%d", w, i%5)}, "price_amount": {"1.5"}, "price_currency": {"USD"}}
				status, body, err := h.try(http.MethodPost, "/invoices/create", formType, form.Encode())
				if err != nil || status != 200 {
					errs <- fmt.Errorf("create: %d %s %v", status, body, err)
					continue
				}
				h.try(http.MethodPost, "/invoices", formType, "api_key="+DefaultAPIKey+"&per_page=10")
				h.em.Pay(emulator.Payment{Key: form.Get("order_id")})
				h.em.Ledger()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	ledger := h.em.Ledger()
	ids := map[string]bool{}
	for _, o := range ledger {
		ids[o.ID] = true
		if o.CreateRequests != 5 {
			t.Errorf("%s: %d create requests, want 5", o.Key, o.CreateRequests)
		}
	}
	if len(ledger) != workers*each || len(ids) != workers*each {
		t.Errorf("%d invoices with %d ids, want %d", len(ledger), len(ids), workers*each)
	}
	store2, err := emulator.OpenStore(store.Path())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store2.Close() })
	em2, err := New(Options{Store: store2.Journal("coinpay24"), Clock: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer em2.Close()
	if got := em2.Ledger(); fmt.Sprint(got) != fmt.Sprint(h.em.Ledger()) {
		t.Errorf("after a restart the ledger differs")
	}
}

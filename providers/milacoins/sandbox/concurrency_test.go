package sandbox

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/payform/payform/providers/emulator"
)

// TestConcurrentUse creates, lists, pays and reads the ledger at once:
// run it with -race.
func TestConcurrentUse(t *testing.T) {
	h := newHarness(t, Options{StrictExternalID: true})
	const workers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*3)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				key := fmt.Sprintf("w%d-%d", w, i)
				body := `{"wallet":"USD","amount":1,"currency":"USD","externalID":"` + key + `"}`
				status, _, got := h.send(http.MethodPost, "/api/v1/invoices", body, h.signed(http.MethodPost, "/api/v1/invoices", body))
				if status != http.StatusOK {
					errs <- fmt.Errorf("create %s: %d %s", key, status, got)
					continue
				}
				if _, err := h.em.Pay(emulator.Payment{Key: key}); err != nil {
					errs <- err
				}
				status, _, got = h.send(http.MethodGet, "/api/v1/transactions/invoices/?externalID="+key, "", h.signed(http.MethodGet, "/api/v1/transactions/invoices/?externalID="+key, ""))
				if status != http.StatusOK || !strings.Contains(got, `"count":1`) {
					errs <- fmt.Errorf("list %s: %d %s", key, status, got)
				}
				h.em.Ledger()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	ids := map[string]bool{}
	for _, o := range h.em.Ledger() {
		ids[o.ID] = true
	}
	if len(ids) != workers*each {
		t.Errorf("%d distinct ids, want %d", len(ids), workers*each)
	}
}

package sandbox

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers/emulator"
)

// receiver records the callbacks it gets, answering 500 to the first.
type receiver struct {
	mu   sync.Mutex
	got  []string // "METHOD REQUEST-URI BODY"
	fail int      // answers still to fail
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.got = append(rc.got, r.Method+" "+r.RequestURI+" "+string(body))
	if rc.fail > 0 {
		rc.fail--
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// calls returns the callbacks received so far.
func (rc *receiver) calls() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.got...)
}

func TestCallbacks(t *testing.T) {
	rc := &receiver{fail: 1}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	// 60,000: the minute before the first retry passes in a millisecond.
	h := newHarness(t, Options{CallbackScale: 60_000})
	body := `{"wallet":"USD","amount":3,"currency":"USD","externalID":"ord 1&2",` +
		`"cancelUrl":"https://shop.example/c/{INVOICE_ID}","completedUrl":"https://shop.example/d/{EXTERNAL_ID}",` +
		`"callbackUrl":"` + srv.URL + `/hook/{EVENT}?id={INVOICE_ID}&key={EXTERNAL_ID}"}`
	status, got := h.call(http.MethodPost, "/api/v1/invoices/payment-link", body)
	if status != http.StatusOK {
		t.Fatalf("payment link: %d %s", status, got)
	}
	paid, err := h.em.Pay(emulator.Payment{Key: "ord 1&2"})
	if err != nil {
		t.Fatal(err)
	}
	h.em.WaitCallbacks()
	complete := "GET /hook/complete?id=" + paid.ID + "&key=ord+1%262 "
	if diff := cmp.Diff([]string{complete, complete}, rc.calls()); diff != "" {
		t.Errorf("callbacks (-want +got):\n%s", diff)
	}
	ds := h.em.Deliveries()
	if len(ds) != 2 || ds[0].Status != 500 || ds[0].Final || ds[1].Status != 200 || !ds[1].Final || ds[1].Attempt != 2 {
		t.Errorf("deliveries = %+v, want a 500 then a final 200", ds)
	}

	// A cancelled (forced invalid) link sends cancel; a plain invoice,
	// which has no callbackUrl, sends nothing.
	other := h.create(`{"wallet":"USD","amount":3,"currency":"USD","externalID":"plain"}`)
	status, got = h.call(http.MethodPost, "/api/v1/invoices/payment-link", `{"wallet":"USD","amount":3,"currency":"USD","externalID":"gone",`+
		`"cancelUrl":"https://shop.example/c","completedUrl":"https://shop.example/d","callbackUrl":"`+srv.URL+`/hook?e={EVENT}"}`)
	if status != http.StatusOK {
		t.Fatalf("payment link: %d %s", status, got)
	}
	if err := h.em.ForceStatus(h.em.idFor("gone"), StatusInvalid); err != nil {
		t.Fatal(err)
	}
	if _, err := h.em.Pay(emulator.Payment{ID: other}); err != nil {
		t.Fatal(err)
	}
	h.em.WaitCallbacks()
	if got := rc.calls(); len(got) != 3 || got[2] != "GET /hook?e=cancel " {
		t.Errorf("callbacks after cancel: %q", got)
	}
	// Deliveries show through the admin API.
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/_sandbox/milacoins/deliveries", nil)
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || len(b) == 0 || !strings.Contains(string(b), `"status":500`) {
		t.Errorf("admin deliveries: %d %s", resp.StatusCode, b)
	}
}

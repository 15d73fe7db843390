package sandbox

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/providertest"
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
	// Paid, but waitingForConfirmation: no event yet. completedUrl is
	// "Redirect url on complete payment"; complete goes with the final
	// status.
	h.em.WaitCallbacks()
	if got := rc.calls(); len(got) != 0 {
		t.Errorf("callbacks while waitingForConfirmation: %q", got)
	}
	h.clock.Advance(DefaultConfirmAfter)
	h.call(http.MethodGet, "/api/v1/wallets", "") // any request sends what fell due
	h.em.WaitCallbacks()
	complete := "GET /hook/complete?id=" + paid.ID + "&key=ord+1%262 "
	if diff := cmp.Diff([]string{complete, complete}, rc.calls()); diff != "" {
		t.Errorf("callbacks (-want +got):\n%s", diff)
	}
	ds := h.em.Deliveries()
	if len(ds) != 2 || ds[0].Status != 500 || ds[0].Final || ds[1].Status != 200 || !ds[1].Final || ds[1].Attempt != 2 {
		t.Errorf("deliveries = %+v, want a 500 then a final 200", ds)
	}
	h.clock.Advance(DefaultExpiry) // nothing more: it is completed for good
	h.call(http.MethodGet, "/api/v1/wallets", "")
	h.em.WaitCallbacks()
	if got := rc.calls(); len(got) != 2 {
		t.Errorf("callbacks after the expiry of a completed link: %q", got)
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
	h.clock.Advance(DefaultExpiry)
	h.call(http.MethodGet, "/api/v1/wallets", "")
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

// TestCallbackEvents: which event each way a payment link ends sends, and
// when. The page: callbackUrl "events options: cancel,complete";
// completedUrl "Redirect url on complete payment"; cancelUrl "Redirect
// url on cancel payment or error".
func TestCallbackEvents(t *testing.T) {
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	h := newHarness(t, Options{CallbackScale: 60_000})
	link := func(key string) string {
		status, got := h.call(http.MethodPost, "/api/v1/invoices/payment-link", `{"wallet":"USD","amount":10,"currency":"USD","externalID":"`+key+`",`+
			`"cancelUrl":"https://shop.example/c","completedUrl":"https://shop.example/d","callbackUrl":"`+srv.URL+`/{EVENT}/{EXTERNAL_ID}"}`)
		if status != http.StatusOK {
			t.Fatalf("payment link: %d %s", status, got)
		}
		return key
	}
	pay := func(key, mode string) {
		if _, err := h.em.Pay(emulator.Payment{Key: key, Mode: mode}); err != nil {
			t.Fatal(err)
		}
	}
	link("full")
	link("short")
	link("more")
	link("unpaid")
	link("late")
	pay("full", emulator.PayFull)
	pay("short", emulator.PayPartial)
	pay("more", emulator.PayOver)
	h.clock.Advance(DefaultConfirmAfter)
	h.call(http.MethodGet, "/api/v1/wallets", "")
	h.em.WaitCallbacks()
	want := []string{"GET /cancel/short ", "GET /complete/full ", "GET /complete/more "}
	if diff := cmp.Diff(want, sorted(rc.calls())); diff != "" {
		t.Errorf("at the final statuses (-want +got):\n%s", diff)
	}
	// The links not paid expire: cancel. One is paid late: complete.
	h.clock.Advance(DefaultExpiry)
	h.call(http.MethodGet, "/api/v1/wallets", "")
	pay("late", emulator.PayFull)
	h.clock.Advance(DefaultConfirmAfter)
	h.call(http.MethodGet, "/api/v1/wallets", "")
	h.em.WaitCallbacks()
	want = append(want, "GET /cancel/late ", "GET /cancel/unpaid ", "GET /complete/late ")
	if diff := cmp.Diff(sorted(want), sorted(rc.calls())); diff != "" {
		t.Errorf("after the expiry (-want +got):\n%s", diff)
	}
	if got := h.list("/api/v1/transactions/invoices/?externalID=late").Docs[0].Status; got != StatusPaidLate {
		t.Errorf("late: %s", got)
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	slices.Sort(out)
	return out
}

// TestCallbackEventsRestartAndTimer: a due event goes from the timer with
// no request to wake it, is journalled, and is neither repeated nor lost
// across a restart.
func TestCallbackEventsRestartAndTimer(t *testing.T) {
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "sandbox.jsonl")
	clock := providertest.NewClock(t0)
	open := func() (*Emulator, *emulator.Store) {
		store, err := emulator.OpenStore(path)
		if err != nil {
			t.Fatal(err)
		}
		// A tenth of a second of confirmations, so that the timer fires
		// in the test's time.
		em, err := New(Options{Store: store.Journal("milacoins"), Clock: clock.Now, ConfirmAfter: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		return em, store
	}
	em, store := open()
	h := &harness{t: t, em: em, clock: clock}
	h.srv = newServer(t, em)
	h.url = h.srv.URL + "/milacoins"
	for _, key := range []string{"a", "b"} {
		status, body := h.call(http.MethodPost, "/api/v1/invoices/payment-link", `{"wallet":"USD","amount":10,"currency":"USD","externalID":"`+key+`",`+
			`"cancelUrl":"https://x.example/c","completedUrl":"https://x.example/d","callbackUrl":"`+srv.URL+`/{EVENT}/{EXTERNAL_ID}"}`)
		if status != http.StatusOK {
			t.Fatalf("payment link: %d %s", status, body)
		}
		if _, err := em.Pay(emulator.Payment{Key: key}); err != nil {
			t.Fatal(err)
		}
	}
	// The timer: the clock moves, nothing calls the emulator.
	clock.Advance(100 * time.Millisecond)
	deadline := time.Now().Add(5 * time.Second)
	for len(rc.calls()) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	em.WaitCallbacks()
	if diff := cmp.Diff([]string{"GET /complete/a ", "GET /complete/b "}, sorted(rc.calls())); diff != "" {
		t.Fatalf("from the timer (-want +got):\n%s", diff)
	}
	em.Close()
	store.Close()

	em, store = open()
	defer store.Close()
	defer em.Close()
	em.Ledger()
	em.WaitCallbacks()
	if got := rc.calls(); len(got) != 2 {
		t.Errorf("after a restart: %q, want the two events once", got)
	}
}

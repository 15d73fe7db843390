package sandbox

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/providertest"
)

// snapshot is everything the API and the ledger show.
type snapshot struct {
	Ledger   []emulator.LedgerObject
	Invoices []string // the get answers, by id
	List     string
}

func snap(h *harness) snapshot {
	s := snapshot{Ledger: h.em.Ledger()}
	for _, o := range s.Ledger {
		_, body := h.post("/invoices/" + o.ID)
		s.Invoices = append(s.Invoices, body)
	}
	_, s.List = h.post("/invoices", "sort", "created_at_asc")
	return s
}

// reopen builds a new emulator over the store file at path, as a
// restarted process would, with the clock at now.
func reopen(t *testing.T, path string, now time.Time, opts Options) *harness {
	t.Helper()
	store, err := emulator.OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	clock := providertest.NewClock(now)
	opts.Store, opts.Clock = store.Journal("coinpay24"), clock.Now
	h := newHarness(t, opts)
	h.clock = clock
	return h
}

func TestPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox", "data.jsonl")
	rt := &recordingTransport{}
	opts := Options{CallbackClient: &http.Client{Transport: rt}}
	hook := []string{"callback_url", "http://merchant.example/hook"}
	h := reopen(t, path, t0, opts)
	a := h.create("a", "100", "USD", hook...)
	h.post("/invoices/create", "order_id", "a", "price_amount", "-1", "price_currency", "USD") // refused: counted
	b := h.create("b", "0.5", "ETH", "title", "Ünïcode title", "description", "d", "success_url", "https://s.example", "cancel_url", "https://c.example")
	h.post("/invoices/"+a+"/checkout", "pay_currency", "BTC", "purchaser_email", "p@example.com")
	h.clock.Advance(time.Minute)
	if _, err := h.em.Pay(emulator.Payment{ID: a, Mode: emulator.PayOver}); err != nil {
		t.Fatal(err)
	}
	c := h.create("c", "10", "EUR", hook...) // will expire while the emulator is down
	if _, err := h.em.SetStatus(b, "", StatusInvalid); err != nil {
		t.Fatal(err)
	}
	h.create("a", "7", "GBP")
	before := snap(h)
	if diff := cmp.Diff([]string{
		"a 1 USD 100 paid 3",
		"a 4 GBP 7 new 3",
		"b 2 ETH 0.5 invalid 1",
		"c 3 EUR 10 new 1",
	}, ledgerLines(h.em)); diff != "" {
		t.Errorf("ledger before restart (-want +got):\n%s", diff)
	}
	h.em.Close()

	// A restart, with a write torn by a kill at the end of the file.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"gateway":"coinpay24","record":{"op":"create","id":5,"order_id":"z","amo`)
	f.Close()
	h2 := reopen(t, path, t0.Add(time.Minute), opts)
	if diff := cmp.Diff(before, snap(h2)); diff != "" {
		t.Errorf("state after restart (-before +after):\n%s", diff)
	}
	// Ids and counters carry on.
	if id := h2.create("a", "1", "USD"); id != "5" {
		t.Errorf("next id %s, want 5", id)
	}

	// c expires while down; the next start sends its callback once.
	h3 := reopen(t, path, t0.Add(time.Hour), opts)
	h3.post("/invoices/" + c)
	h3.em.WaitCallbacks()
	h4 := reopen(t, path, t0.Add(2*time.Hour), opts)
	h4.post("/invoices/" + c)
	h4.em.WaitCallbacks()
	var got []string
	for _, cb := range append(h.em.Callbacks(), append(h3.em.Callbacks(), h4.em.Callbacks()...)...) {
		got = append(got, cb.OrderID+" "+cb.Status)
	}
	if diff := cmp.Diff([]string{"a pending", "a paid", "c expired"}, got); diff != "" {
		t.Errorf("callbacks over the restarts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{
		"a 1 USD 100 paid 4",
		"a 4 GBP 7 expired 4",
		"a 5 USD 1 expired 4",
		"b 2 ETH 0.5 invalid 1",
		"c 3 EUR 10 expired 1",
	}, ledgerLines(h4.em)); diff != "" {
		t.Errorf("ledger after restarts (-want +got):\n%s", diff)
	}
}

func TestJournalFailureChangesNothing(t *testing.T) {
	store, err := emulator.OpenStore(filepath.Join(t.TempDir(), "data.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Options{Store: store.Journal("coinpay24")})
	id := h.create("a", "1", "USD")
	store.Close()
	const internal = `{"error_message":"Internal Server Error","errors":{}}`
	status, body := h.post("/invoices/create", "order_id", "b", "price_amount", "1", "price_currency", "USD")
	providertest.Expect(t, "create with a closed store", status, body, 500, internal)
	status, body = h.post("/invoices/"+id+"/checkout", "pay_currency", "BTC")
	providertest.Expect(t, "checkout with a closed store", status, body, 500, internal)
	if _, err := h.em.Pay(emulator.Payment{ID: id}); err == nil {
		t.Error("Pay with a closed store succeeded")
	}
	status, body = h.admin(http.MethodPost, "/_sandbox/coinpay24/status", `{"id":"1","status":"canceled"}`)
	if status != 500 {
		t.Errorf("admin status with a closed store: %d %s", status, body)
	}
	if diff := cmp.Diff([]string{"a 1 USD 1 new 1"}, ledgerLines(h.em)); diff != "" {
		t.Errorf("ledger (-want +got):\n%s", diff)
	}
}

package sandbox

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/providertest"
)

// snapshot is everything an emulator shows of its state.
type snapshot struct {
	Ledger   []emulator.LedgerObject
	Balances map[string]string
	Enabled  []string
}

func snap(em *Emulator) snapshot {
	s := snapshot{Ledger: em.Ledger(), Balances: map[string]string{}, Enabled: em.Enabled()}
	for code, d := range em.Balances() {
		s.Balances[code] = d.String()
	}
	return s
}

// reopen builds a new emulator over the store file at path, as a
// restarted process would.
func reopen(t *testing.T, path string, opts Options) *harness {
	t.Helper()
	store, err := emulator.OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	opts.Store = store.Journal("wllxpay")
	return newHarness(t, opts)
}

func TestPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox", "data.jsonl")
	opts := Options{V2Lookup: true, Balances: map[string]decimal.Decimal{"BTC": decimal.NewFromInt(10), "XRP": decimal.NewFromInt(100)}}
	h := reopen(t, path, opts)
	btc := address(t, "BTC", "a")
	h.post(makePath, withdrawalBody("BTC", "w1", "1.5", btc))
	h.post(makePath, withdrawalBody("BTC", "w1", "1.5", btc)) // refused: counted
	h.post(makePath, withdrawalBody("BTC", "w2", "99", btc))  // refused: no balance
	h.post(takePath, `{"currency":"XRP","foreign_id":"c1"}`)
	h.post(takePath, `{"currency":"XRP","foreign_id":"c1"}`)
	h.clock.Advance(5 * time.Second)
	h.post(makePath, withdrawalBody("BTC", "w3", "0.5", btc))
	if err := h.em.ForceStatus("w3", StatusError); err != nil {
		t.Fatal(err)
	}
	if err := h.em.SetBalances(map[string]decimal.Decimal{"ETH": decimal.RequireFromString("2.5")}); err != nil {
		t.Fatal(err)
	}
	if err := h.em.SetEnabled([]string{"BTC", "ETH", "XRP"}); err != nil {
		t.Fatal(err)
	}
	before := snap(h.em)
	if diff := cmp.Diff([]string{
		"address c1/XRP 1 XRP  active 2",
		"address c1/XRP 2 XRP  active 2",
		"withdrawal w1 1 BTC 1.5 processing 2",
		"withdrawal w3 2 BTC 0.5 error 1",
	}, ledgerLines(h.em)); diff != "" {
		t.Errorf("ledger before restart (-want +got):\n%s", diff)
	}

	// A restart, with a write torn by a kill at the end of the file.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"gateway":"wllxpay","record":{"op":"withdrawal","id":3,"foreign_id":"w4","curr`)
	f.Close()
	h2 := reopen(t, path, opts)
	if diff := cmp.Diff(before, snap(h2.em)); diff != "" {
		t.Errorf("state after restart (-before +after):\n%s", diff)
	}

	// Keys, counters and ids carry on.
	status, body := h2.post(makePath, withdrawalBody("BTC", "w1", "1.5", btc))
	providertest.Expect(t, "w1 after restart", status, body, 400, `{"errors":{"foreign_id":"The Foreign ID has already been taken."},"error_code":"foreign_id_taken"}`)
	status, body = h2.post(makePath, withdrawalBody("BTC", "w2", "1", btc))
	if status != 201 || !contains(body, `"id":3,"currency":"BTC"`) {
		t.Errorf("w2 after restart: %d %s, want 201 with id 3", status, body)
	}
	if got := take(t, h2, "XRP", "c1"); got.Data.ID != 3 {
		t.Errorf("third address has id %d, want 3", got.Data.ID)
	}
	status, body = h2.signed(http.MethodGet, infoPath, `{"foreign_id":"w3"}`)
	if status != 200 || !contains(body, `"status":"cancelled"`) {
		t.Errorf("v2 w3 after restart: %d %s", status, body)
	}
	h3 := reopen(t, path, opts)
	if diff := cmp.Diff(snap(h2.em), snap(h3.em)); diff != "" {
		t.Errorf("second restart (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff([]string{
		"address c1/XRP 1 XRP  active 3",
		"address c1/XRP 2 XRP  active 3",
		"address c1/XRP 3 XRP  active 3",
		"withdrawal w1 1 BTC 1.5 processing 3",
		"withdrawal w2 3 BTC 1 processing 2",
		"withdrawal w3 2 BTC 0.5 error 1",
	}, ledgerLines(h3.em)); diff != "" {
		t.Errorf("ledger after restarts (-want +got):\n%s", diff)
	}
}

func TestJournalFailureChangesNothing(t *testing.T) {
	store, err := emulator.OpenStore(filepath.Join(t.TempDir(), "data.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Options{Store: store.Journal("wllxpay")})
	store.Close()
	status, body := h.post(makePath, withdrawalBody("BTC", "w1", "1", address(t, "BTC", "a")))
	providertest.Expect(t, "make with a closed store", status, body, 500, `{"error":"Internal Server Error"}`)
	status, body = h.post(takePath, `{"currency":"BTC","foreign_id":"c1"}`)
	providertest.Expect(t, "take with a closed store", status, body, 500, `{"error":"Internal Server Error"}`)
	if got := ledgerLines(h.em); len(got) != 0 {
		t.Errorf("ledger %v, want nothing", got)
	}
	if got := h.em.Balances()["BTC"]; !got.Equal(decimal.NewFromInt(1000)) {
		t.Errorf("BTC balance %s, want 1000", got)
	}
	status, body = h.sandbox(http.MethodPut, "/_sandbox/wllxpay/balances", `{"BTC":"1"}`)
	if status != 500 {
		t.Errorf("admin PUT with a closed store: %d %s, want 500", status, body)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

package sandbox

import (
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/payform/payform/providers/emulator"
)

// merchant is the merchant's callback endpoint: it checks each callback
// the way a merchant must (X-Processing-Key is the merchant's key,
// X-Processing-Signature the HMAC-SHA512 of the raw body with the
// secret), records it, and answers the scripted statuses in turn (200
// once the script is used up).
type merchant struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	script   []int
	got      []map[string]string // every verified callback received, retries included
	bodies   []string
	received chan struct{}
}

func newMerchant(t *testing.T, script ...int) *merchant {
	m := &merchant{t: t, script: script, received: make(chan struct{}, 100)}
	m.srv = httptest.NewServer(http.HandlerFunc(m.serve))
	t.Cleanup(m.srv.Close)
	return m
}

func (m *merchant) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	switch {
	case r.Method != http.MethodPost:
		m.t.Errorf("callback method %s, want POST", r.Method)
	case r.Header.Get("Content-Type") != "application/json":
		m.t.Errorf("callback Content-Type %q", r.Header.Get("Content-Type"))
	case r.Header.Get("X-Processing-Key") != DefaultKey:
		m.t.Errorf("callback X-Processing-Key %q, want %q", r.Header.Get("X-Processing-Key"), DefaultKey)
	case !hmac.Equal([]byte(r.Header.Get("X-Processing-Signature")), []byte(testSign(DefaultSecret, string(body)))):
		m.t.Errorf("callback signature %q does not sign the body %s", r.Header.Get("X-Processing-Signature"), body)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var fields map[string]string // every value a string, as the vendor sends
	if err := json.Unmarshal(body, &fields); err != nil {
		m.t.Errorf("callback body %s: %v", body, err)
	}
	m.mu.Lock()
	m.got = append(m.got, fields)
	m.bodies = append(m.bodies, string(body))
	status := http.StatusOK
	if len(m.script) > 0 {
		status, m.script = m.script[0], m.script[1:]
	}
	m.mu.Unlock()
	w.WriteHeader(status)
	m.received <- struct{}{}
}

// seen lists "foreign_id status" for every callback received.
func (m *merchant) seen() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, f := range m.got {
		out = append(out, f["foreign_id"]+" "+f["status"])
	}
	return out
}

// bodies returns the bodies received for a foreign_id and status.
func (m *merchant) bodiesFor(fid, status string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for i, f := range m.got {
		if f["foreign_id"] == fid && f["status"] == status {
			out = append(out, m.bodies[i])
		}
	}
	return out
}

// fast makes the callback schedule's minutes pass in microseconds.
const fast = 60_000_000

// TestWithdrawalCallbacks: every status change of a withdrawal, forced
// through the admin API or made by the clock, reaches the merchant as
// the vendor's flat, signed callback with type "withdrawal" and the
// foreign_id, retried until it is answered 200.
func TestWithdrawalCallbacks(t *testing.T) {
	m := newMerchant(t, 500, 503) // the first callback is answered 500, then 503, then 200
	h := newHarness(t, Options{ConfirmAfter: time.Minute, CallbackScale: fast})
	status, body := h.sandbox(http.MethodPut, "/_sandbox/wllxpay/callback", fmt.Sprintf(`{"url":%q}`, m.srv.URL))
	if status != 200 {
		t.Fatalf("PUT /callback: %d %s", status, body)
	}
	btc := address(t, "BTC", "dest")
	xrp := address(t, "XRP", "dest")
	h.post(makePath, withdrawalBody("BTC", "w-err", "0.5", btc))
	h.post(makePath, withdrawalBody("BTC", "w-ok", "0.25", btc))
	h.post(makePath, fmt.Sprintf(`{"currency":"XRP","foreign_id":"w-tag","amount":"12.5","address":%q,"tag":"77"}`, xrp))
	h.post(makePath, withdrawalBody("ETH", "w-cxl", "1", address(t, "ETH", "dest")))
	h.em.WaitCallbacks()
	if got := m.seen(); len(got) != 0 {
		t.Fatalf("callbacks before any status change: %v", got)
	}

	for _, force := range []struct{ fid, status string }{
		{"w-err", StatusError},
		{"w-cxl", StatusProcessing}, // no change: no callback
		{"w-cxl", StatusCancelled},
		{"w-cxl", StatusCancelled}, // no change: no callback
	} {
		status, body := h.sandbox(http.MethodPost, "/_sandbox/wllxpay/status", fmt.Sprintf(`{"foreign_id":%q,"status":%q}`, force.fid, force.status))
		if status != 200 {
			t.Fatalf("POST /status %v: %d %s", force, status, body)
		}
		h.em.WaitCallbacks()
	}
	h.clock.Advance(59 * time.Second)
	h.post(makePath, withdrawalBody("BTC", "w-late", "0.1", btc)) // not yet due: nothing
	h.em.WaitCallbacks()
	h.clock.Advance(time.Second)
	h.sandbox(http.MethodGet, "/_sandbox/wllxpay/balances", "") // any request sends what the clock made due
	h.em.WaitCallbacks()
	h.clock.Advance(time.Hour)
	h.post(makePath, withdrawalBody("BTC", "w-ok", "0.25", btc)) // a refused resend sends w-late's
	h.em.WaitCallbacks()

	// Deliveries run concurrently: the order received is the order sent
	// only where one waited for the other (the sent log below has it).
	want := []string{
		"w-cxl cancelled",
		"w-err error", "w-err error", "w-err error", // answered 500, 503, then 200
		"w-late confirmed",
		"w-ok confirmed", "w-tag confirmed", // by the clock, at 60 s
	}
	if diff := cmp.Diff(want, m.seen(), cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("callbacks received (-want +got):\n%s", diff)
	}
	if b := m.bodiesFor("w-err", "error"); len(b) != 3 || b[0] != b[1] || b[1] != b[2] {
		t.Errorf("a retry is not the same callback:\n%s", strings.Join(b, "\n"))
	}
	wantBodies := map[string]string{
		"w-err error": fmt.Sprintf(`{"address":%q,"amount":"0.5","confirmations":"0","currency":"BTC","currency_fee":"BTC","error":"The withdrawal could not be sent to the network.","fee":"0.00000000","foreign_id":"w-err","id":"1","status":"error","txid":"","type":"withdrawal"}`, btc),
		"w-cxl cancelled": fmt.Sprintf(`{"address":%q,"amount":"1","confirmations":"1","currency":"ETH","currency_fee":"ETH","error":"","fee":"0.000000000000000000","foreign_id":"w-cxl","id":"4","status":"cancelled","txid":%q,"type":"withdrawal"}`,
			address(t, "ETH", "dest"), withdrawalTxID(4, "w-cxl")),
		"w-tag confirmed": fmt.Sprintf(`{"address":%q,"amount":"12.5","confirmations":"1","currency":"XRP","currency_fee":"XRP","error":"","fee":"0.000000","foreign_id":"w-tag","id":"3","status":"confirmed","tag":"77","txid":%q,"type":"withdrawal"}`,
			xrp, withdrawalTxID(3, "w-tag")),
	}
	for which, want := range wantBodies {
		fid, status, _ := strings.Cut(which, " ")
		if got := m.bodiesFor(fid, status); len(got) == 0 || got[0] != want {
			t.Errorf("%s callback body\n got %s\nwant %s", which, got, want)
		}
	}

	// The deliveries log shows the retries; the callbacks log what was sent.
	var attempts []string
	for _, d := range h.em.CallbackDeliveries() {
		attempts = append(attempts, fmt.Sprintf("%d %d %v", d.Attempt, d.Status, d.Final))
	}
	if diff := cmp.Diff([]string{"1 500 false", "2 503 false", "3 200 true", "1 200 true", "1 200 true", "1 200 true", "1 200 true"}, attempts,
		cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
	var sent []string
	for _, cb := range h.em.Callbacks() {
		sent = append(sent, cb.Type+" "+cb.ID+" "+cb.ForeignID+" "+cb.Status+" "+cb.At.Format(time.TimeOnly))
	}
	if diff := cmp.Diff([]string{
		"withdrawal 1 w-err error 12:00:00",
		"withdrawal 4 w-cxl cancelled 12:00:00",
		"withdrawal 2 w-ok confirmed 12:01:00",
		"withdrawal 3 w-tag confirmed 12:01:00",
		"withdrawal 5 w-late confirmed 12:01:59",
	}, sent); diff != "" {
		t.Errorf("callbacks sent (-want +got):\n%s", diff)
	}
}

// withdrawalTxID is the emulator's txid of a broadcast withdrawal.
func withdrawalTxID(id int64, foreignID string) string {
	return withdrawalFields(&withdrawal{id: id, foreignID: foreignID, currency: "BTC"}, StatusConfirmed)["txid"]
}

// TestWithdrawalCallbackSchedule: a callback never answered 200 is sent
// once and retried on WllxPay's 13-step schedule, then given up.
func TestWithdrawalCallbackSchedule(t *testing.T) {
	var wantSchedule []time.Duration
	for _, m := range []int{1, 5, 10, 15, 20, 30, 60, 90, 120, 150, 180, 210, 240} {
		wantSchedule = append(wantSchedule, time.Duration(m)*time.Minute)
	}
	if diff := cmp.Diff(wantSchedule, callbackSchedule); diff != "" {
		t.Errorf("schedule (-want +got):\n%s", diff)
	}
	script := make([]int, 20)
	for i := range script {
		script[i] = http.StatusInternalServerError
	}
	m := newMerchant(t, script...)
	h := newHarness(t, Options{CallbackURL: m.srv.URL, CallbackScale: fast})
	h.post(makePath, withdrawalBody("BTC", "w1", "1", address(t, "BTC", "a")))
	if err := h.em.ForceStatus("w1", StatusError); err != nil {
		t.Fatal(err)
	}
	h.em.WaitCallbacks()
	d := h.em.CallbackDeliveries()
	if len(d) != 14 || !d[13].Final || d[12].Final || len(m.seen()) != 14 {
		t.Errorf("%d deliveries (%d received), want 14: the first and 13 retries, the last final", len(d), len(m.seen()))
	}
}

// TestWithdrawalCallbackRestart: a confirmation the clock made while the
// emulator was down is sent when it starts again, once: the sending is
// journalled, so a second restart does not repeat it.
func TestWithdrawalCallbackRestart(t *testing.T) {
	m := newMerchant(t)
	path := filepath.Join(t.TempDir(), "data.jsonl")
	opts := Options{ConfirmAfter: time.Minute, CallbackURL: m.srv.URL, CallbackScale: fast}
	h := reopen(t, path, opts)
	h.post(makePath, withdrawalBody("BTC", "w1", "1", address(t, "BTC", "a")))
	h.post(makePath, withdrawalBody("BTC", "w2", "1", address(t, "BTC", "a")))
	if err := h.em.ForceStatus("w2", StatusCancelled); err != nil {
		t.Fatal(err)
	}
	h.em.WaitCallbacks()
	h.em.Close()
	for range 2 {
		opts.Clock = func() time.Time { return t0.Add(time.Hour) }
		again := reopen(t, path, opts)
		again.em.WaitCallbacks()
		again.em.Close()
	}
	if diff := cmp.Diff([]string{"w2 cancelled", "w1 confirmed"}, m.seen()); diff != "" {
		t.Errorf("callbacks (-want +got):\n%s", diff)
	}
}

// TestWithdrawalCallbackTimer: with the wall clock, a withdrawal's
// confirmation callback is sent on time without any further request.
func TestWithdrawalCallbackTimer(t *testing.T) {
	m := newMerchant(t)
	em, err := New(Options{ConfirmAfter: 50 * time.Millisecond, CallbackURL: m.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(em.Close)
	srv := httptest.NewServer(emulator.NewServer(emulator.ServerOptions{Emulators: []emulator.Emulator{em}}))
	t.Cleanup(srv.Close)
	h := &harness{t: t, em: em, srv: srv, url: srv.URL + "/wllxpay"}
	if status, body := h.post(makePath, withdrawalBody("BTC", "w1", "1", address(t, "BTC", "a"))); status != 201 {
		t.Fatalf("make: %d %s", status, body)
	}
	select {
	case <-m.received:
	case <-time.After(5 * time.Second):
		t.Fatal("no confirmed callback within 5 s")
	}
	if diff := cmp.Diff([]string{"w1 confirmed"}, m.seen()); diff != "" {
		t.Errorf("callbacks (-want +got):\n%s", diff)
	}
}

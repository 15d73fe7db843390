package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/providertest"
)

// t0 is when every test's clock starts.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// harness is an emulator behind emulator.Server on a real port.
type harness struct {
	t     testing.TB
	em    *Emulator
	clock *providertest.Clock
	srv   *httptest.Server
	url   string // the API base: srv.URL + "/coinpay24/v1"
}

func newHarness(t testing.TB, opts Options) *harness {
	t.Helper()
	clock := providertest.NewClock(t0)
	if opts.Clock == nil {
		opts.Clock = clock.Now
	}
	em, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(em.Close)
	srv := httptest.NewServer(emulator.NewServer(emulator.ServerOptions{Emulators: []emulator.Emulator{em}}))
	t.Cleanup(srv.Close)
	return &harness{t: t, em: em, clock: clock, srv: srv, url: srv.URL + "/coinpay24/v1"}
}

// send sends a request to the API with exactly the given body and
// Content-Type ("" for none); it returns the status and the body.
func (h *harness) send(method, path, contentType, body string) (int, string) {
	h.t.Helper()
	status, got, err := h.try(method, path, contentType, body)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	return status, got
}

// try is send for goroutines other than the test's.
func (h *harness) try(method, path, contentType, body string) (int, string, error) {
	req, err := http.NewRequest(method, h.url+path, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

const formType = "application/x-www-form-urlencoded"

// post sends form fields with the default api_key.
func (h *harness) post(path string, fields ...string) (int, string) {
	h.t.Helper()
	v := url.Values{"api_key": {DefaultAPIKey}}
	for i := 0; i+1 < len(fields); i += 2 {
		v.Set(fields[i], fields[i+1])
	}
	return h.send(http.MethodPost, path, formType, v.Encode())
}

// create creates an invoice and returns its id.
func (h *harness) create(orderID, amount, currency string, fields ...string) string {
	h.t.Helper()
	status, body := h.post("/invoices/create", append([]string{"order_id", orderID, "price_amount", amount, "price_currency", currency}, fields...)...)
	if status != http.StatusOK {
		h.t.Fatalf("create %s: %d %s", orderID, status, body)
	}
	_, rest, _ := strings.Cut(body, `{"id":`)
	id, _, _ := strings.Cut(rest, ",")
	return id
}

// admin calls the server's admin API at path (e.g. "/_sandbox/pay").
func (h *harness) admin(method, path, body string) (int, string) {
	h.t.Helper()
	return providertest.Call(h.t, h.srv.Client(), method, h.srv.URL+path, body)
}

// ledgerLines summarises the ledger, one "key id currency amount status
// create_requests" line per invoice.
func ledgerLines(em *Emulator) []string {
	var out []string
	for _, o := range em.Ledger() {
		out = append(out, strings.Join([]string{o.Key, o.ID, o.Currency, o.Amount, o.Status, strconv.Itoa(o.CreateRequests)}, " "))
	}
	return out
}

// testSign is the test's own verify_hash: the plugins' recipe, written
// out again.
func testSign(key string, form url.Values) string {
	names := make([]string, 0, len(form))
	for k := range form {
		if k != "verify_hash" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = url.QueryEscape(k) + "=" + url.QueryEscape(form.Get(k))
	}
	m := hmac.New(sha256.New, []byte(key))
	io.WriteString(m, strings.Join(parts, "&"))
	return hex.EncodeToString(m.Sum(nil))
}

package sandbox

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/payform/payform/money"
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
	url   string // the gateway's mount: srv.URL + "/wllxpay"
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
	return &harness{t: t, em: em, clock: clock, srv: srv, url: srv.URL + "/wllxpay"}
}

// testSign is the test's own HMAC-SHA512 signer.
func testSign(secret, body string) string {
	m := hmac.New(sha512.New, []byte(secret))
	io.WriteString(m, body)
	return hex.EncodeToString(m.Sum(nil))
}

// raw sends a request with exactly the given headers.
func (h *harness) raw(method, path, body string, header map[string]string) (int, string) {
	h.t.Helper()
	status, got, err := h.try(method, path, body, header)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	return status, got
}

// try is raw for goroutines other than the test's: it reports errors.
func (h *harness) try(method, path, body string, header map[string]string) (int, string, error) {
	req, err := http.NewRequest(method, h.url+path, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	for k, v := range header {
		req.Header[k] = []string{v} // as written, not canonicalised
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// signedHeader is the header of a correctly signed JSON request with the
// default credentials.
func signedHeader(body string) map[string]string {
	return map[string]string{
		"Content-Type":           "application/json",
		"X-Processing-Key":       DefaultKey,
		"X-Processing-Signature": testSign(DefaultSecret, body),
	}
}

// signed sends a correctly signed JSON request with the default
// credentials.
func (h *harness) signed(method, path, body string) (int, string) {
	h.t.Helper()
	return h.raw(method, path, body, signedHeader(body))
}

func (h *harness) post(path, body string) (int, string) {
	h.t.Helper()
	return h.signed(http.MethodPost, path, body)
}

// address returns a valid address for currency, distinct per seed.
func address(t *testing.T, currency, seed string) string {
	t.Helper()
	a, err := money.GenerateAddress(currency, []byte("test/"+seed))
	if err != nil {
		t.Fatalf("GenerateAddress(%s): %v", currency, err)
	}
	return a
}

// ledgerLines summarises the ledger, one "kind key id currency amount
// status create_requests" line per object.
func ledgerLines(em *Emulator) []string {
	var out []string
	for _, o := range em.Ledger() {
		out = append(out, strings.Join([]string{o.Kind, o.Key, o.ID, o.Currency, o.Amount, o.Status, strconv.Itoa(o.CreateRequests)}, " "))
	}
	return out
}

// sandbox calls the server's admin API at path (e.g. "/_sandbox/faults").
func (h *harness) sandbox(method, path, body string) (int, string) {
	h.t.Helper()
	return providertest.Call(h.t, h.srv.Client(), method, h.srv.URL+path, body)
}

package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/providertest"
)

// t0 is when every test's clock starts.
var t0 = time.Date(2025, 1, 28, 14, 30, 0, 0, time.UTC)

// harness is an emulator behind emulator.Server on a real port.
type harness struct {
	t     testing.TB
	em    *Emulator
	clock *providertest.Clock
	srv   *httptest.Server
	url   string // the gateway's mount: srv.URL + "/miraclepay"
}

func newHarness(t testing.TB, opts Options) *harness {
	t.Helper()
	clock := providertest.NewClock(t0)
	if opts.Clock == nil {
		opts.Clock = clock.Now
	}
	if opts.Entropy == nil {
		opts.Entropy = &providertest.Counter{}
	}
	em, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(emulator.NewServer(emulator.ServerOptions{Emulators: []emulator.Emulator{em}}))
	t.Cleanup(srv.Close)
	return &harness{t: t, em: em, clock: clock, srv: srv, url: srv.URL + "/miraclepay"}
}

// basic is the Authorization header for id:key.
func basic(id, key string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+key))
}

var defaultAuth = basic(DefaultClientID, DefaultAPIKey)

// do sends a request with the given Authorization ("" for none) and a
// JSON body ("" for none).
func (h *harness) do(method, path, auth, body string) (int, string) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (h *harness) post(body string) (int, string) {
	h.t.Helper()
	return h.do(http.MethodPost, "/external/payments/prompt", defaultAuth, body)
}

// create makes a prompt from body and returns its id.
func (h *harness) create(body string) string {
	h.t.Helper()
	status, got := h.post(body)
	var out struct{ Prompt struct{ ID string } }
	if err := json.Unmarshal([]byte(got), &out); err != nil || status != 201 || out.Prompt.ID == "" {
		h.t.Fatalf("create: %d %s", status, got)
	}
	return out.Prompt.ID
}

// promptBody is a valid create body for key's note.
func promptBody(key string) string {
	return `{"amount":100.50,"blockchainIds":["eth"],"payer":"customer","note":"payform:` + key + `"}`
}

// status reads a prompt's status word.
func (h *harness) status(id string) string {
	h.t.Helper()
	code, body := h.do(http.MethodGet, "/external/payments/prompt/"+id, defaultAuth, "")
	var out struct{ Status string }
	if err := json.Unmarshal([]byte(body), &out); err != nil || code != 200 {
		h.t.Fatalf("GET %s: %d %s", id, code, body)
	}
	return out.Status
}

// ledgerLines summarises the ledger, one "key amount status
// create_requests" line per object.
func ledgerLines(em *Emulator) []string {
	var out []string
	for _, o := range em.Ledger() {
		out = append(out, strings.Join([]string{o.Key, o.Currency, o.Amount, o.Status, strconv.Itoa(o.CreateRequests)}, " "))
	}
	return out
}

// admin calls the server's admin API at path (e.g. "/_sandbox/pay").
func (h *harness) admin(method, path, body string) (int, string) {
	h.t.Helper()
	return providertest.Call(h.t, h.srv.Client(), method, h.srv.URL+path, body)
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

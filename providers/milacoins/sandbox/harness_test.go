package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/providertest"
)

// t0 is when every test's clock starts.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// harness is an emulator behind emulator.Server on a real port, mounted
// at /milacoins as `payform sandbox serve` mounts it.
type harness struct {
	t      testing.TB
	em     *Emulator
	clock  *providertest.Clock
	faults *emulator.FaultInjector
	srv    *httptest.Server
	url    string // srv.URL + "/milacoins"
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
	faults := emulator.NewFaultInjector(emulator.Faults{})
	srv := httptest.NewServer(emulator.NewServer(emulator.ServerOptions{Emulators: []emulator.Emulator{em}, Faults: faults}))
	t.Cleanup(srv.Close)
	return &harness{t: t, em: em, clock: clock, faults: faults, srv: srv, url: srv.URL + "/milacoins"}
}

// newServer serves em under /milacoins on a real port.
func newServer(t testing.TB, em *Emulator) *httptest.Server {
	srv := httptest.NewServer(emulator.NewServer(emulator.ServerOptions{Emulators: []emulator.Emulator{em}}))
	t.Cleanup(srv.Close)
	return srv
}

// send sends a request with exactly the given headers; path is relative
// to the mount point.
func (h *harness) send(method, path, body string, header map[string]string) (int, http.Header, string) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = []string{v} // as written, not canonicalised
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// signed returns the headers of a request signed over the path the
// server receives ("/milacoins" + path) at the clock's second.
func (h *harness) signed(method, path, body string) map[string]string {
	xtime := strconv.FormatInt(h.clock.Now().Unix(), 10)
	hdr := map[string]string{
		"X-api-key": DefaultAPIKey,
		"X-time":    xtime,
		"X-Sig":     Sign(DefaultSecret, xtime, method, "/milacoins"+path, []byte(body)),
	}
	if body != "" {
		hdr["Content-Type"] = "application/json"
	}
	return hdr
}

// call sends a correctly signed request.
func (h *harness) call(method, path, body string) (int, string) {
	h.t.Helper()
	status, _, got := h.send(method, path, body, h.signed(method, path, body))
	return status, got
}

// create makes an invoice and returns its id.
func (h *harness) create(body string) string {
	h.t.Helper()
	status, got := h.call(http.MethodPost, "/api/v1/invoices", body)
	if status != http.StatusOK {
		h.t.Fatalf("create %s: %d %s", body, status, got)
	}
	var out createResponse
	if err := json.Unmarshal([]byte(got), &out); err != nil {
		h.t.Fatal(err)
	}
	return out.ID
}

var objectID = regexp.MustCompile(`^[0-9a-f]{24}$`)

// expectError checks an answer against the catalogue entry it should
// be, with a 24-hex requestID.
func expectError(t *testing.T, what string, status int, body string, want apiError) {
	t.Helper()
	var got errorBody
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("%s: body %q is not an error object: %v", what, body, err)
	}
	if !objectID.MatchString(got.RequestID) {
		t.Errorf("%s: requestID %q is not 24 hex digits", what, got.RequestID)
	}
	wantBody := errorBody{got.RequestID, want.name, want.message, want.code}
	if diff := cmp.Diff(wantBody, got); diff != "" || status != want.status {
		t.Errorf("%s: status %d, want %d; error (-want +got):\n%s", what, status, want.status, diff)
	}
}

// list fetches a list endpoint and decodes its page.
func (h *harness) list(path string) page[doc] {
	h.t.Helper()
	status, body := h.call(http.MethodGet, path, "")
	if status != http.StatusOK {
		h.t.Fatalf("GET %s: %d %s", path, status, body)
	}
	var p page[doc]
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		h.t.Fatal(err)
	}
	return p
}

// statuses lists the docs' "externalID status" pairs.
func statuses(p page[doc]) []string {
	var out []string
	for _, d := range p.Docs {
		out = append(out, d.ExternalID+" "+d.Status)
	}
	return out
}

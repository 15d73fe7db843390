package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func newTestServer(t *testing.T) (*httptest.Server, *Server, *fake, *fake) {
	t.Helper()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	a := &fake{name: "alpha", ledger: []LedgerObject{
		{Gateway: "alpha", Kind: "withdrawal", Key: "k", ID: "10", Status: "processing", CreatedAt: at},
		{Gateway: "alpha", Kind: "address", Key: "c/BTC", ID: "1", Status: "active", CreatedAt: at},
		{Gateway: "alpha", Kind: "withdrawal", Key: "k", ID: "9", Status: "confirmed", CreatedAt: at},
	}}
	b := &fake{name: "beta", ledger: []LedgerObject{
		{Gateway: "beta", Kind: "withdrawal", Key: "a", ID: "x", Amount: "1.5", CreateRequests: 2, CreatedAt: at},
	}}
	s := NewServer(ServerOptions{Emulators: []Emulator{b, a}})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv, s, a, b
}

func do(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSuffix(string(b), "\n")
}

func TestServerRouting(t *testing.T) {
	srv, _, a, b := newTestServer(t)
	for _, tc := range []struct {
		method, path, body string
		wantStatus         int
		wantBody           string
	}{
		{"POST", "/alpha/api/v1/x?q=1", "hi", 201, `{"body":"hi","path":"/api/v1/x","uri":"/alpha/api/v1/x?q=1"}`},
		{"GET", "/beta/ping", "", 201, `{"body":"","path":"/ping","uri":"/beta/ping"}`},
		{"GET", "/_sandbox/alpha/balances", "", 200, `{"admin":"/balances"}`},
		{"GET", "/_sandbox/health", "", 200, `{"gateways":["alpha","beta"],"status":"ok"}`},
		{"POST", "/_sandbox/health", "", 405, `{"error":"method POST not allowed; use GET"}`},
		{"GET", "/gamma/x", "", 404, `{"error":"no such path \"/gamma/x\": gateways are served under /alpha/, /beta/"}`},
		{"GET", "/_sandbox/ledger?gateway=gamma", "", 400, `{"error":"unknown gateway \"gamma\"; this sandbox serves alpha, beta"}`},
	} {
		status, body := do(t, tc.method, srv.URL+tc.path, tc.body)
		if status != tc.wantStatus || body != tc.wantBody {
			t.Errorf("%s %s = %d %s, want %d %s", tc.method, tc.path, status, body, tc.wantStatus, tc.wantBody)
		}
	}
	if a.Processed() != 1 || b.Processed() != 1 {
		t.Errorf("processed alpha %d, beta %d; want 1 each", a.Processed(), b.Processed())
	}
}

func TestServerLedger(t *testing.T) {
	srv, _, _, _ := newTestServer(t)
	ids := func(query string) []string {
		status, body := do(t, "GET", srv.URL+"/_sandbox/ledger"+query, "")
		if status != 200 {
			t.Fatalf("ledger%s: %d %s", query, status, body)
		}
		var got struct{ Objects []LedgerObject }
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range got.Objects {
			out = append(out, o.Gateway+":"+o.Kind+":"+o.Key+":"+o.ID)
		}
		return out
	}
	for query, want := range map[string][]string{
		"":                               {"alpha:address:c/BTC:1", "alpha:withdrawal:k:9", "alpha:withdrawal:k:10", "beta:withdrawal:a:x"},
		"?gateway=alpha&kind=withdrawal": {"alpha:withdrawal:k:9", "alpha:withdrawal:k:10"},
		"?kind=address":                  {"alpha:address:c/BTC:1"},
		"?kind=invoice":                  nil,
	} {
		if diff := cmp.Diff(want, ids(query)); diff != "" {
			t.Errorf("ledger%s (-want +got):\n%s", query, diff)
		}
	}
	_, body := do(t, "GET", srv.URL+"/_sandbox/ledger?gateway=beta", "")
	want := `{"objects":[{"gateway":"beta","kind":"withdrawal","key":"a","id":"x","currency":"","amount":"1.5","status":"","create_requests":2,"created_at":"2026-01-02T03:04:05Z"}]}`
	if body != want {
		t.Errorf("ledger?gateway=beta =\n%s\nwant\n%s", body, want)
	}
	if _, body := do(t, "GET", srv.URL+"/_sandbox/ledger?kind=invoice", ""); body != `{"objects":[]}` {
		t.Errorf("empty ledger = %s, want {\"objects\":[]}", body)
	}
}

func TestServerFaultsAdmin(t *testing.T) {
	srv, s, a, _ := newTestServer(t)
	status, body := do(t, "PUT", srv.URL+"/_sandbox/faults", `{"spec":"status-500=1,seed=5"}`)
	if want := `{"injected":{"drop-after-commit":0,"fail-before-commit":0,"latency":0,"status-429":0,"status-500":0},"spec":"status-500=1,seed=5"}`; status != 200 || body != want {
		t.Errorf("PUT faults = %d %s, want 200 %s", status, body, want)
	}
	if status, _ := do(t, "POST", srv.URL+"/alpha/x", ""); status != 500 {
		t.Errorf("gateway request under status-500=1: %d, want 500", status)
	}
	if status, _ := do(t, "GET", srv.URL+"/_sandbox/health", ""); status != 200 {
		t.Errorf("admin request under status-500=1: %d, want 200 (faults never touch the admin API)", status)
	}
	_, body = do(t, "GET", srv.URL+"/_sandbox/faults", "")
	if want := `{"injected":{"drop-after-commit":0,"fail-before-commit":0,"latency":0,"status-429":0,"status-500":1},"spec":"status-500=1,seed=5"}`; body != want {
		t.Errorf("GET faults = %s, want %s", body, want)
	}
	if a.Processed() != 0 || s.Faults().Get().Status500 != 1 {
		t.Errorf("processed %d (want 0), faults %v", a.Processed(), s.Faults().Get())
	}
	for _, tc := range []struct{ body, want string }{
		{`{"spec":"status-500=2"}`, `{"error":"faults: item 1 \"status-500=2\": status-500 must be a probability between 0 and 1"}`},
		{`{"spec":1}`, `{"error":"want a JSON body {\"spec\":\"drop-after-commit=0.3,...\"}"}`},
		{`{}`, `{"error":"want a JSON body {\"spec\":\"drop-after-commit=0.3,...\"}"}`},
	} {
		status, body := do(t, "PUT", srv.URL+"/_sandbox/faults", tc.body)
		if status != 400 || body != tc.want {
			t.Errorf("PUT faults %s = %d %s, want 400 %s", tc.body, status, body, tc.want)
		}
	}
	if got := s.Faults().Get().String(); got != "status-500=1,seed=5" {
		t.Errorf("after bad PUTs the faults are %q, want unchanged", got)
	}
}

func TestServerRejectsDuplicateGateway(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("NewServer with a gateway mounted twice did not panic")
		}
	}()
	NewServer(ServerOptions{Emulators: []Emulator{&fake{name: "a"}, &fake{name: "a"}}})
}

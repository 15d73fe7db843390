package executor

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/payform/payform/state"
)

// Issue 12, rows 5 and 6: a gateway (or whatever sits at its endpoint)
// that answers with something other than what was asked, redirects the
// request elsewhere, or echoes the request's credentials in an error
// body. Each runs against the real emulators behind a hook that rewrites
// the answer.

// forward serves r through the sandbox and returns its answer.
func forward(sb *fcSandbox, r *http.Request) (int, http.Header, []byte) {
	rec := httptest.NewRecorder()
	sb.srv.ServeHTTP(rec, r)
	return rec.Code, rec.Header(), rec.Body.Bytes()
}

// rewriteJSON answers w with body's JSON, edited by edit.
func rewriteJSON(t *testing.T, w http.ResponseWriter, code int, body []byte, edit func(map[string]any)) {
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Errorf("the sandbox's answer is not JSON: %s", body)
	}
	edit(doc)
	out, _ := json.Marshal(doc)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(out)
}

// stateFiles returns the state's snapshot and journal, as text.
func stateFiles(t *testing.T, r *fcRun) string {
	t.Helper()
	r.store.Close()
	var b strings.Builder
	for _, f := range []string{"payform.state.json", "payform.state.json.journal"} {
		data, err := os.ReadFile(filepath.Join(r.dir, f))
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}

// TestAnswerIsNotTheObjectSent: a create's answer is checked against the
// request. A WllxPay answer for 99 ETH to another address, a CoinPay24
// answer naming another order_id for 5 EUR already paid: the gateway made
// something, but not what was sent. It is never recorded as the declared
// object, and never sent again: the item waits for an operator, with both
// sides named.
func TestAnswerIsNotTheObjectSent(t *testing.T) {
	for _, tc := range []struct {
		gw   fcGateway
		path string
		edit func(map[string]any)
		want []string
	}{
		{fcGateways[0], "/withdrawal/make", func(doc map[string]any) {
			d := doc["data"].(map[string]any)
			d["amount"], d["currency"], d["address"] = "99", "ETH", "0x52908400098527886E0F7030069857D2E4169EE7"
		}, []string{"amount 99, declared 0.001", "currency ETH, declared BTC", "address 0x52908400098527886E0F7030069857D2E4169EE7, declared " + btcAddr(1)}},
		{fcGateways[1], "/invoices/create", func(doc map[string]any) {
			doc["order_id"], doc["price_amount"], doc["price_currency"], doc["status"] = "someone-else", "5", "EUR", "paid"
		}, []string{`key "someone-else", declared "k-1"`, "amount 5, declared 10", "currency EUR, declared USD"}},
	} {
		t.Run(tc.gw.name, func(t *testing.T) {
			sb := newFcSandbox(t)
			sb.setHook(func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.HasSuffix(r.URL.Path, tc.path) {
					return false
				}
				code, _, body := forward(sb, r)
				rewriteJSON(t, w, code, body, tc.edit)
				return true
			})
			run := newFcRun(t, tc.gw, sb)
			cfg := run.config(tc.gw.goodKey, []string{"k-1"})
			p, _ := run.plan(cfg)
			res := run.apply(cfg, p)
			if res.Counts[state.OutcomeUnknown] != 1 || len(res.Failures) != 1 {
				t.Fatalf("outcomes %v, failures %v: want the item unknown, for an operator", res.Counts, res.Failures)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.Failures[0].Message, w) {
					t.Errorf("the failure does not name %q: %s", w, res.Failures[0].Message)
				}
			}
			rec := run.store.State().Resource(fcAddr(tc.gw, "k-1"))
			if rec == nil || !rec.InDoubt() || rec.Status != "unknown" || rec.ID != "" {
				t.Fatalf("record %+v: want it unknown (in doubt), without the answer's object as its id", rec)
			}
			// Another apply sends nothing: the key is reserved and in doubt.
			p2, _ := run.plan(cfg)
			run.apply(cfg, p2)
			if got := sb.ledger(tc.gw.name); len(got) != 1 {
				t.Errorf("ledger %v, want the one object", got)
			}
		})
	}
}

// TestRedirectIsNotFollowed: an endpoint that answers 307 to another host
// gets no second request there: the API key or the signature would go
// with it. The create is in doubt, settled by the gateway's own rule.
func TestRedirectIsNotFollowed(t *testing.T) {
	var stolen atomic.Int64
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stolen.Add(1)
		w.WriteHeader(201)
	}))
	defer evil.Close()
	for _, gw := range fcGateways {
		t.Run(gw.name, func(t *testing.T) {
			sb := newFcSandbox(t)
			sb.setHook(func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method != http.MethodPost || strings.Contains(r.URL.Path, "/_sandbox/") {
					return false
				}
				http.Redirect(w, r, evil.URL+r.URL.Path, http.StatusTemporaryRedirect)
				return true
			})
			run := newFcRun(t, gw, sb)
			cfg := run.config(gw.goodKey, []string{"k-1"})
			p, _ := run.plan(cfg)
			res := run.apply(cfg, p)
			if stolen.Load() != 0 {
				t.Fatalf("%d requests reached the host the redirect named", stolen.Load())
			}
			if len(res.Failures) != 1 || !strings.Contains(res.Failures[0].Message, "redirect") {
				t.Errorf("failures %v, want the item not settled, naming the redirect", res.Failures)
			}
			if got := sb.ledger(gw.name); len(got) != 0 {
				t.Errorf("ledger %v, want nothing made", got)
			}
		})
	}
}

// TestErrorBodyEchoesTheKey: a 422 (WllxPay) and a 500 (CoinPay24) whose
// body repeats the request's credentials: the message payform records and
// reports carries none of them, in the journal, the state or the result.
func TestErrorBodyEchoesTheKey(t *testing.T) {
	for _, gw := range fcGateways[:2] {
		t.Run(gw.name, func(t *testing.T) {
			sb := newFcSandbox(t)
			sb.setHook(func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method != http.MethodPost || strings.Contains(r.URL.Path, "/_sandbox/") || strings.HasSuffix(r.URL.Path, "/invoices") {
					return false
				}
				body, _ := io.ReadAll(r.Body)
				echo, _ := json.Marshal(map[string]any{
					"errors":        map[string]string{"amount": "bad request " + string(body) + " key " + r.Header.Get("X-Processing-Key")},
					"error_message": "bad request " + string(body),
				})
				code := http.StatusUnprocessableEntity
				if gw.name == "coinpay24" {
					code = http.StatusInternalServerError
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(code)
				w.Write(bytes.ReplaceAll(echo, []byte(`\u0026`), []byte("&")))
				return true
			})
			run := newFcRun(t, gw, sb)
			cfg := run.config(gw.goodKey, []string{"k-1"})
			p, _ := run.plan(cfg)
			res := run.apply(cfg, p)
			var shown strings.Builder
			for _, f := range res.Failures {
				shown.WriteString(f.Message)
			}
			shown.WriteString(stateFiles(t, run))
			for _, secret := range []string{gw.goodKey, "wllxpay-test-secret"} {
				if strings.Contains(shown.String(), secret) {
					t.Errorf("%q reached the journal, the state or a message:\n%s", secret, shown.String())
				}
			}
			if !strings.Contains(shown.String(), "[redacted]") {
				t.Errorf("the echoed body is not recorded at all (want it, scrubbed): %s", shown.String())
			}
		})
	}
}

package executor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/payform/payform/planner"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/gateways"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// fcLimitScale speeds up the documented rate limits on both sides (1,000
// CoinPay24 invoices an hour become 1,000 a second), so that a test can
// make a hundred objects quickly.
const fcLimitScale = 3600

// fcSandbox is every gateway's emulator over real HTTP, behind a hook
// that may answer a request itself (to fail it, or to change the answer).
type fcSandbox struct {
	*httptest.Server
	srv  *emulator.Server
	mu   sync.Mutex
	hook func(w http.ResponseWriter, r *http.Request) bool // true: answered
}

func newFcSandbox(t *testing.T) *fcSandbox {
	t.Helper()
	srv, closer, err := gateways.NewSandboxServer(gateways.SandboxOptions{
		Options: map[string]string{"v2_lookup": "true"}, LimitScale: fcLimitScale,
	})
	if err != nil {
		t.Fatal(err)
	}
	sb := &fcSandbox{srv: srv}
	sb.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sb.mu.Lock()
		hook := sb.hook
		sb.mu.Unlock()
		if hook != nil && hook(w, r) {
			return
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { sb.Close(); closer.Close() })
	return sb
}

func (sb *fcSandbox) setHook(h func(w http.ResponseWriter, r *http.Request) bool) {
	sb.mu.Lock()
	sb.hook = h
	sb.mu.Unlock()
}

func (sb *fcSandbox) setFaults(t *testing.T, spec string) {
	t.Helper()
	f, err := emulator.ParseFaults(spec)
	if err != nil {
		t.Fatal(err)
	}
	sb.srv.Faults().Set(f)
}

// admin calls the sandbox's admin API, bypassing the hook and the faults.
func (sb *fcSandbox) admin(t *testing.T, method, path, body string) {
	t.Helper()
	rec := httptest.NewRecorder()
	sb.srv.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
	if rec.Code/100 != 2 {
		t.Fatalf("%s %s %s: HTTP %d %s", method, path, body, rec.Code, rec.Body)
	}
}

// ledger returns "kind key" → "id ×create requests" for one gateway.
func (sb *fcSandbox) ledger(gateway string) map[string]string {
	out := map[string]string{}
	for _, o := range sb.srv.Ledger() {
		if o.Gateway == gateway {
			k := o.Kind + " " + o.Key
			if prev, dup := out[k]; dup {
				out[k] = prev + " AND " + fmt.Sprintf("%s ×%d", o.ID, o.CreateRequests)
				continue
			}
			out[k] = fmt.Sprintf("%s ×%d", o.ID, o.CreateRequests)
		}
	}
	return out
}

// fcGateway says how to declare objects at one gateway, and how to change
// an object's status there.
type fcGateway struct {
	name string
	// provider returns the provider block, with apiKey as its API key.
	provider func(endpoint, apiKey string) string
	goodKey  string
	// resources declares one object per key.
	resources func(keys []string) string
	// change changes the status of the object with key and id at the
	// gateway, as a customer payment or the gateway itself would.
	change func(t *testing.T, sb *fcSandbox, key, id string)
}

func fcInvoices(gw, currency, amount, extra string) func([]string) string {
	return func(keys []string) string {
		return fmt.Sprintf(`invoice_batch "b" {
  provider = %s
  currency = %q
%s  invoices = { for k in %s : k => { amount = %q } }
}
`, gw, currency, extra, fcList(keys), amount)
	}
}

func fcList(keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = fmt.Sprintf("%q", k)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func fcPay(gateway string) func(t *testing.T, sb *fcSandbox, key, id string) {
	return func(t *testing.T, sb *fcSandbox, key, id string) {
		sb.admin(t, "POST", "/_sandbox/pay", fmt.Sprintf(`{"gateway":%q,"id":%q}`, gateway, id))
	}
}

var fcGateways = []fcGateway{
	{
		name: "wllxpay",
		provider: func(endpoint, apiKey string) string {
			return fmt.Sprintf(`provider "wllxpay" {
  endpoint   = "%s/wllxpay/api/v1"
  api_key    = %q
  secret_key = "wllxpay-test-secret"
  v2_lookup  = "true"
  timeout    = "5s"
}
`, endpoint, apiKey)
		},
		goodKey: "wllxpay-test-key",
		resources: func(keys []string) string {
			return fmt.Sprintf(`payout "p" {
  for_each   = toset(%s)
  foreign_id = each.key
  currency   = "BTC"
  amount     = "0.001"
  address    = %q
}
`, fcList(keys), btcAddr(1))
		},
		change: func(t *testing.T, sb *fcSandbox, key, _ string) {
			sb.admin(t, "POST", "/_sandbox/wllxpay/status", fmt.Sprintf(`{"foreign_id":%q,"status":"error"}`, key))
		},
	},
	{
		name: "coinpay24",
		provider: func(endpoint, apiKey string) string {
			return fmt.Sprintf(`provider "coinpay24" {
  endpoint = "%s/coinpay24/v1"
  api_key  = %q
  timeout  = "5s"
}
`, endpoint, apiKey)
		},
		goodKey:   "coinpay24-test-key",
		resources: fcInvoices("coinpay24", "USD", "10.00", ""),
		change:    fcPay("coinpay24"),
	},
	{
		name: "milacoins",
		provider: func(endpoint, apiKey string) string {
			return fmt.Sprintf(`provider "milacoins" {
  endpoint   = "%s/milacoins"
  api_key    = %q
  secret_key = "milacoins-test-secret"
  timeout    = "5s"
}
`, endpoint, apiKey)
		},
		goodKey:   "milacoins-test-key",
		resources: fcInvoices("milacoins", "EUR", "10.00", ""),
		// A payment waits for confirmations; the gateway's own status
		// change is immediate.
		change: func(t *testing.T, sb *fcSandbox, _, id string) {
			sb.admin(t, "POST", "/_sandbox/milacoins/status", fmt.Sprintf(`{"id":%q,"status":"completed"}`, id))
		},
	},
	{
		name: "coinilla",
		provider: func(endpoint, apiKey string) string {
			return fmt.Sprintf(`provider "coinilla" {
  endpoint = "%s/coinilla"
  api_key  = %q
  timeout  = "5s"
}
`, endpoint, apiKey)
		},
		goodKey:   "coinilla-test-key",
		resources: fcInvoices("coinilla", "BTC", "0.001", ""),
		// A payment stays unconfirmed (paid-0, pending) for a while; a
		// cancelled invoice changes at once.
		change: func(t *testing.T, sb *fcSandbox, _, id string) {
			sb.admin(t, "POST", "/_sandbox/coinilla/cancel", fmt.Sprintf(`{"invoice":%q}`, id))
		},
	},
	{
		name: "miraclepay",
		provider: func(endpoint, apiKey string) string {
			return fmt.Sprintf(`provider "miraclepay" {
  endpoint  = "%s/miraclepay"
  client_id = "miraclepay-test-client"
  api_key   = %q
  timeout   = "5s"
}
`, endpoint, apiKey)
		},
		goodKey:   "mpay_test_key",
		resources: fcInvoices("miraclepay", "USD", "10.00", "  blockchains = \"eth,btc\"\n"),
		change:    fcPay("miraclepay"),
	},
}

// fcRun is one workspace: a configuration directory, its state, and the
// sandbox its providers talk to.
type fcRun struct {
	t     *testing.T
	gw    fcGateway
	sb    *fcSandbox
	dir   string
	store *state.Store
}

func newFcRun(t *testing.T, gw fcGateway, sb *fcSandbox) *fcRun {
	dir := t.TempDir()
	r := &fcRun{t: t, gw: gw, sb: sb, dir: dir, store: openStore(t, filepath.Join(dir, "payform.state.json"))}
	t.Cleanup(func() { r.store.Close() })
	return r
}

// config loads the configuration declaring keys, with apiKey.
func (r *fcRun) config(apiKey string, keys []string) *schema.Config {
	r.t.Helper()
	src := r.gw.provider(r.sb.URL, apiKey) + r.gw.resources(keys)
	if err := os.WriteFile(filepath.Join(r.dir, "main.hcl"), []byte(src), 0o600); err != nil {
		r.t.Fatal(err)
	}
	cfg, diags := schema.Load(schema.Options{Dir: r.dir, Gateways: gateways.All()})
	if diags.HasErrors() {
		r.t.Fatalf("config: %s\n%s", diags.Error(), src)
	}
	return cfg
}

// providers opens the configuration's providers as payform does
// (retries, rate limits), with the limits scaled like the sandbox's.
func (r *fcRun) providers(cfg *schema.Config) map[string]providers.Provider {
	r.t.Helper()
	out := map[string]providers.Provider{}
	for _, p := range cfg.Providers {
		prov, closer, err := gateways.Open(gateways.Spec{
			Gateway: p.Gateway, Name: p.Name(), Endpoint: p.Endpoint, Credentials: p.Credentials,
			Options: p.Options, Timeout: p.Timeout, LimitScale: fcLimitScale,
		})
		if err != nil {
			r.t.Fatal(err)
		}
		r.t.Cleanup(func() { closer.Close() })
		out[p.Name()] = prov
	}
	return out
}

// plan refreshes and plans, returning the plan and every diagnostic.
func (r *fcRun) plan(cfg *schema.Config) (*planner.Plan, hcl.Diagnostics) {
	r.t.Helper()
	obs, diags := Refresh(context.Background(), cfg, r.store.State(), r.providers(cfg), 10)
	p, pdiags := planner.MakePlan(cfg, r.store.State(), obs, planner.Options{PlanID: state.NewID(), Now: time.Now()})
	diags = append(diags, pdiags...)
	if diags.HasErrors() {
		r.t.Fatalf("plan: %s", diags.Error())
	}
	return p, diags
}

// apply runs p, settling an in-doubt create in at most two attempts.
func (r *fcRun) apply(cfg *schema.Config, p *planner.Plan) *Result {
	r.t.Helper()
	x := &Executor{Store: r.store, Providers: r.providers(cfg), Parallelism: 10, Backoff: instant, ResolveAttempts: 2}
	res, err := x.Apply(context.Background(), p)
	if err != nil {
		r.t.Fatalf("apply: %v", err)
	}
	return res
}

// statuses returns address → "status id" of every resource in state,
// with " (in doubt)" for one whose create is unsettled.
func (r *fcRun) statuses() map[string]string {
	out := map[string]string{}
	for _, res := range r.store.State().List() {
		s := res.Status + " " + res.ID
		if res.InDoubt() {
			s += " (in doubt)"
		}
		out[res.Address] = s
	}
	return out
}

func fcKeys(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", prefix, i+1)
	}
	return out
}

func fcSteps(p *planner.Plan) []string {
	out := []string{}
	for _, c := range p.Changes {
		out = append(out, string(c.Action)+" "+c.Address)
	}
	return out
}

func fcDrift(p *planner.Plan) []string {
	out := []string{}
	for _, d := range p.Drift {
		out = append(out, d.Address+": "+d.Before+" -> "+d.After)
	}
	sort.Strings(out)
	return out
}

// fcWarnings returns the summary and detail of every warning.
func fcWarnings(diags hcl.Diagnostics) []string {
	var out []string
	for _, d := range diags {
		if d.Severity == hcl.DiagWarning {
			out = append(out, d.Summary+": "+d.Detail)
		}
	}
	return out
}

// checkFailedRefresh asserts what a plan made while the gateway could not
// be read must be: no create, forget or other change, no status read, a
// warning naming the gateway and how many objects were not read, the
// state and the gateway untouched.
func (r *fcRun) checkFailedRefresh(p *planner.Plan, diags hcl.Diagnostics, unread int, wantDrift []string, before map[string]string, ledger map[string]string) {
	r.t.Helper()
	if diff := cmp.Diff([]string{}, fcSteps(p)); diff != "" {
		r.t.Errorf("changes planned for objects that could not be read (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantDrift, fcDrift(p)); diff != "" {
		r.t.Errorf("drift (-want +got):\n%s", diff)
	}
	warnings := fcWarnings(diags)
	want := fmt.Sprintf("Could not read statuses from %s: ", r.gw.name)
	wantCount := fmt.Sprintf("The plan shows the statuses recorded in the state for the %d object(s) not read.", unread)
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0], want) || !strings.HasSuffix(warnings[0], wantCount) {
		r.t.Errorf("warnings = %q, want one %q…%q", warnings, want, wantCount)
	}
	if diff := cmp.Diff(before, r.statuses()); diff != "" {
		r.t.Errorf("state changed by planning (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(ledger, r.sb.ledger(r.gw.name)); diff != "" {
		r.t.Errorf("gateway changed by planning (-before +after):\n%s", diff)
	}
}

// TestRefreshFailsClosed: three objects are made at each gateway, then
// the gateway changes the status of two of them. While the gateway cannot
// be read — wrong credentials, or a 5xx on every request — the plan
// changes nothing: no create, no forget, no status, the recorded statuses
// are shown with a warning, and nothing is sent. Once the gateway answers
// again, the same plan shows the two changed statuses (so the failures
// above did hide real changes).
func TestRefreshFailsClosed(t *testing.T) {
	for _, gw := range fcGateways {
		t.Run(gw.name, func(t *testing.T) {
			sb := newFcSandbox(t)
			r := newFcRun(t, gw, sb)
			keys := fcKeys("k", 3)
			good := r.config(gw.goodKey, keys)
			p, _ := r.plan(good)
			if res := r.apply(good, p); res.Counts[state.OutcomeCreated] != 3 || len(res.Failures) != 0 {
				t.Fatalf("first apply: %v %v", res.Counts, res.Failures)
			}
			for _, k := range keys[:2] {
				res := r.store.State().Resource(fcAddr(gw, k))
				gw.change(t, sb, k, res.ID)
			}
			before, ledger := r.statuses(), sb.ledger(gw.name)
			if len(ledger) != 3 {
				t.Fatalf("ledger = %v, want 3 objects", ledger)
			}

			t.Run("wrong credentials", func(t *testing.T) {
				p, diags := r.plan(r.config("wrong-"+gw.goodKey, keys))
				r.checkFailedRefresh(p, diags, 3, []string{}, before, ledger)
			})
			t.Run("5xx", func(t *testing.T) {
				sb.setFaults(t, "status-500=1")
				defer sb.setFaults(t, "")
				p, diags := r.plan(good)
				r.checkFailedRefresh(p, diags, 3, []string{}, before, ledger)
			})
			t.Run("healthy", func(t *testing.T) {
				p, diags := r.plan(good)
				if w := fcWarnings(diags); len(w) != 0 {
					t.Errorf("warnings = %q", w)
				}
				if diff := cmp.Diff([]string{}, fcSteps(p)); diff != "" {
					t.Errorf("changes (-want +got):\n%s", diff)
				}
				drift := fcDrift(p)
				if len(drift) != 2 || !strings.HasPrefix(drift[0], fcAddr(gw, "k-1")+": ") || !strings.HasPrefix(drift[1], fcAddr(gw, "k-2")+": ") {
					t.Errorf("drift = %q, want k-1 and k-2", drift)
				}
			})
		})
	}
}

func fcAddr(gw fcGateway, key string) string {
	if gw.name == "wllxpay" {
		return fmt.Sprintf("payout.p[%q]", key)
	}
	return fmt.Sprintf("invoice_batch.b[%q]", key)
}

// TestRefreshPartialList: a list read through several pages, one of which
// fails. What was read is shown; what was not keeps its recorded status,
// with a warning, and nothing is planned for it.
func TestRefreshPartialList(t *testing.T) {
	t.Run("coinpay24 page 2 of 2 fails", func(t *testing.T) {
		gw := fcGateways[1]
		sb := newFcSandbox(t)
		r := newFcRun(t, gw, sb)
		keys := fcKeys("k", 101) // CoinPay24 lists 100 to a page
		cfg := r.config(gw.goodKey, keys)
		p, _ := r.plan(cfg)
		if res := r.apply(cfg, p); res.Counts[state.OutcomeCreated] != 101 {
			t.Fatalf("first apply: %v %v", res.Counts, res.Failures)
		}
		for _, k := range keys {
			gw.change(t, sb, k, r.store.State().Resource(fcAddr(gw, k)).ID)
		}
		before, ledger := r.statuses(), sb.ledger(gw.name)
		pages := 0
		sb.setHook(func(w http.ResponseWriter, req *http.Request) bool {
			if req.URL.Path != "/coinpay24/v1/invoices" {
				return false
			}
			body, _ := io.ReadAll(req.Body)
			req.Body = io.NopCloser(bytes.NewReader(body))
			form, _ := url.ParseQuery(string(body))
			pages++
			if form.Get("page") == "2" {
				w.WriteHeader(http.StatusInternalServerError)
				w.Write([]byte(`{"error":"Internal Server Error"}`))
				return true
			}
			return false
		})
		p, diags := r.plan(cfg)
		sb.setHook(nil)
		if pages != 2 {
			t.Fatalf("the refresh read %d pages, want 2 (the test must reach the failing page)", pages)
		}
		// The first page holds the 100 newest; one invoice is on page 2.
		var unread []string
		read := map[string]bool{}
		for _, d := range p.Drift {
			read[d.Address] = true
		}
		for _, k := range keys {
			if !read[fcAddr(gw, k)] {
				unread = append(unread, fcAddr(gw, k))
			}
		}
		if len(p.Drift) != 100 || len(unread) != 1 {
			t.Fatalf("%d drifted, unread %q: want the 100 of page 1 and one unread", len(p.Drift), unread)
		}
		for _, d := range p.Drift {
			if d.Before != "pending" || d.After != "paid" {
				t.Errorf("drift %s: %s -> %s, want pending -> paid", d.Address, d.Before, d.After)
			}
		}
		r.checkFailedRefresh(p, diags, 1, fcDrift(p), before, ledger)
		if got := r.statuses()[unread[0]]; !strings.HasPrefix(got, "pending ") {
			t.Errorf("%s is %q in state, want pending (as recorded)", unread[0], got)
		}
	})

	t.Run("milacoins list cut short", func(t *testing.T) {
		gw := fcGateways[2]
		sb := newFcSandbox(t)
		r := newFcRun(t, gw, sb)
		keys := fcKeys("k", 3)
		cfg := r.config(gw.goodKey, keys)
		p, _ := r.plan(cfg)
		if res := r.apply(cfg, p); res.Counts[state.OutcomeCreated] != 3 {
			t.Fatalf("first apply: %v %v", res.Counts, res.Failures)
		}
		for _, k := range keys {
			gw.change(t, sb, k, r.store.State().Resource(fcAddr(gw, k)).ID)
		}
		before, ledger := r.statuses(), sb.ledger(gw.name)
		// Page 1 answers without k-1 (as if it were on a later page);
		// page 2 fails.
		var pages []string
		sb.setHook(func(w http.ResponseWriter, req *http.Request) bool {
			if req.URL.Path != "/milacoins/api/v1/transactions/invoices/" || req.URL.Query().Get("externalID") != "" {
				return false
			}
			page := req.URL.Query().Get("page")
			pages = append(pages, page)
			if page != "1" {
				w.WriteHeader(http.StatusInternalServerError)
				w.Write([]byte(`{"message":"Internal Server Error"}`))
				return true
			}
			rec := httptest.NewRecorder()
			sb.srv.ServeHTTP(rec, req)
			var list map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
				t.Errorf("page 1: %v: %s", err, rec.Body)
				return false
			}
			docs, _ := list["docs"].([]any)
			kept := []any{}
			for _, d := range docs {
				if d.(map[string]any)["externalID"] != "k-1" {
					kept = append(kept, d)
				}
			}
			if len(kept) != 2 {
				t.Errorf("page 1 held %d invoices, want 3 with k-1", len(docs))
			}
			list["docs"] = kept
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(list)
			return true
		})
		p, diags := r.plan(cfg)
		sb.setHook(nil)
		if diff := cmp.Diff([]string{"1", "2"}, pages); diff != "" {
			t.Fatalf("pages read (-want +got):\n%s", diff)
		}
		want := []string{fcAddr(gw, "k-2") + ": pending -> paid", fcAddr(gw, "k-3") + ": pending -> paid"}
		r.checkFailedRefresh(p, diags, 1, want, before, ledger)
	})
}

// TestInDoubtLookupFails: a create on a lookup gateway whose answer was
// lost stays in doubt for as long as its lookup fails — cut, 5xx, wrong
// credentials — and is never created again; once the lookup works, it is
// adopted. The gateway holds one object, which received one create.
func TestInDoubtLookupFails(t *testing.T) {
	for _, gw := range []fcGateway{fcGateways[1], fcGateways[2]} {
		t.Run(gw.name, func(t *testing.T) {
			sb := newFcSandbox(t)
			r := newFcRun(t, gw, sb)
			keys := []string{"k-1"}
			addr := fcAddr(gw, "k-1")
			good := r.config(gw.goodKey, keys)
			wantLedger := func() {
				t.Helper()
				got := sb.ledger(gw.name)
				if len(got) != 1 || !strings.HasSuffix(got["invoice k-1"], " ×1") {
					t.Fatalf("ledger = %v, want one invoice k-1 that received one create", got)
				}
			}

			// The create lands, its answer is lost, and so are the
			// lookups that follow it.
			sb.setFaults(t, "drop-after-commit=1")
			p, _ := r.plan(good)
			if diff := cmp.Diff([]string{"create " + addr}, fcSteps(p)); diff != "" {
				t.Fatalf("first plan (-want +got):\n%s", diff)
			}
			res := r.apply(good, p)
			if res.Counts[state.OutcomeInDoubt] != 1 {
				t.Fatalf("outcomes = %v %v, want 1 still in doubt", res.Counts, res.Failures)
			}
			wantLedger()

			for _, tc := range []struct {
				name, faults, apiKey string
			}{
				{"lookup cut", "drop-after-commit=1", gw.goodKey},
				{"lookup 5xx", "status-500=1", gw.goodKey},
				{"lookup with wrong credentials", "", "wrong-" + gw.goodKey},
			} {
				sb.setFaults(t, tc.faults)
				cfg := r.config(tc.apiKey, keys)
				p, _ := r.plan(cfg)
				if diff := cmp.Diff([]string{"resolve " + addr}, fcSteps(p)); diff != "" {
					t.Fatalf("%s: plan (-want +got):\n%s", tc.name, diff)
				}
				res := r.apply(cfg, p)
				if res.Counts[state.OutcomeInDoubt] != 1 || len(res.Counts) != 1 {
					t.Errorf("%s: outcomes = %v %v, want 1 still in doubt", tc.name, res.Counts, res.Failures)
				}
				if got := r.statuses()[addr]; got != "unknown  (in doubt)" {
					t.Errorf("%s: state has %s as %q, want unknown, in doubt", tc.name, addr, got)
				}
				wantLedger()
			}

			sb.setFaults(t, "")
			p, _ = r.plan(good)
			res = r.apply(good, p)
			if res.Counts[state.OutcomeAdopted] != 1 || len(res.Counts) != 1 {
				t.Errorf("healed: outcomes = %v %v, want 1 adopted", res.Counts, res.Failures)
			}
			wantLedger()
			id := strings.TrimSuffix(sb.ledger(gw.name)["invoice k-1"], " ×1")
			if got := r.statuses()[addr]; got != "pending "+id {
				t.Errorf("healed: state has %s as %q, want pending %s", addr, got, id)
			}
		})
	}
}

package inbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/inbox"
	"github.com/payform/payform/inbox/verifier"
	"github.com/payform/payform/money"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/gateways"
)

// world is every gateway's emulator (as `payform sandbox serve` runs
// them) and an inbox receiving their callbacks, with a provider block
// per gateway verifying them.
type world struct {
	t       *testing.T
	sandbox *httptest.Server
	inbox   *httptest.Server
	store   *inbox.Local
	provs   map[string]providers.Provider
	mu      sync.Mutex
	outs    []inbox.Outcome
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, provs: map[string]providers.Provider{}}
	store, err := inbox.OpenLocal(filepath.Join(t.TempDir(), "payform.state.json"), true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	w.store = store
	rv := &inbox.Receiver{Store: store, Gateways: map[string][]*inbox.Verifier{}, Known: names(), Done: func(o inbox.Outcome) {
		w.mu.Lock()
		w.outs = append(w.outs, o)
		w.mu.Unlock()
	}}
	w.inbox = httptest.NewServer(rv)
	t.Cleanup(w.inbox.Close)
	srv, closer, err := gateways.NewSandboxServer(gateways.SandboxOptions{CallbackURL: w.inbox.URL + "/wllxpay"})
	if err != nil {
		t.Fatal(err)
	}
	w.sandbox = httptest.NewServer(srv)
	t.Cleanup(func() { w.sandbox.Close(); closer.Close() })
	for _, g := range gateways.All() {
		creds := map[string]string{}
		for _, c := range g.Credentials {
			creds[c.Attr] = c.Sandbox
		}
		p, c, err := gateways.Open(gateways.Spec{Gateway: g, Name: g.Name, Endpoint: w.sandbox.URL + g.SandboxPath, Credentials: creds, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		w.provs[g.Name] = p
		if v := verifier.For(g.Name, "acct-"+g.Name, p); v != nil {
			rv.Gateways[g.Name] = []*inbox.Verifier{v}
		}
	}
	return w
}

func names() []string {
	var out []string
	for _, g := range gateways.All() {
		out = append(out, g.Name)
	}
	return out
}

// wait returns the first outcome matching ok, waiting up to 10 s.
func (w *world) wait(what string, ok func(inbox.Outcome) bool) inbox.Outcome {
	w.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		w.mu.Lock()
		for _, o := range w.outs {
			if ok(o) {
				w.mu.Unlock()
				return o
			}
		}
		w.mu.Unlock()
	}
	w.t.Fatalf("no %s reached the inbox; outcomes: %+v", what, w.outs)
	return inbox.Outcome{}
}

func (w *world) admin(path, body string) {
	w.t.Helper()
	resp, err := http.Post(w.sandbox.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		w.t.Fatalf("POST %s: %s %s", path, resp.Status, b)
	}
}

func (w *world) send(method, path, contentType string, body []byte) int {
	w.t.Helper()
	req, _ := http.NewRequest(method, w.inbox.URL+path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func btc(t *testing.T) string {
	a, err := money.GenerateAddress("BTC", []byte("inbox-test"))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestReceiverVerifiesEachGatewaysWay sends every gateway's callbacks to
// the inbox as the emulators send them (and forged ones): each verified
// one is kept, with what its gateway stands behind, before the 200; a
// repeat is answered 200 and not kept twice; what cannot be verified is
// kept apart.
func TestReceiverVerifiesEachGatewaysWay(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()

	// WllxPay: a withdrawal forced to error sends a signed callback.
	if _, err := w.provs["wllxpay"].Create(ctx, providers.Request{Kind: providers.Payout, Key: "po-1", Amount: decimal.RequireFromString("0.25"), Currency: "BTC", Address: btc(t)}); err != nil {
		t.Fatal(err)
	}
	w.admin("/_sandbox/wllxpay/status", `{"foreign_id":"po-1","status":"error"}`)
	o := w.wait("WllxPay withdrawal callback", func(o inbox.Outcome) bool { return o.Item != nil && o.Item.Gateway == "wllxpay" })
	it := o.Item
	if o.Status != 200 || !o.Added || it.Verdict != inbox.Accepted || it.Via != "signature" || it.Provider != "wllxpay" || it.Account != "acct-wllxpay" {
		t.Fatalf("WllxPay callback: %+v %+v", o, it)
	}
	obj := it.Callback.Object
	if obj == nil || obj.Kind != "payout" || obj.Key != "po-1" || obj.Status != "failed" || obj.RawStatus != "error" || obj.Amount != "0.25" || obj.Fields["error"] == "" {
		t.Errorf("WllxPay object: %+v", obj)
	}
	if h := it.Request.Header; h.Get("X-Processing-Key") != "(redacted)" || h.Get("X-Processing-Signature") == "" {
		t.Errorf("kept headers: %v (the API key must not be kept, the signature must)", h)
	}
	// The same request again, as a gateway retries: 200, kept once.
	var raw []byte
	if it.Request.Body != "" {
		raw = []byte(it.Request.Body)
	}
	sig := it.Request.Header.Get("X-Processing-Signature")
	req, _ := http.NewRequest("POST", w.inbox.URL+"/wllxpay", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Processing-Key", "wllxpay-test-key")
	req.Header.Set("X-Processing-Signature", sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("repeat: %v %v", err, resp.Status)
	}
	resp.Body.Close()
	rep := w.outs[len(w.outs)-1]
	if rep.Added || rep.Item.Seq != it.Seq {
		t.Errorf("repeat: added %v seq %d, want the first's %d, not kept again", rep.Added, rep.Item.Seq, it.Seq)
	}
	// Tampered: kept apart, 400.
	tampered := bytes.Replace(raw, []byte(`"0.25"`), []byte(`"25"`), 1)
	req, _ = http.NewRequest("POST", w.inbox.URL+"/wllxpay", bytes.NewReader(tampered))
	req.Header.Set("X-Processing-Signature", sig)
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	bad := w.outs[len(w.outs)-1]
	if resp.StatusCode != 400 || bad.Item.Verdict != inbox.Rejected || !strings.Contains(bad.Item.Reason, "signature mismatch") {
		t.Errorf("tampered: %d %+v", resp.StatusCode, bad.Item)
	}

	// CoinPay24: a checkout moves the invoice to pending; its callback
	// carries verify_hash.
	cp, err := w.provs["coinpay24"].Create(ctx, providers.Request{Kind: providers.Invoice, Key: "ord-1", Amount: decimal.RequireFromString("100"), Currency: "USD",
		Fields: map[string]string{providers.FieldCallbackURL: w.inbox.URL + "/coinpay24", providers.FieldPayCurrency: "BTC"}})
	if err != nil {
		t.Fatal(err)
	}
	o = w.wait("CoinPay24 callback", func(o inbox.Outcome) bool { return o.Item != nil && o.Item.Gateway == "coinpay24" })
	if obj := o.Item.Callback.Object; o.Item.Verdict != inbox.Accepted || obj == nil || obj.ID != cp.ID || obj.Key != "ord-1" || obj.Status != "pending" || obj.Amount != "100" || obj.Currency != "USD" {
		t.Errorf("CoinPay24: %+v %+v", o.Item, o.Item.Callback)
	}

	// MilaCoins signs nothing: a callback is confirmed by reading the
	// invoice back. A forged "complete" for an unpaid invoice is kept
	// with the invoice's true status; an id MilaCoins does not know is
	// kept apart.
	ml, err := w.provs["milacoins"].Create(ctx, providers.Request{Kind: providers.Invoice, Key: "ml-1", Amount: decimal.RequireFromString("40"), Currency: "EUR",
		Fields: map[string]string{providers.FieldSuccessURL: "https://shop.example.com/ok", providers.FieldCancelURL: "https://shop.example.com/no",
			providers.FieldCallbackURL: w.inbox.URL + "/milacoins?event={EVENT}&invoice_id={INVOICE_ID}&external_id={EXTERNAL_ID}"}})
	if err != nil {
		t.Fatal(err)
	}
	if code := w.send("GET", "/milacoins?event=complete&invoice_id="+ml.ID, "", nil); code != 200 {
		t.Fatalf("forged MilaCoins complete: %d", code)
	}
	forged := w.outs[len(w.outs)-1].Item
	if obj := forged.Callback.Object; forged.Via != "refetch" || obj.Status != "pending" || obj.Key != "ml-1" || obj.Amount != "40" {
		t.Errorf("forged MilaCoins complete: %+v %+v", forged, obj)
	}
	w.admin("/_sandbox/milacoins/status", fmt.Sprintf(`{"id":%q,"status":"completed"}`, ml.ID))
	o = w.wait("MilaCoins complete callback", func(o inbox.Outcome) bool {
		return o.Item != nil && o.Item.Gateway == "milacoins" && o.Item.Callback != nil && o.Item.Callback.Object.Status == "paid"
	})
	if o.Item.Request.Method != "GET" || !strings.Contains(o.Item.Request.RawQuery, "event=complete") {
		t.Errorf("MilaCoins callback as received: %+v", o.Item.Request)
	}
	if code := w.send("GET", "/milacoins?event=complete&invoice_id=0123456789abcdef01234567", "", nil); code != 400 || w.outs[len(w.outs)-1].Item.Verdict != inbox.Rejected {
		t.Errorf("MilaCoins callback for an unknown invoice: %d %+v", code, w.outs[len(w.outs)-1].Item)
	}

	// Coinilla's return forms are confirmed by verify: an unpaid
	// invoice's forged OK is kept with its verified status.
	cl, err := w.provs["coinilla"].Create(ctx, providers.Request{Kind: providers.Invoice, Key: "cl-1", Amount: decimal.RequireFromString("10"), Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"state": {"OK"}, "refnum": {"cl-1"}, "invoice": {cl.ID}, "amount": {"10"}}
	if code := w.send("POST", "/coinilla", "application/x-www-form-urlencoded", []byte(form.Encode())); code != 200 {
		t.Fatalf("Coinilla return: %d", code)
	}
	ret := w.outs[len(w.outs)-1].Item
	if obj := ret.Callback.Object; ret.Via != "verify" || obj.Status != "pending" || obj.Key != "cl-1" || obj.Amount != "" || ret.Callback.Fields["state_fits"] != "false" {
		t.Errorf("Coinilla return: %+v %+v", ret, obj)
	}
	form.Set("refnum", "cl-2")
	if code := w.send("POST", "/coinilla", "application/x-www-form-urlencoded", []byte(form.Encode())); code != 400 {
		t.Errorf("Coinilla return with another refnum: %d, want 400", code)
	}

	// MiraclePay: the redirect's status is only a hint; the prompt read
	// by id says pending.
	mp, err := w.provs["miraclepay"].Create(ctx, providers.Request{Kind: providers.Invoice, Key: "mp-1", Amount: decimal.RequireFromString("20"), Currency: "USD",
		Fields: map[string]string{providers.FieldBlockchains: "eth"}})
	if err != nil {
		t.Fatal(err)
	}
	if code := w.send("GET", "/miraclepay/return?promptId="+mp.ID+"&status=successful", "", nil); code != 200 {
		t.Fatalf("MiraclePay redirect: %d", code)
	}
	if it := w.outs[len(w.outs)-1].Item; it.Via != "prompt" || it.Callback.Object.Status != "pending" || it.Callback.Object.Key != "" {
		t.Errorf("MiraclePay redirect: %+v %+v", it, it.Callback.Object)
	}

	// A path no gateway is served at is not kept.
	if code := w.send("GET", "/nope", "", nil); code != 404 || w.outs[len(w.outs)-1].Item != nil {
		t.Errorf("unknown path: %d", code)
	}

	// Every item is in the store, in order; the repeat is not.
	var kept []*inbox.Item
	w.store.Items(ctx, 0, func(it *inbox.Item) error { kept = append(kept, it); return nil })
	byVerdict := map[inbox.Verdict]int{}
	for i, it := range kept {
		if it.Seq != uint64(i+1) {
			t.Errorf("item %d has seq %d", i, it.Seq)
		}
		byVerdict[it.Verdict]++
	}
	if byVerdict[inbox.Accepted] != 6 || byVerdict[inbox.Rejected] != 3 {
		js, _ := json.MarshalIndent(kept, "", " ")
		t.Errorf("kept %v, want 6 accepted and 3 rejected:\n%s", byVerdict, js)
	}
}

// TestReceiverWhenTheGatewayCannotBeAsked: a callback that must be read
// back while the gateway is down is answered 503 (the gateway sends it
// again) and kept apart as unconfirmed.
func TestReceiverWhenTheGatewayCannotBeAsked(t *testing.T) {
	w := newWorld(t)
	ml, err := w.provs["milacoins"].Create(context.Background(), providers.Request{Kind: providers.Invoice, Key: "ml-1", Amount: decimal.RequireFromString("40"), Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	w.sandbox.Close()
	if code := w.send("GET", "/milacoins?event=complete&invoice_id="+ml.ID, "", nil); code != 503 {
		t.Fatalf("with the gateway down: %d, want 503", code)
	}
	if it := w.outs[len(w.outs)-1].Item; it.Verdict != inbox.Unconfirmed || !strings.Contains(it.Reason, "could not be checked") {
		t.Errorf("kept as %+v", it)
	}
}

package executor

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/inbox"
	"github.com/payform/payform/inbox/verifier"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/gateways"
	"github.com/payform/payform/providers/wllxpay"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// callbackWorld is a WllxPay sandbox whose callbacks go to an inbox
// receiver verifying them with the configuration's provider.
type callbackWorld struct {
	t       testing.TB
	dir     string
	sandbox *httptest.Server
	emu     *emulator.Server
	cfg     *schema.Config
	provs   map[string]providers.Provider
	box     *inbox.Local
	mu      sync.Mutex
	kept    int
}

func newCallbackWorld(t testing.TB, n int, v2 bool) *callbackWorld {
	return newWorld(t, n, v2, true)
}

// newWorld is newCallbackWorld; without callbacks, the sandbox sends
// none.
func newWorld(t testing.TB, n int, v2, callbacks bool) *callbackWorld {
	t.Helper()
	w := &callbackWorld{t: t, dir: t.TempDir()}
	box, err := inbox.OpenLocal(filepath.Join(w.dir, "payform.state.json"), true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { box.Close() })
	w.box = box
	rv := &inbox.Receiver{Store: box, Gateways: map[string][]*inbox.Verifier{}, Done: func(o inbox.Outcome) {
		if o.Item != nil && o.Status == 200 {
			w.mu.Lock()
			w.kept++
			w.mu.Unlock()
		}
	}}
	hook := httptest.NewServer(rv)
	t.Cleanup(hook.Close)
	opts := map[string]string{}
	if v2 {
		opts["v2_lookup"] = "true"
	}
	url := hook.URL + "/wllxpay"
	if !callbacks {
		url = ""
	}
	srv, closer, err := gateways.NewSandboxServer(gateways.SandboxOptions{CallbackURL: url, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	w.sandbox, w.emu = httptest.NewServer(srv), srv
	t.Cleanup(func() { w.sandbox.Close(); closer.Close() })
	amount := "0.25"
	if n > 1000 {
		amount = "0.01" // within the sandbox's 1,000 BTC balance
	}
	files := payoutsHCL(w.sandbox.URL+wllxpay.Gateway.SandboxPath, n, amount)
	if v2 {
		files["main.hcl"] = strings.Replace(files["main.hcl"], `timeout    = "2s"`, `timeout    = "2s"
  v2_lookup  = true`, 1)
	}
	w.cfg = loadConfig(t, w.dir, files)
	w.provs = openProviders(t, w.cfg, w.dir)
	for _, p := range w.cfg.Providers {
		rv.Gateways[p.Gateway.Name] = append(rv.Gateways[p.Gateway.Name], verifier.For(p.Name(), p.Account(), w.provs[p.Name()]))
	}
	return w
}

// force sets a withdrawal's status at the gateway and waits until its
// callback is in the inbox.
func (w *callbackWorld) force(key, status string) {
	w.t.Helper()
	w.mu.Lock()
	before := w.kept
	w.mu.Unlock()
	resp, err := http.Post(w.sandbox.URL+"/_sandbox/wllxpay/status", "application/json", strings.NewReader(fmt.Sprintf(`{"foreign_id":%q,"status":%q}`, key, status)))
	if err != nil || resp.StatusCode != 200 {
		w.t.Fatalf("forcing %s to %s: %v %v", key, status, err, resp)
	}
	resp.Body.Close()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		w.mu.Lock()
		n := w.kept
		w.mu.Unlock()
		if n > before {
			return
		}
	}
	w.t.Fatalf("the callback for %s %s never reached the inbox", key, status)
}

// withdraw makes a withdrawal at the gateway, as another tool (or a
// create payform lost the answer of) would.
func (w *callbackWorld) withdraw(key, amount string, i int) {
	w.t.Helper()
	_, err := w.provs["wllxpay"].Create(context.Background(), providers.Request{Kind: providers.Payout, Key: key,
		Amount: decimal.RequireFromString(amount), Currency: "BTC", Address: btcAddr(i)})
	if err != nil {
		w.t.Fatal(err)
	}
}

// intentOnly records an intent with no outcome: a create in doubt.
func intentOnly(t testing.TB, store *state.Store, addr, key, amount string, i int) {
	t.Helper()
	plan := state.NewID()
	for _, e := range []*state.Entry{
		{Op: state.OpApply, PlanID: plan},
		{Op: state.OpIntent, PlanID: plan, Address: addr, Provider: "wllxpay", Key: key,
			Object: &state.Declared{Kind: "payout", Gateway: "wllxpay", Amount: amount, Currency: "BTC", Attrs: map[string]string{"address": btcAddr(i)}}},
	} {
		if err := store.Record(e, true); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFoldTakesCallbacksIn(t *testing.T) {
	ctx := context.Background()
	w := newCallbackWorld(t, 3, false)
	store := openStore(t, filepath.Join(w.dir, "payform.state.json"))
	defer store.Close()
	if _, res := planAndApply(t, w.cfg, store, w.provs); res.Counts[state.OutcomeCreated] != 3 {
		t.Fatalf("apply: %+v", res.Counts)
	}
	po := func(i int) string { return fmt.Sprintf(`payout.batch["po-%d"]`, i) }

	// A payout moved to error at the gateway reaches the state.
	w.force("po-2", "error")
	f, err := Fold(ctx, store, w.box, w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Recorded) != 1 || f.Recorded[0].Address != po(2) || f.Recorded[0].After != "failed" || f.Recorded[0].Before != "submitted" || f.Recorded[0].Amount.String() != "0.25" {
		t.Fatalf("fold: %+v", f)
	}
	r := store.State().Resource(po(2))
	if r.Status != "failed" || r.RawStatus != "error" || r.Remote["error"] == "" {
		t.Fatalf("record after the fold: %+v", r)
	}
	// Folded again: nothing new. From the first item (a crash before the
	// inbox recorded how far it got): nothing changes either.
	if f, _ := Fold(ctx, store, w.box, w.cfg); f.Items != 0 || len(f.Recorded) != 0 {
		t.Errorf("second fold: %+v", f)
	}
	seq := store.State().JournalSeq
	if err := w.box.SetFolded(ctx, 0, nil); err != nil {
		t.Fatal(err)
	}
	if f, _ := Fold(ctx, store, w.box, w.cfg); f.Items != 1 || f.Repeated != 1 || len(f.Recorded) != 0 || store.State().JournalSeq != seq {
		t.Errorf("fold of the same items again: %+v, journal %d → %d", f, seq, store.State().JournalSeq)
	}

	// A final status that contradicts the recorded one is kept apart; a
	// status older than a final one (a late retry) is not taken in.
	w.force("po-2", "confirmed")
	w.force("po-1", "confirmed")
	late := lateCallback(t, w, "po-1")
	if _, _, err := w.box.Add(ctx, late); err != nil {
		t.Fatal(err)
	}
	f, _ = Fold(ctx, store, w.box, w.cfg)
	if len(f.Recorded) != 1 || f.Recorded[0].Address != po(1) || f.Late != 1 || len(f.Apart) != 1 || !f.Apart[0].Attention || !strings.Contains(f.Apart[0].Why, "final: one of them is wrong") {
		t.Fatalf("fold: %+v", f)
	}
	if r := store.State().Resource(po(2)); r.Status != "failed" {
		t.Errorf("po-2 became %s on a contradicting callback", r.Status)
	}

	// A callback for a payout in doubt that proves it: adopted, with its
	// id. One whose withdrawal differs from what was sent: unknown, for
	// an operator. One the state has no record of: kept apart.
	intentOnly(t, store, po(4), "po-4", "0.25", 4)
	intentOnly(t, store, po(5), "po-5", "0.25", 5)
	w.withdraw("po-4", "0.25", 4)
	w.withdraw("po-5", "0.3", 5)
	w.withdraw("po-9", "0.1", 9)
	for _, k := range []string{"po-4", "po-5", "po-9"} {
		w.force(k, "confirmed")
	}
	f, err = Fold(ctx, store, w.box, w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Settled) != 2 || f.Settled[0].Outcome != state.OutcomeAdopted || f.Settled[1].Outcome != state.OutcomeUnknown || len(f.Apart) != 1 || !strings.Contains(f.Apart[0].Why, "no record in the state") {
		t.Fatalf("fold: %+v", f)
	}
	if r := store.State().Resource(po(4)); r.InDoubt() || r.ID == "" || r.Status != "confirmed" || !strings.Contains(r.Note, "settled by a WllxPay callback") {
		t.Errorf("po-4 after its callback: %+v", r)
	}
	if r := store.State().Resource(po(5)); !r.InDoubt() || !r.Pending.Manual || !strings.Contains(r.Pending.Reason, "amount 0.3, declared 0.25") {
		t.Errorf("po-5 after a callback that differs: %+v %+v", r, r.Pending)
	}

	// The journal holds one callback entry per status taken in, each
	// naming its inbox item, and replays to the same state.
	n := 0
	store.Backend().Entries(ctx, func(e *state.Entry) error {
		if e.Op == state.OpCallback {
			n++
			if e.Callback == nil || e.Callback.Digest == "" || e.Callback.Via != "signature" {
				t.Errorf("entry %d: %+v", e.Seq, e.Callback)
			}
		}
		return nil
	})
	if n != 4 {
		t.Errorf("%d callback entries, want 4 (po-2 failed, po-1 confirmed, po-4 adopted, po-5 unknown)", n)
	}
	if _, err := state.Verify(ctx, store.Backend(), nil, nil); err != nil {
		t.Errorf("audit verify: %v", err)
	}
}

// lateCallback is a signed-looking processing callback for key, as a
// retry that arrived after the confirmed one would be kept.
func lateCallback(t testing.TB, w *callbackWorld, key string) *inbox.Item {
	var last *inbox.Item
	w.box.Items(context.Background(), 0, func(it *inbox.Item) error {
		if it.Callback != nil && it.Callback.Key == key {
			last = it
		}
		return nil
	})
	if last == nil {
		t.Fatalf("no callback for %s", key)
	}
	c := *last
	obj := *c.Callback.Object
	obj.Status, obj.RawStatus = "submitted", "processing"
	cb := *c.Callback
	cb.Status, cb.Object = "processing", &obj
	c.Callback, c.Digest = &cb, "sha256:late"
	return &c
}

package report

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/payform/payform/state"
)

// The fixture is a known workspace, made through state's public API as
// apply, refresh, state rm and state mv make one: fixed lineage, times
// and actors, so its journal hashes are the same on every run.

const fixtureLineage = "0123456789abcdef0123456789abcdef"

var (
	planA = "aaaaaaaa11112222333344445555aaaa"
	planB = "bbbbbbbb11112222333344445555bbbb"
	day0  = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
)

// fixturePeriod is November 2026.
var fixturePeriod = Period{Since: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}

// fixtureNow is when the fixture's report is made.
var fixtureNow = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

// recorder writes entries as one actor.
type recorder struct {
	t     testing.TB
	store *state.Store
}

func openRecorder(t testing.TB, b state.Backend, actor string) *recorder {
	t.Helper()
	st, err := state.Open(context.Background(), b, state.Options{Operation: "apply", Actor: actor, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return &recorder{t, st}
}

func (r *recorder) rec(e *state.Entry) {
	r.t.Helper()
	if err := r.store.Record(e, false); err != nil {
		r.t.Fatalf("record %s %s: %v", e.Op, e.Address, err)
	}
}

func (r *recorder) close() {
	r.t.Helper()
	if err := r.store.Close(); err != nil {
		r.t.Fatal(err)
	}
}

type obj struct {
	addr, provider, gateway, kind, key, amount, currency string
	attrs                                                map[string]string
}

func (o obj) declared() *state.Declared {
	return &state.Declared{Kind: o.kind, Gateway: o.gateway, Amount: o.amount, Currency: o.currency, Attrs: o.attrs}
}

// send records an intent and its outcome, as apply does.
func (r *recorder) send(at time.Time, plan string, o obj, res *state.Result) {
	r.rec(&state.Entry{At: at, PlanID: plan, Op: state.OpIntent, Address: o.addr, Provider: o.provider, Key: o.key,
		RequestDigest: "sha256:test", Object: o.declared()})
	r.rec(&state.Entry{At: at.Add(time.Second), PlanID: plan, Op: state.OpOutcome, Address: o.addr, Provider: o.provider, Key: o.key, Result: res})
}

// refresh records a status read from the gateway.
func (r *recorder) refresh(at time.Time, plan string, o obj, status, raw string) {
	r.rec(&state.Entry{At: at, PlanID: plan, Op: state.OpRefresh, Address: o.addr, Provider: o.provider, Key: o.key,
		Result: &state.Result{Status: status, RawStatus: raw}})
}

func created(id, status, raw string) *state.Result {
	return &state.Result{Outcome: state.OutcomeCreated, ID: id, Status: status, RawStatus: raw}
}

var (
	po0 = obj{`payout.old["po-0"]`, "wllxpay", "wllxpay", "payout", "po-0", "1", "BTC", map[string]string{"address": "bc1qold"}}
	po1 = obj{`payout.vendor["po-1"]`, "wllxpay", "wllxpay", "payout", "po-1", "0.015", "BTC", map[string]string{"address": "bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv"}}
	po2 = obj{`payout.vendor["po-2"]`, "wllxpay.eu", "wllxpay", "payout", "po-2", "0.25", "ETH", map[string]string{"address": "0x0FC8175c4AdB643410df3D5B301638C1a6eb231d"}}
	po3 = obj{`payout.vendor["po-3"]`, "wllxpay", "wllxpay", "payout", "po-3", "120.5", "USDTT", map[string]string{"address": "TBQxJfLfHtDFZ7yViuUTSzvQqMEB5eENUm"}}
	po4 = obj{`payout.vendor["po-4"]`, "wllxpay", "wllxpay", "payout", "po-4", "0.5", "BTC", map[string]string{"address": "bc1qdoubt"}}
	po5 = obj{`payout.vendor["po-5"]`, "wllxpay", "wllxpay", "payout", "po-5", "2", "BTC", map[string]string{"address": "bc1qbroke"}}
	po6 = obj{`payout.vendor["po-6"]`, "wllxpay", "wllxpay", "payout", "po-6", "25", "XRP", map[string]string{"address": "rMzsJrEPCjSoBR8FfMueDefhT7eF2GwAdU", "tag": "77"}}
	or1 = obj{`invoice_batch.shop["ord-1"]`, "coinpay24", "coinpay24", "invoice", "ord-1", "100", "USD", map[string]string{"title": "Order 1"}}
	or2 = obj{`invoice_batch.shop["ord-2"]`, "coinpay24", "coinpay24", "invoice", "ord-2", "12.5", "USD", nil}
	or3 = obj{`invoice_batch.shop["ord-3"]`, "coinpay24", "coinpay24", "invoice", "ord-3", "40", "EUR", nil}
	da1 = obj{`deposit_address_pool.customers["c-1/BTC"]`, "wllxpay", "wllxpay", "deposit_address", "c-1", "", "BTC", nil}
)

// fixture builds the known workspace and returns its backend:
//
//   - October: po-0 sent and confirmed (outside the period);
//   - plan A (alice, 2 Nov): po-1 confirmed the next day, po-2 failed,
//     po-3 cancelled, po-4 in doubt (a timeout), po-5 refused (no
//     balance), po-6 confirmed and later forgotten;
//   - plan B (ci, 5 Nov): ord-1 paid, ord-2 underpaid, ord-3 pending and
//     moved to another batch, a deposit address taken.
func fixture(t testing.TB) state.Backend {
	t.Helper()
	b := &state.Local{Path: filepath.Join(t.TempDir(), "payform.state.json")}
	if err := b.WriteSnapshot(context.Background(), state.New(fixtureLineage, "test")); err != nil {
		t.Fatal(err)
	}
	r := openRecorder(t, b, "alice@treasury")
	oct := time.Date(2026, 10, 20, 15, 0, 0, 0, time.UTC)
	r.rec(&state.Entry{At: oct, PlanID: "00000000000000000000000000000000", Op: state.OpApply})
	r.send(oct, "00000000000000000000000000000000", po0, created("9", "confirmed", "confirmed"))

	r.rec(&state.Entry{At: day0, PlanID: planA, Op: state.OpApply})
	r.send(day0, planA, po1, created("11", "submitted", "processing"))
	r.send(day0.Add(2*time.Second), planA, po2, created("12", "submitted", "processing"))
	r.send(day0.Add(4*time.Second), planA, po3, created("13", "submitted", "processing"))
	r.send(day0.Add(6*time.Second), planA, po4, &state.Result{Outcome: state.OutcomeInDoubt, Error: "timeout after 30s: the gateway may have made it"})
	r.send(day0.Add(8*time.Second), planA, po5, &state.Result{Outcome: state.OutcomeRejected, Error: `422 {"errors":{"amount":"Not enough amount"}}`})
	r.send(day0.Add(10*time.Second), planA, po6, created("14", "submitted", "processing"))
	next := day0.Add(24 * time.Hour)
	r.refresh(next, planA, po1, "confirmed", "confirmed")
	r.refresh(next, planA, po2, "failed", "error")
	r.refresh(next, planA, po3, "cancelled", "cancelled")
	r.refresh(next, planA, po6, "confirmed", "confirmed")
	r.close()

	r = openRecorder(t, b, "ci@pipeline")
	d5 := time.Date(2026, 11, 5, 14, 30, 0, 0, time.UTC)
	r.rec(&state.Entry{At: d5, PlanID: planB, Op: state.OpApply, Approvals: []state.Approval{
		{Policy: "treasury", Principal: "alice@example.com", Fingerprint: "SHA256:6V8cEYNh5Qw7cDoH6ZNVVxmrUQqj8rQb1bGm4nnxRbo"},
		{Policy: "treasury", Principal: "bob@example.com", Fingerprint: "SHA256:Jp0XqI1Q7yCZqv4wHZ9Gm3Gf1nGmBw8e1Xq3CL9r0pE"},
	}})
	pay := func(id string) *state.Result {
		res := created(id, "pending", "new")
		res.Remote = map[string]string{"payment_url": "https://coinpay24.example/pay/" + id}
		return res
	}
	r.send(d5, planB, or1, pay("501"))
	r.send(d5.Add(2*time.Second), planB, or2, pay("502"))
	r.send(d5.Add(4*time.Second), planB, or3, pay("503"))
	da := created("71", "active", "")
	da.Remote = map[string]string{"address": "bc1qdeposit"}
	r.send(d5.Add(6*time.Second), planB, da1, da)
	d6 := d5.Add(24 * time.Hour)
	r.refresh(d6, planB, or1, "paid", "paid")
	r.refresh(d6, planB, or2, "underpaid", "underpaid")
	d7 := d6.Add(24 * time.Hour)
	r.rec(&state.Entry{At: d7, Op: state.OpForget, Address: po6.addr, Provider: po6.provider, Key: po6.key})
	r.rec(&state.Entry{At: d7, Op: state.OpMove, From: or3.addr, Address: `invoice_batch.store["ord-3"]`, Provider: or3.provider, Key: or3.key})
	r.close()
	return b
}

// fixtureModel is the fixture's report for November.
func fixtureModel(t testing.TB) *Model {
	t.Helper()
	m, err := FromBackend(context.Background(), fixture(t), Options{Period: fixturePeriod, Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	m.Source = "payform.state.json" // not the temporary directory
	return m
}

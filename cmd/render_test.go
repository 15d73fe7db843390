package cmd

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/executor"
	"github.com/payform/payform/planner"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/state"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/NAME.golden.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func payoutChange(addr, key, amount, cur, dest string, act planner.Action) *planner.Change {
	return &planner.Change{Address: addr, Action: act, Kind: providers.Payout, Provider: "wllxpay", Gateway: "wllxpay",
		Key: key, Amount: dec(amount), Currency: cur, Attrs: map[string]string{"address": dest}}
}

// samplePlan has every action, a drift and enough creates for "largest".
func samplePlan() *planner.Plan {
	before := &state.Resource{Address: `payout.old["x"]`, Kind: "payout", Provider: "wllxpay", Key: "x", Amount: "2", Currency: "BTC", Status: "submitted"}
	adopt := payoutChange(`payout.vendor["po-5"]`, "po-5", "0.5", "BTC", "bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv", planner.Adopt)
	adopt.Found = &planner.Found{ID: "17", Status: "submitted", RawStatus: "processing"}
	adopt.Note = `wllxpay already has foreign_id "po-5"`
	resolve := payoutChange(`payout.vendor["po-6"]`, "po-6", "0.1", "BTC", "bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv", planner.Resolve)
	resolve.Note = "in doubt since 2026-11-21T09:00:00Z: send again with the same key; the gateway refuses it if the first attempt landed"
	forget := payoutChange(`payout.old["x"]`, "x", "2", "BTC", "bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv", planner.Forget)
	forget.Before = before
	xrp := payoutChange(`payout.vendor["po-4"]`, "po-4", "1250", "XRP", "rh3UMU2qwhYFZUFzb5MfuWAsw3nRe2pMpa", planner.Create)
	xrp.Attrs["tag"] = "123456"
	p := &planner.Plan{
		PlanID: "0123456789abcdef", CreatedAt: t0, ExpiresAt: t0.Add(24 * time.Hour),
		Changes: []*planner.Change{
			forget,
			payoutChange(`payout.vendor["po-1"]`, "po-1", "0.015", "BTC", "bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv", planner.Create),
			payoutChange(`payout.vendor["po-2"]`, "po-2", "1.25", "BTC", "bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv", planner.Create),
			payoutChange(`payout.vendor["po-3"]`, "po-3", "0.5", "BTC", "bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv", planner.Create),
			payoutChange(`payout.vendor["po-3b"]`, "po-3b", "12.00000001", "BTC", "bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv", planner.Create),
			xrp, adopt, resolve,
		},
		Drift: []*planner.Drift{{Address: `payout.vendor["po-0"]`, Provider: "wllxpay", Key: "po-0", Before: "submitted", After: "confirmed", RawAfter: "confirmed"}},
		Warnings: []planner.Warning{{Summary: "Payout without destination tag", Subject: "main.hcl:14",
			Detail: `payout.vendor["po-7"]: XRP payouts to exchanges and custodial wallets need a destination tag; without one the funds may be lost. Set tag if the recipient gave one.`}},
	}
	p.Summary = planner.Summary{
		Create: 5, Adopt: 1, Resolve: 1, Forget: 1, NoOp: 3, Drift: 1,
		Totals: []planner.Total{
			{Kind: providers.Payout, Provider: "wllxpay", Currency: "BTC", Action: planner.Adopt, Count: 1, Amount: dec("0.5")},
			{Kind: providers.Payout, Provider: "wllxpay", Currency: "BTC", Action: planner.Create, Count: 4, Amount: dec("13.76500001")},
			{Kind: providers.Payout, Provider: "wllxpay", Currency: "BTC", Action: planner.Resolve, Count: 1, Amount: dec("0.1")},
			{Kind: providers.Payout, Provider: "wllxpay", Currency: "XRP", Action: planner.Create, Count: 1, Amount: dec("1250")},
		},
		Largest: []planner.Item{
			{Address: `payout.vendor["po-3b"]`, Amount: dec("12.00000001"), Currency: "BTC"},
			{Address: `payout.vendor["po-2"]`, Amount: dec("1.25"), Currency: "BTC"},
			{Address: `payout.vendor["po-3"]`, Amount: dec("0.5"), Currency: "BTC"},
			{Address: `payout.vendor["po-4"]`, Amount: dec("1250"), Currency: "XRP"},
		},
		NewDestinations: 2, NewDestinationSample: []string{"BTC bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv", "XRP rh3UMU2qwhYFZUFzb5MfuWAsw3nRe2pMpa tag 123456"},
	}
	return p
}

func TestRenderPlan(t *testing.T) {
	for _, color := range []bool{false, true} {
		ios, _, _ := Test("")
		ios.forceColor(color)
		a := &app{ios: ios}
		var b bytes.Buffer
		a.renderPlan(&b, samplePlan())
		name := "plan"
		if color {
			name = "plan_color"
		}
		golden(t, name, b.Bytes())
	}
}

func TestRenderNoChanges(t *testing.T) {
	ios, _, _ := Test("")
	a := &app{ios: ios}
	var b bytes.Buffer
	a.renderPlan(&b, &planner.Plan{Summary: planner.Summary{NoOp: 3, Unknown: 1}})
	golden(t, "plan_no_changes", b.Bytes())
}

func TestRenderApplyResult(t *testing.T) {
	ios, _, _ := Test("")
	a := &app{ios: ios}
	var b bytes.Buffer
	a.renderApplyResult(&b, &executor.Result{Counts: map[state.Outcome]int{"created": 3}})
	a.renderApplyResult(&b, &executor.Result{Counts: map[state.Outcome]int{"created": 2, "adopted": 1}, Warnings: []executor.Failure{
		{Address: `payout.vendor["po-3"]`, Outcome: "adopted", Message: `not sent: wllxpay already had foreign_id "po-3", which this state never sent; it is recorded as submitted without verification. Check at the gateway that it is this payout.`},
	}})
	a.renderApplyResult(&b, &executor.Result{
		Counts: map[state.Outcome]int{"created": 196, "adopted": 1, "rejected": 1, "in-doubt": 1, "unknown": 1},
		Failures: []executor.Failure{
			{Address: `payout.vendor["po-7"]`, Outcome: "rejected", Message: "wllxpay withdrawal/make: HTTP 422: amount: Not enough amount (not_enough_balance)"},
			{Address: `payout.vendor["po-8"]`, Outcome: "in-doubt", Message: "wllxpay withdrawal/make: no answer before the timeout"},
			{Address: `payout.vendor["po-9"]`, Outcome: "unknown", Message: "the gateway already has this key but cannot say which object it is"},
		},
	})
	golden(t, "apply_result", b.Bytes())
}

func TestRenderResource(t *testing.T) {
	var b bytes.Buffer
	renderResource(&b, &state.Resource{
		Address: `payout.vendor["po-1"]`, Kind: "payout", Provider: "wllxpay.eu", Gateway: "wllxpay", Key: "po-1",
		Amount: "0.015", Currency: "BTC", Attrs: map[string]string{"address": "bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv"},
		ID: "17", Status: "submitted", RawStatus: "processing", PlanID: "0123", CreatedAt: t0, UpdatedAt: t0.Add(time.Minute),
	})
	renderResource(&b, &state.Resource{
		Address: `payout.vendor["po-2"]`, Kind: "payout", Provider: "wllxpay", Gateway: "wllxpay", Key: "po-2",
		Amount: "1", Currency: "BTC", Status: "unknown", CreatedAt: t0, UpdatedAt: t0, ForgottenAt: t0.Add(time.Hour),
		Pending: &state.Pending{At: t0, Attempts: 3, Manual: true, Reason: "duplicate without id"},
	})
	renderResource(&b, &state.Resource{
		Address: `invoice_batch.nov["ord-1"]`, Kind: "invoice", Provider: "coinpay24", Gateway: "coinpay24", Key: "ord-1",
		Amount: "10", Currency: "USD", ID: "9", Status: "pending", RawStatus: "new", CreatedAt: t0, UpdatedAt: t0,
		Superseded: []state.Remote{{ID: "7", Fields: map[string]string{"outcome": "another object under the same key; payform manages 9"}, At: t0}},
	})
	golden(t, "state_show", b.Bytes())
}

func TestTableAlignsDecimals(t *testing.T) {
	var b bytes.Buffer
	tb := newTable("", left, decimalPoint)
	tb.row("CUR", "AMOUNT")
	tb.row("BTC", "0.015")
	tb.row("USDTT", "1200")
	tb.row("ETH", "12.123456789")
	tb.write(&b)
	want := "CUR    AMOUNT\n" +
		"BTC       0.015\n" +
		"USDTT  1200\n" +
		"ETH      12.123456789\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestLineCap(t *testing.T) {
	var b bytes.Buffer
	w := &lineCap{w: &b, max: 5}
	for _, chunk := range []string{"abc", "defgh\nxy", "z\n", "ééé", "é\n12345\n"} {
		if n, err := w.Write([]byte(chunk)); err != nil || n != len(chunk) {
			t.Fatalf("Write(%q) = %d, %v", chunk, n, err)
		}
	}
	want := "abcde…\nxyz\néé…\n12345\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestRenderMarkdown(t *testing.T) {
	var b bytes.Buffer
	renderMarkdown(&b, samplePlan())
	golden(t, "plan_markdown", b.Bytes())
}

// TestMarkdownStaysUnderLimit: a plan far too long to show stays under
// the limit, with a count of what was left out.
func TestMarkdownStaysUnderLimit(t *testing.T) {
	p := samplePlan()
	for i := range 20_000 {
		p.Changes = append(p.Changes, payoutChange(fmt.Sprintf(`payout.batch["po-%d"]`, i), fmt.Sprint("po-", i), "0.001", "BTC", "bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv", planner.Create))
	}
	var b bytes.Buffer
	renderMarkdown(&b, p)
	if n := utf8.RuneCount(b.Bytes()); n > MaxMarkdown {
		t.Errorf("markdown is %d characters, over %d", n, MaxMarkdown)
	}
	if !strings.Contains(b.String(), "more changes not shown here") {
		t.Error("no count of the changes left out")
	}
	if first := strings.SplitN(b.String(), "\n", 2)[0]; first != "### payform plan: send 13.76500001 BTC, 1,250 XRP" {
		t.Errorf("first line = %q", first)
	}
}

func TestRenderJSONPlan(t *testing.T) {
	var b bytes.Buffer
	p := samplePlan()
	p.StateLineage, p.StateSerial, p.StateJournalSeq, p.ConfigDigest, p.PayformVersion = "lineage-1", 3, 41, "sha256:abc", "test"
	if err := writeJSON(&b, toJSONPlan(p)); err != nil {
		t.Fatal(err)
	}
	golden(t, "plan_json", b.Bytes())
}

func TestRenderJSONState(t *testing.T) {
	st := state.New("lineage-1", "test")
	var b bytes.Buffer
	if err := writeJSON(&b, toJSONState(st)); err != nil {
		t.Fatal(err)
	}
	golden(t, "state_json_empty", b.Bytes())
}

func TestEvents(t *testing.T) {
	var b bytes.Buffer
	tick := t0
	e := newEvents(&b, func() time.Time { tick = tick.Add(750 * time.Millisecond); return tick }) // elapsed_seconds shows
	e.start("apply", map[string]any{"plan_file": "x.plan"})
	p := samplePlan()
	e.plan(&planner.Plan{PlanID: "p1", Changes: p.Changes[:2], Summary: planner.Summary{Create: 1, Forget: 1}})
	h := eventHooks{e}
	h.Started(2)
	h.Starting(p.Changes[1])
	h.Starting(p.Changes[2])
	h.Finished(p.Changes[1], executor.ItemResult{Outcome: "created", ID: "17", Status: "submitted"})
	h.Finished(p.Changes[2], executor.ItemResult{Outcome: "rejected", Err: fmt.Errorf("wllxpay withdrawal/make: HTTP 422: amount: Not enough amount (not_enough_balance)")})
	e.applyResult(&executor.Result{Counts: map[state.Outcome]int{"created": 1, "rejected": 1}, Failures: []executor.Failure{{}}}, state.Head{Seq: 7, Hash: strings.Repeat("ab", 32)})
	golden(t, "events", b.Bytes())
}

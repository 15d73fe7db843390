package report

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/payform/payform/state"
)

// Speed targets (2 cores): the report of 10,000 payouts opens in Chromium
// in under 2 s (BenchmarkOpenInChromium10k: navigation start to the first
// frame after the page's script ran), and is made in well under that
// (BenchmarkFromBackend10k, BenchmarkWriteHTML10k).
//
//	go test ./report/ -run '^$' -bench . -benchtime 5x

// bigBackend is a workspace of n payouts over 30 days through the state's
// public API, as apply and refresh write them: an apply entry a day, each
// payout's intent and outcome, and a refresh for most; 1% failed, 1%
// cancelled, 0.5% in doubt, 0.5% refused, the rest confirmed.
func bigBackend(tb testing.TB, n int) state.Backend {
	tb.Helper()
	b := &state.Local{Path: filepath.Join(tb.TempDir(), "payform.state.json")}
	if err := b.WriteSnapshot(context.Background(), state.New(fixtureLineage, "test")); err != nil {
		tb.Fatal(err)
	}
	r := openRecorder(tb, b, "treasury@ci")
	currencies := []string{"BTC", "ETH", "USDTT"}
	amounts := []string{"0.0015", "0.25", "120.5"}
	providers := []string{"wllxpay", "wllxpay.eu"}
	start := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	perDay := (n + 29) / 30
	plan := ""
	for i := range n {
		at := start.Add(time.Duration(i/perDay)*24*time.Hour + time.Duration(i%perDay)*time.Second)
		if i%perDay == 0 {
			plan = fmt.Sprintf("%032x", i/perDay+1)
			r.rec(&state.Entry{At: at, PlanID: plan, Op: state.OpApply})
		}
		o := obj{fmt.Sprintf(`payout.vendors["po-%05d"]`, i), providers[i%2], "wllxpay", "payout", fmt.Sprintf("2026-11-po-%05d", i),
			amounts[i%3], currencies[i%3], map[string]string{"address": fmt.Sprintf("bc1qvendor%08d", i)}}
		switch {
		case i%200 == 7:
			r.send(at, plan, o, &state.Result{Outcome: state.OutcomeInDoubt, Error: "timeout after 30s"})
			continue
		case i%200 == 9:
			r.send(at, plan, o, &state.Result{Outcome: state.OutcomeRejected, Error: "422 not enough balance"})
			continue
		}
		r.send(at, plan, o, created(fmt.Sprint(1000+i), "submitted", "processing"))
		switch {
		case i%100 == 3:
			r.refresh(at.Add(time.Hour), plan, o, "failed", "error")
		case i%100 == 5:
			r.refresh(at.Add(time.Hour), plan, o, "cancelled", "cancelled")
		default:
			r.refresh(at.Add(time.Hour), plan, o, "confirmed", "confirmed")
		}
	}
	r.close()
	return b
}

func BenchmarkFromBackend10k(b *testing.B) {
	be := bigBackend(b, 10_000)
	b.ResetTimer()
	for b.Loop() {
		if _, err := FromBackend(context.Background(), be, Options{Now: fixtureNow}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteHTML10k(b *testing.B) {
	m, err := FromBackend(context.Background(), bigBackend(b, 10_000), Options{Now: fixtureNow})
	if err != nil {
		b.Fatal(err)
	}
	var size int
	b.ResetTimer()
	for b.Loop() {
		cw := &countWriter{}
		if err := WriteHTML(cw, m); err != nil {
			b.Fatal(err)
		}
		size = cw.n
	}
	b.ReportMetric(float64(size)/(1<<20), "MiB")
}

func BenchmarkWriteCSV10k(b *testing.B) {
	m, err := FromBackend(context.Background(), bigBackend(b, 10_000), Options{Now: fixtureNow})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := WriteCSV(io.Discard, m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenInChromium10k opens the report of 10,000 payouts in
// headless Chromium, each time from a blank tab. open-ms is the page's own
// clock from navigation start to the first frame after its script ran
// (parse, style, layout, script, paint); wall-ms adds the DevTools round
// trips.
func BenchmarkOpenInChromium10k(b *testing.B) {
	m, err := FromBackend(context.Background(), bigBackend(b, 10_000), Options{Now: fixtureNow})
	if err != nil {
		b.Fatal(err)
	}
	url := writePage(b, m)
	ctx := newTab(b, 1400, 1000)
	var open, wall time.Duration
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
			b.Fatal(err)
		}
		ms, err := chromedp.Run(ctx, chromedp.Evaluate[float64](
			`new Promise(done => requestAnimationFrame(() => setTimeout(() => done(performance.now()))))`,
			chromedp.EvalAwaitPromise))
		if err != nil {
			b.Fatal(err)
		}
		wall += time.Since(t0)
		open += time.Duration(ms * float64(time.Millisecond))
		if rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#ledger-rows tr").length`)); err != nil || rows != 10_000 {
			b.Fatalf("%d ledger rows (%v), want 10000", rows, err)
		}
	}
	b.ReportMetric(float64(open.Milliseconds())/float64(b.N), "open-ms")
	b.ReportMetric(float64(wall.Milliseconds())/float64(b.N), "wall-ms")
}

type countWriter struct{ n int }

func (w *countWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

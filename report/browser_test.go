package report

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

// The report is checked in a real headless Chromium (Debian's chromium
// package), driven over the DevTools protocol: the DOM after the inline
// JavaScript ran, sorting and filtering by clicks and typing, that the
// page makes no request, and a PNG screenshot kept for a reviewer.
//
// Without Chromium the test skips, unless PAYFORM_TEST_BROWSER_REQUIRED=1
// (.ci/run sets it), which makes that a failure. PAYFORM_TEST_CHROMIUM
// names the browser's binary; PAYFORM_TEST_ARTIFACTS a directory for the
// screenshots (else the test's artifact directory: go test -artifacts).

// chromiumPath finds the browser, or skips (fails when it is required).
func chromiumPath(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("PAYFORM_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium found (install Debian's chromium: apt-get install -y chromium, or set PAYFORM_TEST_CHROMIUM)"
	if os.Getenv("PAYFORM_TEST_BROWSER_REQUIRED") == "1" {
		tb.Fatal(msg + "; PAYFORM_TEST_BROWSER_REQUIRED=1 makes this a failure")
	}
	tb.Skip(msg + "; skipping the browser test")
	return ""
}

// newTab starts headless Chromium with the project's flags and an empty
// profile, and returns a context for one tab; the browser stops with the
// test.
func newTab(tb testing.TB, width, height int) context.Context {
	tb.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(tb)),
		chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(width, height),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	// A browser that hangs fails the test in two minutes rather than
	// stalling the run: every action on ctx ends when it is cancelled.
	deadline := time.AfterFunc(2*time.Minute, cancel)
	tb.Cleanup(func() { deadline.Stop(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // start it now: a failure here is the browser's
		tb.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// artifactDir is where screenshots go.
func artifactDir(t *testing.T) string {
	if dir := os.Getenv("PAYFORM_TEST_ARTIFACTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.ArtifactDir()
}

// screenshot is a PNG of the whole page in a window width wide and as tall
// as the page.
func screenshot(t *testing.T, ctx context.Context, width int) []byte {
	t.Helper()
	height := 0
	for range 3 { // drawing what was off screen changes the height
		h := eval[int](t, ctx, `document.documentElement.scrollHeight`)
		if h == height {
			break
		}
		height = h
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
			t.Fatal(err)
		}
		eval[float64](t, ctx, `new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(0))))`, chromedp.EvalAwaitPromise)
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.ResetViewport()); err != nil {
		t.Fatal(err)
	}
	return png
}

// writePage writes the model's HTML to a file and returns its file URL.
func writePage(tb testing.TB, m *Model) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "report.html")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := WriteHTML(f, m); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return "file://" + path
}

// eval runs JavaScript in the tab and returns its value.
func eval[T any](t *testing.T, ctx context.Context, js string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, opts...))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// rowsJS lists the rows matching sel, each as its cells' texts joined by
// " | ".
func rowsJS(sel string) string {
	return `Array.from(document.querySelectorAll(` + "`" + sel + "`" + `)).map(r => Array.from(r.cells).map(c => c.textContent.trim().replace(/\s+/g, " ")).join(" | "))`
}

// columnJS lists one ledger column's texts, in the order shown.
func columnJS(col int) string {
	return `Array.from(document.querySelectorAll("#ledger-rows tr")).map(r => r.cells[` + strconv.Itoa(col) + `].textContent.trim())`
}

func TestReportInChromium(t *testing.T) {
	m := fixtureModel(t)
	url := writePage(t, m)
	ctx := newTab(t, 1400, 1000)

	var mu sync.Mutex
	var requests []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if r, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requests = append(requests, r.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("html[data-ready]"))); err != nil {
		t.Fatalf("opening the report: %v", err)
	}

	// The screenshot of the page as it opens, for a reviewer: in a window
	// as tall as the page, so that every part of it is drawn (the ledger
	// draws only what is on screen).
	png := screenshot(t, ctx, 1400)
	shot := filepath.Join(artifactDir(t), "report-fixture.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", shot)

	// The journal check, first.
	if got := eval[string](t, ctx, `document.getElementById("check").className + " | " + document.querySelector("#check h2").textContent + " | " + document.getElementById("check-entries").textContent + " | " + document.getElementById("head").textContent`); got != "check ok | Journal verified | 33 | 33:"+m.Check.HeadHash {
		t.Errorf("journal check: %s", got)
	}

	// The totals.
	if diff := cmp.Diff([]string{
		"BTC | 0.015 (1) | 0.015 (1) | — | 0.5 (1) | — | — | —",
		"ETH | 0.25 (1) | — | 0.25 (1) | — | — | — | —",
		"EUR | — | — | — | — | 40 (1) | — | —",
		"USD | — | — | — | — | 112.5 (2) | 100 (1) | 12.5 (1)",
		"USDTT | 120.5 (1) | — | 120.5 (1) | — | — | — | —",
		"XRP | 25 (1) | 25 (1) | — | — | — | — | —",
	}, eval[[]string](t, ctx, rowsJS("#currency-totals tbody tr"))); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"2026-11-05: invoiced 112.5 USD (2)", "2026-11-06: paid 100 USD (1)"},
		eval[[]string](t, ctx, `Array.from(document.querySelectorAll('figure[data-currency="USD"] svg rect title')).map(e => e.textContent)`)); diff != "" {
		t.Errorf("USD chart bars (-want +got):\n%s", diff)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("figure.chart svg").length`); n != 6 {
		t.Errorf("%d charts, want one per currency (6)", n)
	}

	// The failed, cancelled, underpaid, in-doubt and refused items, with
	// their amounts, in that order.
	if diff := cmp.Diff([]string{
		`Failed | payout.vendor["po-2"] | wllxpay.eu | po-2 | 12 | 0.25 | ETH | failed error | the gateway reported "error" on 2026-11-03 09:00:00Z | 2026-11-02 09:00:02Z`,
		`Cancelled | payout.vendor["po-3"] | wllxpay | po-3 | 13 | 120.5 | USDTT | cancelled | the gateway reported "cancelled" on 2026-11-03 09:00:00Z | 2026-11-02 09:00:04Z`,
		`Underpaid | invoice_batch.shop["ord-2"] | coinpay24 | ord-2 | 502 | 12.5 | USD | underpaid | the gateway reported "underpaid" on 2026-11-06 14:30:00Z | 2026-11-05 14:30:02Z`,
		`In doubt | payout.vendor["po-4"] | wllxpay | po-4 |  | 0.5 | BTC | unknown | timeout after 30s: the gateway may have made it | 2026-11-02 09:00:06Z`,
		`Refused: nothing was sent | payout.vendor["po-5"] | wllxpay | po-5 |  | 2 | BTC | rejected | 422 {"errors":{"amount":"Not enough amount"}} | 2026-11-02 09:00:08Z`,
	}, eval[[]string](t, ctx, rowsJS("#attention tbody tr"))); diff != "" {
		t.Errorf("attention (-want +got):\n%s", diff)
	}

	// The ledger: every row, a few exact cells, the history behind a click.
	ledger := eval[[]string](t, ctx, rowsJS("#ledger-rows tr"))
	if len(ledger) != 10 || eval[string](t, ctx, `document.getElementById("shown").textContent + "/" + document.getElementById("total").textContent`) != "10/10" {
		t.Fatalf("ledger has %d rows, want 10:\n%s", len(ledger), strings.Join(ledger, "\n"))
	}
	if want := `payout.vendor["po-2"] | payout | wllxpay.eu | po-2 | 12 | 0.25 | ETH | failed | 0x0FC8175c4AdB643410df3D5B301638C1a6eb231d | ` +
		`unknown → submitted → failed | alice@treasury | 2026-11-02 09:00:02Z | aaaaaaaa`; ledger[1] != want {
		t.Errorf("po-2's row\n got %s\nwant %s", ledger[1], want)
	}
	if got := ledger[5]; !strings.HasPrefix(got, `payout.vendor["po-6"] | payout | wllxpay | po-6 | 14 | 25 | XRP | confirmed forgotten | rMzsJrEPCjSoBR8FfMueDefhT7eF2GwAdU tag 77 |`) {
		t.Errorf("po-6's row: %s", got)
	}
	// click clicks an element as a person would, with it in the middle of
	// the window (not under the sticky headings).
	click := func(sel string) {
		t.Helper()
		eval[chromedp.Void](t, ctx, `document.querySelector(`+"`"+sel+"`"+`).scrollIntoView({block: "center"})`)
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
			t.Fatalf("click %s: %v", sel, err)
		}
	}
	// A click on the status trail shows the item's journal entries; a
	// second one hides them.
	const po2History = `Array.from(document.querySelectorAll('#ledger-rows tr[data-i="1"] ol.hist li')).map(li => li.textContent)`
	if got := eval[[]string](t, ctx, po2History); len(got) != 0 {
		t.Errorf("history shown before a click: %v", got)
	}
	click(`#ledger-rows tr[data-i="1"] .trail`)
	if diff := cmp.Diff([]string{
		"2026-11-02 09:00:02Z alice@treasury: intent: about to call the gateway [plan aaaaaaaa]",
		"2026-11-02 09:00:03Z alice@treasury: outcome: created, submitted (processing) [plan aaaaaaaa]",
		"2026-11-03 09:00:00Z alice@treasury: status: failed (error) [plan aaaaaaaa]",
	}, eval[[]string](t, ctx, po2History)); diff != "" {
		t.Errorf("po-2's history after a click (-want +got):\n%s", diff)
	}
	click(`#ledger-rows tr[data-i="1"] .trail`)
	if got := eval[[]string](t, ctx, po2History); len(got) != 0 {
		t.Errorf("history still shown after a second click: %v", got)
	}

	// Sorting: amounts as exact decimals, ascending then descending.
	amounts := []string{"", "0.015", "0.25", "0.5", "2", "12.5", "25", "40", "100", "120.5"}
	click("#ledger thead th:nth-child(6)")
	if diff := cmp.Diff(amounts, eval[[]string](t, ctx, columnJS(5))); diff != "" {
		t.Errorf("sorted by amount (-want +got):\n%s", diff)
	}
	if got := eval[string](t, ctx, `document.querySelector("#ledger thead th:nth-child(6)").getAttribute("aria-sort")`); got != "ascending" {
		t.Errorf("amount header aria-sort %q", got)
	}
	click("#ledger thead th:nth-child(6)")
	var desc []string
	for i := len(amounts) - 1; i >= 0; i-- {
		desc = append(desc, amounts[i])
	}
	if diff := cmp.Diff(desc, eval[[]string](t, ctx, columnJS(5))); diff != "" {
		t.Errorf("sorted by amount, descending (-want +got):\n%s", diff)
	}
	click("#ledger thead th:nth-child(5)") // gateway ids: numbers as numbers
	if diff := cmp.Diff([]string{"", "", "11", "12", "13", "14", "71", "501", "502", "503"}, eval[[]string](t, ctx, columnJS(4))); diff != "" {
		t.Errorf("sorted by gateway id (-want +got):\n%s", diff)
	}

	// Filtering: typing, a status, the attention box; the count follows.
	waitShown := func(want string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("shown").textContent === "`+want+`"`,
			chromedp.WithPollingTimeout(5*time.Second))); err != nil {
			t.Fatalf("waiting for %s rows shown (shown: %s): %v", want, eval[string](t, ctx, `document.getElementById("shown").textContent`), err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#q"), "ORD-")); err != nil {
		t.Fatal(err)
	}
	waitShown("3")
	if diff := cmp.Diff([]string{`invoice_batch.shop["ord-1"]`, `invoice_batch.shop["ord-2"]`, `invoice_batch.store["ord-3"]`}, eval[[]string](t, ctx, columnJS(0))); diff != "" {
		t.Errorf("filtered by ORD- (-want +got):\n%s", diff)
	}
	// Select what was typed and type over it, as a person would.
	eval[chromedp.Void](t, ctx, `document.getElementById("q").select()`)
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#q"), "alice")); err != nil {
		t.Fatal(err)
	}
	waitShown("6")
	eval[chromedp.Void](t, ctx, `(() => { const q = document.getElementById("q"); q.value = ""; q.dispatchEvent(new Event("input")); const s = document.getElementById("f-status"); s.value = "failed"; s.dispatchEvent(new Event("change")); })()`)
	waitShown("1")
	if got := eval[[]string](t, ctx, columnJS(0)); !cmp.Equal(got, []string{`payout.vendor["po-2"]`}) {
		t.Errorf("status failed: %v", got)
	}
	eval[chromedp.Void](t, ctx, `(() => { const s = document.getElementById("f-status"); s.value = ""; s.dispatchEvent(new Event("change")); })()`)
	waitShown("10")
	click("#f-attention")
	waitShown("5")
	if diff := cmp.Diff([]string{`payout.vendor["po-4"]`, `payout.vendor["po-5"]`, `payout.vendor["po-2"]`, `payout.vendor["po-3"]`, `invoice_batch.shop["ord-2"]`},
		eval[[]string](t, ctx, columnJS(0))); diff != "" {
		t.Errorf("needs attention, still sorted by gateway id (-want +got):\n%s", diff)
	}
	if opts := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("#f-currency option")).map(o => o.value)`); !cmp.Equal(opts, []string{"", "BTC", "ETH", "EUR", "USD", "USDTT", "XRP"}) {
		t.Errorf("currency filter choices: %v", opts)
	}

	mu.Lock()
	defer mu.Unlock()
	for _, r := range requests {
		if r != url {
			t.Errorf("the page requested %s", r)
		}
	}
}

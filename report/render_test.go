package report

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report/ -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; go test ./report/ -update rewrites it):\n%s", name, diff)
	}
}

func TestGoldenHTML(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTML(&b, fixtureModel(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "fixture.html.golden", b.Bytes())
}

func TestGoldenCSV(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, fixtureModel(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "fixture.csv.golden", b.Bytes())
}

// TestHTMLSelfContained: the page names nothing to load. Links are to its
// own sections; there is no src, no url() but none at all, no @import;
// the Content-Security-Policy forbids every request even if one slipped
// in. URLs appear only as text (an invoice's payment URL).
func TestHTMLSelfContained(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTML(&b, fixtureModel(t)); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, re := range []string{`(?i)\bsrc\s*=`, `(?i)url\(`, `(?i)@import`, `(?i)<link\b`, `(?i)<iframe\b`, `(?i)<img\b`, `(?i)\bfetch\(`, `(?i)XMLHttpRequest`} {
		if loc := regexp.MustCompile(re).FindStringIndex(page); loc != nil {
			t.Errorf("%s at byte %d: %q", re, loc[0], page[max(loc[0]-40, 0):min(loc[1]+40, len(page))])
		}
	}
	for _, m := range regexp.MustCompile(`(?i)\bhref\s*=\s*"([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(m[1], "#") {
			t.Errorf("href %q leaves the page", m[1])
		}
	}
	if !strings.Contains(page, `content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"`) {
		t.Error("no Content-Security-Policy that forbids requests")
	}
}

// TestHTMLFromPlainModel: the rendering reads only the model. A failed
// journal check is shown first and loudly; money is shown exactly.
func TestHTMLFromPlainModel(t *testing.T) {
	at := time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC)
	big := "123456789012345678.000000000000000001" // more digits than a float64 holds
	m := &Model{
		Source: "pg workspace treasury", Generated: at,
		Check:      Check{Error: "entry 13 is corrupt: hash does not match the entry's content", Entries: 12, HeadSeq: 12, HeadHash: "ab12", StateSeq: 40, StateHash: "cd34"},
		Currencies: []CurrencyTotals{{Currency: "ETH", Sent: Sum{1, decimal.RequireFromString(big)}}},
		Ledger: []*Item{{Address: `payout.x["<b>"]`, Kind: "payout", Provider: "wllxpay", Key: "k<1>", Amount: big, Currency: "ETH",
			Status: "failed", Category: CategoryFailed, Reason: "boom", At: at, Actor: "eve",
			History: []Event{{Seq: 5, At: at, Actor: "eve", Op: "intent"}}}},
	}
	m.Attention = m.Ledger
	var b bytes.Buffer
	if err := WriteHTML(&b, m); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		`<section id="check" class="check bad">`, `<h2>Journal check FAILED</h2>`,
		`<p id="check-error">entry 13 is corrupt: hash does not match the entry&#39;s content</p>`,
		`<code id="head">12:ab12</code> · the state's head is <code>40:cd34</code>`,
		`<td class="num">` + big + ` <span class="cnt">(1)</span></td>`,
		`<td class="addr">payout.x[&#34;&lt;b&gt;&#34;]</td>`, `k&lt;1&gt;`,
		`<span class="st c-failed">Failed</span>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Index(page, `id="check"`) > strings.Index(page, `id="attention"`) || strings.Index(page, `id="attention"`) > strings.Index(page, `id="totals"`) {
		t.Error("the journal check and the attention list must come first")
	}
}

func TestWriteHTMLError(t *testing.T) {
	if err := WriteHTML(failWriter{}, fixtureModel(t)); err == nil {
		t.Error("a failing writer gives no error")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

package report

import (
	"bufio"
	_ "embed"
	"encoding/json"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"
)

var (
	//go:embed assets/report.html.tmpl
	pageTemplate string
	//go:embed assets/report.css
	pageCSS string
	//go:embed assets/report.js
	pageJS string
)

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"ts":       Timestamp,
	"day":      func(t time.Time) string { return t.UTC().Format(time.DateOnly) },
	"money":    MoneyText,
	"title":    CategoryTitle,
	"short":    shortID,
	"count":    func(n int) string { return groupDigits(strconv.Itoa(n)) },
	"sum":      func(s Sum) string { return s.Amount.String() },
	"css":      func() template.CSS { return template.CSS(pageCSS) },
	"js":       func() template.JS { return template.JS(pageJS) },
	"add":      func(a, b int) int { return a + b },
	"mul":      func(a, b int) int { return a * b },
	"rows":     ledgerRows,
	"period":   periodText,
	"kindName": kindName,
	"kindCount": func(kind string, n int) string {
		if n == 1 {
			return strings.ReplaceAll(kind, "_", " ")
		}
		return kindName(kind)
	},
}).Parse(pageTemplate))

// WriteHTML writes the report as one self-contained HTML page: inline CSS,
// SVG and JavaScript, no request to anywhere.
func WriteHTML(w io.Writer, m *Model) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	if err := page.Execute(bw, m); err != nil {
		return err
	}
	return bw.Flush()
}

// ledgerChunk is the number of ledger rows in one table: the browser lays
// out only the chunks on screen (content-visibility), so that a ledger of
// 10,000 items opens fast.
const ledgerChunk = 200

// LedgerRow is a ledger item with its place in the ledger (its index in
// HistoryJSON).
type LedgerRow struct {
	N int
	*Item
}

// LedgerChunks cuts the ledger into tables of ledgerChunk rows.
func (m *Model) LedgerChunks() [][]LedgerRow {
	var out [][]LedgerRow
	for start := 0; start < len(m.Ledger); start += ledgerChunk {
		end := min(start+ledgerChunk, len(m.Ledger))
		chunk := make([]LedgerRow, 0, end-start)
		for i := start; i < end; i++ {
			chunk = append(chunk, LedgerRow{i, m.Ledger[i]})
		}
		out = append(out, chunk)
	}
	return out
}

// HistoryJSON is every ledger item's journal entries, one line each, as a
// JSON array in ledger order: the page shows an item's on a click. Kept
// out of the rows' HTML, they cost the browser nothing until then.
// encoding/json escapes <, > and &, so the text cannot end the script
// element it sits in.
func (m *Model) HistoryJSON() (template.JS, error) {
	all := make([][]string, len(m.Ledger))
	for i, it := range m.Ledger {
		lines := make([]string, len(it.History))
		for k, e := range it.History {
			lines[k] = Timestamp(e.At) + " " + e.Actor + ": " + e.Summary()
			if e.PlanID != "" {
				lines[k] += " [plan " + shortID(e.PlanID) + "]"
			}
		}
		all[i] = lines
	}
	b, err := json.Marshal(all)
	return template.JS(b), err
}

// shortID is a plan id's first 8 characters.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// groupDigits writes 10000 as 10,000.
func groupDigits(s string) string {
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	b.WriteString(s[:pre])
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// periodText names the period: "2026-11-01 00:00:00Z to 2026-12-01
// 00:00:00Z", with "the beginning" and "now" for open ends.
func periodText(p Period) string {
	from, to := "the beginning", "now"
	if !p.Since.IsZero() {
		from = Timestamp(p.Since)
	}
	if !p.Until.IsZero() {
		to = Timestamp(p.Until)
	}
	return "from " + from + " to " + to
}

// kindName is a kind's plural for headings.
func kindName(kind string) string {
	switch kind {
	case "payout":
		return "payouts"
	case "invoice":
		return "invoices"
	case "deposit_address":
		return "deposit addresses"
	}
	return kind
}

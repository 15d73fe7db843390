package report

import (
	"html"
	"html/template"
	"strconv"
	"strings"
)

// ledgerRows renders a chunk of ledger rows. It is the page's one
// hand-written piece of HTML: html/template costs more per row than the
// browser does to show it, and a ledger has tens of thousands. Every
// value is escaped with html.EscapeString, in text and in quoted
// attributes alike.
func ledgerRows(rows []LedgerRow) template.HTML {
	var b strings.Builder
	b.Grow(len(rows) * 600)
	for _, r := range rows {
		writeRow(&b, r)
	}
	return template.HTML(b.String())
}

func writeRow(b *strings.Builder, r LedgerRow) {
	it := r.Item
	e := html.EscapeString
	b.WriteString(`<tr data-i="`)
	b.WriteString(strconv.Itoa(r.N))
	for _, a := range [...][2]string{{"k", it.Kind}, {"s", it.Status}, {"c", it.Currency}, {"p", it.Provider}, {"a", it.Category}} {
		b.WriteString(`" data-` + a[0] + `="`)
		b.WriteString(e(a[1]))
	}
	b.WriteString(`"><td class="addr">`)
	b.WriteString(e(it.Address))
	cell := func(class, text string) {
		if class == "" {
			b.WriteString(`</td><td>`)
		} else {
			b.WriteString(`</td><td class="` + class + `">`)
		}
		b.WriteString(e(text))
	}
	cell("", it.Kind)
	cell("", it.Provider)
	cell("mono", it.Key)
	cell("mono", it.ID)
	cell("num", it.Amount)
	cell("", it.Currency)
	b.WriteString(`</td><td><span class="st`)
	if it.Category != "" {
		b.WriteString(` c-` + e(it.Category))
	}
	b.WriteString(`">`)
	b.WriteString(e(it.Status))
	b.WriteString(`</span>`)
	if it.Forgotten {
		b.WriteString(` <span class="fg">forgotten</span>`)
	}
	cell("mono dest", it.Destination)
	if it.Tag != "" {
		b.WriteString(` <span class="tag">tag ` + e(it.Tag) + `</span>`)
	}
	b.WriteString(`</td><td><span class="trail" role="button" tabindex="0" aria-expanded="false">`)
	b.WriteString(e(it.Trail()))
	b.WriteString(`</span>`)
	cell("", it.Actor)
	b.WriteString(`</td><td><time>` + Timestamp(it.At) + `</time></td><td class="mono" title="`)
	b.WriteString(e(it.PlanID))
	b.WriteString(`">`)
	b.WriteString(e(shortID(it.PlanID)))
	b.WriteString("</td></tr>\n")
}

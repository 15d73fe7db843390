package sandbox

import (
	"html/template"
	"net/http"
	"strconv"

	"github.com/shopspring/decimal"
)

var pageTmpl = template.Must(template.New("pay").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Coinilla sandbox – invoice</title></head>
<body>
<h1>Pay {{.BTC}} BTC</h1>
<p>{{.Amount}} {{.Currency}}{{with .Desc}} – {{.}}{{end}}</p>
<p>Send exactly <b>{{.BTC}} BTC</b> ({{.Satoshi}} satoshi) to <code>{{.Address}}</code>.</p>
<p>Status: {{.State}}. Until {{.ExpiresAt}}.</p>
<p>This is payform's Coinilla sandbox: pay with POST /_sandbox/pay {"gateway":"coinilla","id":"{{.ID}}"}.</p>
</body></html>
`))

// servePage serves GET /pay?invoice=ID: a minimal payment page.
func (e *Emulator) servePage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("invoice")
	e.mu.Lock()
	inv := e.invoices[id]
	var data map[string]string
	if inv != nil {
		now := e.clock.Now()
		data = map[string]string{
			"ID": inv.id, "Amount": inv.amount.String(), "Currency": inv.currency, "Desc": inv.desc,
			"BTC": decimal.New(inv.satoshi, -8).StringFixed(8), "Satoshi": strconv.FormatInt(inv.satoshi, 10),
			"Address": inv.address, "State": e.state(inv, now), "ExpiresAt": e.expiresAt(inv).Format("2006-01-02 15:04:05 MST"),
		}
	}
	e.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if data == nil {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte("<!doctype html><title>Coinilla sandbox</title><p>Invoice not found.</p>\n"))
		return
	}
	pageTmpl.Execute(w, data)
}

package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/payform/payform/providers/emulator"
)

// InvoiceView is an invoice as the admin API shows it.
type InvoiceView struct {
	ID        string     `json:"id"`
	Refnum    string     `json:"refnum"`
	Currency  string     `json:"currency"`
	Amount    string     `json:"amount"`
	Satoshi   int64      `json:"satoshi"`
	Address   string     `json:"address"`
	Desc      string     `json:"desc,omitempty"`
	URLs      returnURLs `json:"urls"`
	State     string     `json:"state"`  // pending, expired, canceled, underpaid, paid-0, paid
	Status    string     `json:"status"` // what verify says
	Note      string     `json:"note,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	TransID   string     `json:"trans_id,omitempty"`
	PaidAt    *time.Time `json:"paid_at,omitempty"`
	Paid      int64      `json:"paid_satoshi,omitempty"`
}

// Invoices returns every invoice as of now, oldest first.
func (e *Emulator) Invoices() []InvoiceView {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock.Now()
	out := make([]InvoiceView, 0, len(e.order))
	for _, inv := range e.order {
		status, note := e.verdict(inv, now)
		v := InvoiceView{ID: inv.id, Refnum: inv.refnum, Currency: inv.currency, Amount: inv.amount.String(), Satoshi: inv.satoshi,
			Address: inv.address, Desc: inv.desc, URLs: inv.urls, State: e.state(inv, now), Status: status, Note: note,
			CreatedAt: inv.createdAt, ExpiresAt: e.expiresAt(inv)}
		if p := inv.pay; p != nil {
			at := p.at
			v.TransID, v.PaidAt, v.Paid = p.transID, &at, p.satoshi
		}
		out = append(out, v)
	}
	return out
}

// serveAdmin serves, under /_sandbox/coinilla:
//
//	GET  /invoices                 {"invoices":[InvoiceView...]}
//	GET  /returns                  {"returns":[Return...],"deliveries":[Delivery...]}:
//	                               the browser's return forms and their POSTs
//	POST /cancel {"invoice":ID}    the buyer cancels (or {"refnum":KEY}, the newest)
//	GET  /rates                    {"USD":"60000",...}: fiat per BTC
func (e *Emulator) serveAdmin(w http.ResponseWriter, r *http.Request) {
	switch route := r.Method + " " + r.URL.Path; route {
	case "GET /invoices":
		emulator.WriteJSON(w, http.StatusOK, map[string]any{"invoices": e.Invoices()})
	case "GET /returns":
		returns, deliveries := e.Returns(), e.Deliveries()
		if returns == nil {
			returns = []Return{}
		}
		if deliveries == nil {
			deliveries = []emulator.Delivery{}
		}
		emulator.WriteJSON(w, http.StatusOK, map[string]any{"returns": returns, "deliveries": deliveries})
	case "GET /rates":
		out := map[string]string{}
		for code, r := range e.rates {
			out[code] = r.String()
		}
		emulator.WriteJSON(w, http.StatusOK, out)
	case "POST /cancel":
		var body struct {
			Invoice string `json:"invoice"`
			Refnum  string `json:"refnum"`
		}
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil || (body.Invoice == "" && body.Refnum == "") {
			emulator.WriteJSONError(w, http.StatusBadRequest, `want a JSON body {"invoice":"<id>"} or {"refnum":"<key>"}`)
			return
		}
		obj, err := e.Cancel(body.Invoice, body.Refnum)
		emulator.WriteResult(w, err, func() any { return obj }, emulator.ErrNoInvoice)
	default:
		emulator.WriteJSONError(w, http.StatusNotFound,
			fmt.Sprintf("no admin route %q; try GET /invoices, GET /returns, POST /cancel, GET /rates", route))
	}
}

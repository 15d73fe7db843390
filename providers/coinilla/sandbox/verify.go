package sandbox

import (
	"net/http"
	"net/url"
)

// verify serves func=3 (invoice and refnum, which must belong together)
// and func=4 (trans_id). Every answer is HTTP 200 with one of paid,
// paid-0 or notpaid, and an error text: "invalid apikey", "invalid func",
// "invoice not found", "transaction not found", or — beside notpaid,
// once the invoice can no longer be paid — "invoice expired", "invoice
// canceled" or "invoice underpaid".
func (e *Emulator) verify(f url.Values) reply {
	answer := func(status, note string) reply {
		return reply{http.StatusOK, verifyAnswer{Status: status, Error: note}}
	}
	if !e.authorized(f) {
		return answer(StatusNotPaid, errAPIKey)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var inv *invoice
	switch f.Get("func") {
	case "3":
		inv = e.invoices[f.Get("invoice")]
		if inv == nil || inv.refnum != f.Get("refnum") {
			return answer(StatusNotPaid, noteNotFound)
		}
	case "4":
		inv = e.byTrans[f.Get("trans_id")]
		if inv == nil {
			return answer(StatusNotPaid, noteNoTransation)
		}
	default:
		return answer(StatusNotPaid, errFunc)
	}
	return answer(e.verdict(inv, e.clock.Now()))
}

package sandbox

import (
	"net/url"
	"sort"
	"strconv"
	"time"
)

// Return is the form the buyer's browser would POST after paying or
// cancelling. Coinilla sends no server-to-server callback, and the
// emulator drives no browser, so it only shows these (GET
// /_sandbox/coinilla/returns); it sends nothing.
type Return struct {
	Invoice string    `json:"invoice"`
	Refnum  string    `json:"refnum"`
	At      time.Time `json:"at"`
	// URL is where the browser goes: the state's own URL if the invoice
	// set it, else return_url; "" means the API setup's URL, which the
	// sandbox does not have.
	URL  string     `json:"url"`
	Form url.Values `json:"form"`
}

// Returns lists the return forms, oldest first.
func (e *Emulator) Returns() []Return {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Return
	for _, inv := range e.order {
		switch {
		case inv.pay != nil:
			p := inv.pay
			out = append(out, inv.returnForm(p.state, p.transID, p.amount.String(), p.satoshi, p.at))
		case !inv.canceledAt.IsZero():
			out = append(out, inv.returnForm(ReturnCanceled, "", inv.amount.String(), inv.satoshi, inv.canceledAt))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// returnForm builds the form the vendor page lists, sent to the URL
// for its state.
func (inv *invoice) returnForm(state, transID, amount string, sat int64, at time.Time) Return {
	u := map[string]string{ReturnOK: inv.urls.Return, ReturnPending: inv.urls.Unconfirm, ReturnCanceled: inv.urls.Fail}[state]
	if u == "" {
		u = inv.urls.Return
	}
	form := url.Values{
		"state": {state}, "refnum": {inv.refnum}, "invoice": {inv.id}, "trans_id": {transID},
		"address": {inv.address}, "amount": {amount}, "satoshi": {strconv.FormatInt(sat, 10)},
	}
	for i, x := range inv.extra {
		form.Set("extra_"+strconv.Itoa(i+1), x)
	}
	return Return{Invoice: inv.id, Refnum: inv.refnum, At: at, URL: u, Form: form}
}

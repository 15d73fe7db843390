package sandbox

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/payform/payform/providers/emulator"
)

// Return is the form the buyer's browser POSTs after paying or
// cancelling. The page: "We will redirect user to one of the URLs
// (return_url, fail_url or unconfirm_url) ... We POST these parameters to
// return_url, fail_url or unconfirm_url". The emulator POSTs it when the
// buyer pays or cancels (send), once, as a browser would, and shows it
// (GET /_sandbox/coinilla/returns, with the deliveries).
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

// send POSTs a return form to its URL, form-encoded, in the background;
// one attempt, since a browser redirect is not retried. A form for the
// API setup's URL ("") is not sent: the sandbox has no API setup.
func (e *Emulator) send(r Return) {
	if r.URL == "" {
		return
	}
	e.returns.Send(emulator.Callback{
		Method: http.MethodPost, URL: r.URL,
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		Body:   []byte(r.Form.Encode()),
	})
}

// Deliveries returns every return form sent so far, oldest first.
func (e *Emulator) Deliveries() []emulator.Delivery { return e.returns.Deliveries() }

// WaitReturns blocks until every return form sent so far is answered or
// failed.
func (e *Emulator) WaitReturns() { e.returns.Wait() }

// returnForm builds the form the vendor page lists, sent to the URL
// for its state: "We only send OK state to return_url URL, PENDING to
// unconfirm_url URL and CANCELED to fail_url URL", and where the invoice
// set none of those, return_url ("if not set, we refer API setup and
// return_url").
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

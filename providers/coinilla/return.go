package coinilla

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Return states, as the buyer's browser posts them.
const (
	StateOK       = "OK"       // posted to return_url
	StatePending  = "PENDING"  // posted to unconfirm_url
	StateCanceled = "CANCELED" // posted to fail_url
)

// Return is the form Coinilla has the buyer's browser POST to return_url,
// unconfirm_url or fail_url. It is NOT signed: anyone can post one, with
// any state. Only a verify call says what happened; see ConfirmReturn.
type Return struct {
	State   string
	Refnum  string
	Invoice string
	TransID string
	Address string // the bitcoin address paid to
	Amount  string // in the invoice's currency, as sent
	Satoshi string
	Extra   [3]string
}

// VerifyReturn parses a return form and checks its shape: a known state,
// a refnum, a 64-hex invoice id and, when present, a whole satoshi count.
// It cannot check where the form came from — the vendor signs nothing —
// so its result must be confirmed with ConfirmReturn (verify) before an
// order is fulfilled.
func VerifyReturn(form url.Values) (Return, error) {
	r := Return{
		State: strings.TrimSpace(form.Get("state")), Refnum: form.Get("refnum"), Invoice: strings.TrimSpace(form.Get("invoice")),
		TransID: form.Get("trans_id"), Address: form.Get("address"), Amount: form.Get("amount"), Satoshi: form.Get("satoshi"),
		Extra: [3]string{form.Get("extra_1"), form.Get("extra_2"), form.Get("extra_3")},
	}
	switch {
	case r.State != StateOK && r.State != StatePending && r.State != StateCanceled:
		return Return{}, fmt.Errorf("coinilla return: state %q is not OK, PENDING or CANCELED", r.State)
	case r.Refnum == "":
		return Return{}, fmt.Errorf("coinilla return: no refnum")
	case !validInvoiceID(r.Invoice):
		return Return{}, fmt.Errorf("coinilla return: invoice %q is not a 64-character hex id", r.Invoice)
	}
	if r.Satoshi != "" {
		if _, err := strconv.ParseUint(r.Satoshi, 10, 64); err != nil {
			return Return{}, fmt.Errorf("coinilla return: satoshi %q is not a whole number", r.Satoshi)
		}
	}
	return r, nil
}

// Accepts is the vendor's acceptance rule: a verified status counts only
// with the return state it fits — paid with OK, paid-0 with OK or
// PENDING, notpaid (nopaid) with CANCELED.
func Accepts(state, status string) bool {
	switch strings.ToLower(status) {
	case StatusPaid:
		return state == StateOK
	case StatusUnconfirmed:
		return state == StateOK || state == StatePending
	case StatusNotPaid, "nopaid":
		return state == StateCanceled
	}
	return false
}

// ConfirmReturn verifies a return's invoice and refnum with the gateway
// (func=3) and reports whether the verified status is one the return's
// state may be accepted with. A return whose status does not fit is not
// proof of anything; the verified status is the truth either way.
func (c *Client) ConfirmReturn(ctx context.Context, r Return) (v Verification, accepted bool, err error) {
	v, err = c.Verify(ctx, r.Invoice, r.Refnum)
	if err != nil {
		return Verification{}, false, err
	}
	return v, Accepts(r.State, v.Status), nil
}

package coinilla

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/payform/payform/providers"
)

var _ providers.CallbackConfirmer = (*provider)(nil)

// ConfirmCallback confirms a return form (the state, refnum, invoice ...
// the buyer's browser POSTs to return_url, unconfirm_url or fail_url) the
// way the page says to: "you SHOULD verify payment ... and do not refer to
// state value only". The form is checked for shape (VerifyReturn), then
// its invoice and refnum are verified (func=3): an invoice Coinilla does
// not know under that refnum proves nothing. The verified status is the
// truth, whatever the form's state says (Accepts records whether they
// fit). verify proves that the invoice id and the refnum belong
// together, not the amount: the form's amount is nobody's word, so the
// confirmed callback carries none.
func (p *provider) ConfirmCallback(ctx context.Context, r providers.Received) (*providers.Callback, error) {
	if r.Method != http.MethodPost {
		return nil, fmt.Errorf("%w: Coinilla posts its return forms (not %s)", providers.ErrNotFound, r.Method)
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "" && mt != "application/x-www-form-urlencoded" {
		return nil, fmt.Errorf("%w: Content-Type %q: Coinilla's return forms are form-encoded", providers.ErrNotFound, mt)
	}
	form, err := url.ParseQuery(strings.TrimSpace(string(r.Body)))
	if err != nil {
		return nil, fmt.Errorf("%w: the body is not a form: %v", providers.ErrNotFound, err)
	}
	ret, err := VerifyReturn(form)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", providers.ErrNotFound, err)
	}
	v, accepted, err := p.c.ConfirmReturn(ctx, ret)
	switch {
	case errors.Is(err, ErrInvoiceNotFound):
		return nil, fmt.Errorf("%w: Coinilla knows no invoice %s with refnum %q for this account", providers.ErrNotFound, ret.Invoice, ret.Refnum)
	case err != nil:
		return nil, err
	}
	fields := map[string]string{}
	for k := range form {
		fields[k] = form.Get(k)
	}
	fields["verified_status"] = v.Status
	if v.Error != "" {
		fields["verified_error"] = v.Error
	}
	if !accepted {
		fields["state_fits"] = "false" // the form's state is not one this status may be accepted with
	}
	obj := providers.Object{
		Kind: providers.Invoice, Key: ret.Refnum, ID: ret.Invoice,
		Status: MapStatus(v), RawStatus: v.Status,
		Fields: map[string]string{providers.ResultPaymentURL: p.c.PaymentURL(ret.Invoice)},
	}
	return &providers.Callback{Type: "invoice", ID: ret.Invoice, Key: ret.Refnum, Status: v.Status, Fields: fields, Object: &obj, Via: "verify"}, nil
}

package milacoins

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/payform/payform/providers"
)

var _ providers.CallbackConfirmer = (*Client)(nil)

// invoiceID is the shape of a MilaCoins id: 24 hex digits.
var invoiceID = regexp.MustCompile(`^[0-9a-fA-F]{24}$`)

// CallbackInvoiceParams are the query parameters a callback URL may name
// the invoice in, in the order they are read: payform's documented
// template is ?event={EVENT}&invoice_id={INVOICE_ID}&external_id={EXTERNAL_ID}.
var CallbackInvoiceParams = []string{"invoice_id", "invoiceID", "invoice", "id"}

// ConfirmCallback confirms a MilaCoins callback by reading its invoice
// back. The page documents only the callback URL's placeholders
// ({EVENT}, {INVOICE_ID}, {EXTERNAL_ID}): MilaCoins signs nothing, so
// anyone can call the URL with any event, and the request is only a
// hint that the invoice changed. The invoice id is taken from the query
// (CallbackInvoiceParams) or from a path segment of 24 hex digits; the
// signed GET /api/v1/transactions/invoices/{id} is the truth: its
// status, its externalID and its amount, never the event's word.
func (c *Client) ConfirmCallback(ctx context.Context, r providers.Received) (*providers.Callback, error) {
	id := callbackInvoiceID(r)
	if id == "" {
		return nil, fmt.Errorf("%w: a MilaCoins callback must name its invoice: use a callback URL with invoice_id={INVOICE_ID}", providers.ErrNotFound)
	}
	inv, err := c.Get(ctx, id)
	switch {
	case isNotFound(err) || hasCode(err, codeCast):
		return nil, fmt.Errorf("%w: MilaCoins has no invoice %s for this account", providers.ErrNotFound, id)
	case err != nil:
		return nil, err
	}
	obj := inv.object(inv.ExternalID)
	fields := map[string]string{}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			fields[k] = v[0]
		}
	}
	return &providers.Callback{
		Type: "invoice", ID: inv.ID, Key: inv.ExternalID, Status: inv.Status,
		Currency: inv.InvoiceCurrency, Amount: inv.InvoiceAmount.String(),
		Fields: fields, Object: &obj, Via: "refetch",
	}, nil
}

func callbackInvoiceID(r providers.Received) string {
	if r.URL == nil {
		return ""
	}
	q := r.URL.Query()
	for _, k := range CallbackInvoiceParams {
		if v := strings.TrimSpace(q.Get(k)); invoiceID.MatchString(v) {
			return v
		}
	}
	for _, seg := range strings.Split(r.URL.Path, "/") {
		if invoiceID.MatchString(seg) {
			return seg
		}
	}
	return ""
}

package coinilla

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/payform/payform/providers"
)

// ErrInvoiceNotFound is what Verify returns when Coinilla knows no invoice
// with that id and refnum (or no transaction with that id).
var ErrInvoiceNotFound = errors.New("coinilla: invoice not found")

// Verify asks for an invoice's status by its id and refnum (func=3).
func (c *Client) Verify(ctx context.Context, invoice, refnum string) (Verification, error) {
	return c.verify(ctx, url.Values{"func": {"3"}, "invoice": {invoice}, "refnum": {refnum}})
}

// VerifyTransaction asks for a payment's status by its trans_id (func=4).
func (c *Client) VerifyTransaction(ctx context.Context, transID string) (Verification, error) {
	return c.verify(ctx, url.Values{"func": {"4"}, "trans_id": {transID}})
}

// verify sends a verify call. An error text that says the invoice or
// transaction is unknown is ErrInvoiceNotFound; one that says it expired,
// was cancelled or underpaid is a status, kept in Verification.Error; any
// other is Rejected (Auth when it is about the key).
func (c *Client) verify(ctx context.Context, form url.Values) (Verification, error) {
	var out verifyResponse
	if err := c.post(ctx, "/verify", "verify", form, &out); err != nil {
		return Verification{}, err
	}
	v := Verification{Status: strings.TrimSpace(out.Status), Error: strings.TrimSpace(out.Error)}
	switch {
	case v.Error == "" || isStatusNote(v.Error):
		return v, nil
	case isNotFound(v.Error):
		return Verification{}, &providers.Error{Class: providers.Rejected, Gateway: gatewayName, Op: "verify", Status: http.StatusOK, Message: v.Error, Err: ErrInvoiceNotFound}
	}
	return Verification{}, &providers.Error{Class: providers.Rejected, Gateway: gatewayName, Op: "verify", Status: http.StatusOK, Message: v.Error, Auth: isAuth(v.Error)}
}

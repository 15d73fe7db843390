package coinilla

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
)

// maxBody bounds what the client reads from a response.
const maxBody = 1 << 20

// Client speaks Coinilla's API 1.0: form-encoded POSTs to /pay and
// /verify, authenticated by the apikey field, answered with JSON.
type Client struct {
	base   string // e.g. https://www.coinilla.com
	apiKey string
	http   *http.Client
}

// NewClient returns a client for the base URL (the host, or a sandbox
// mount such as http://127.0.0.1:8787/coinilla).
func NewClient(base, apiKey string, hc *http.Client) *Client {
	hc = providers.NoRedirects(hc)
	return &Client{base: strings.TrimRight(base, "/"), apiKey: apiKey, http: hc}
}

// PayRequest is one "Requesting Payment" call (func=1).
type PayRequest struct {
	Currency string
	Amount   decimal.Decimal
	Refnum   string // the merchant key, at most 255 characters
	Desc     string
	// ReturnURL, FailURL and UnconfirmURL override the API setup's URLs
	// for the OK, CANCELED and PENDING returns; "" sends none.
	ReturnURL, FailURL, UnconfirmURL string
	// AllowDuplicate sends duplicate_refnum=1. payform never sets it: a
	// refused repeat is what makes a resend safe.
	AllowDuplicate bool
	Extra          [3]string
}

func (p PayRequest) form() url.Values {
	f := url.Values{"func": {"1"}, "currency": {p.Currency}, "amount": {p.Amount.String()}, "refnum": {p.Refnum}, "duplicate_refnum": {"0"}}
	if p.AllowDuplicate {
		f.Set("duplicate_refnum", "1")
	}
	for name, v := range map[string]string{"desc": p.Desc, "return_url": p.ReturnURL, "fail_url": p.FailURL,
		"unconfirm_url": p.UnconfirmURL, "extra_1": p.Extra[0], "extra_2": p.Extra[1], "extra_3": p.Extra[2]} {
		if v != "" {
			f.Set(name, v)
		}
	}
	return f
}

// Pay requests a payment and returns the invoice id. An `error` text that
// says the refnum is taken is a Duplicate; any other is Rejected, unless
// a 64-hex invoice id came beside it (Ambiguous).
func (c *Client) Pay(ctx context.Context, p PayRequest) (string, error) {
	var out payResponse
	if err := c.post(ctx, "/pay", "pay", p.form(), &out); err != nil {
		return "", err
	}
	if msg := strings.TrimSpace(out.Error); msg != "" {
		class := providers.Rejected
		switch {
		case isDuplicate(msg):
			class = providers.Duplicate
		case validInvoiceID(out.Invoice):
			// An error beside an invoice id: something may have been made.
			class = providers.Ambiguous
		}
		return "", &providers.Error{Class: class, Gateway: gatewayName, Op: "pay", Status: http.StatusOK, Message: msg, Auth: class == providers.Rejected && isAuth(msg)}
	}
	if !validInvoiceID(out.Invoice) {
		// No error, but no usable invoice: it may exist.
		return "", &providers.Error{Class: providers.Ambiguous, Gateway: gatewayName, Op: "pay", Status: http.StatusOK,
			Message: "answer without an error or a 64-character invoice id"}
	}
	return out.Invoice, nil
}

// PaymentURL is where the buyer pays invoice id.
func (c *Client) PaymentURL(id string) string {
	return c.base + "/pay?invoice=" + url.QueryEscape(id)
}

// post sends one form-encoded request with the apikey and decodes a 2xx
// JSON answer into out. Failures come back as *providers.Error.
func (c *Client) post(ctx context.Context, path, op string, form url.Values, out any) error {
	form.Set("apikey", c.apiKey)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return &providers.Error{Class: providers.Rejected, Gateway: gatewayName, Op: op, Message: "bad endpoint: " + providers.TransportMessage(err)}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	var trace providers.SendTrace
	resp, err := c.http.Do(trace.Attach(req))
	if err != nil {
		return trace.Failed(gatewayName, op, err)
	}
	defer resp.Body.Close()
	raw, done, err := providers.ReadAnswer(gatewayName, op, resp, maxBody, out)
	if done || err != nil {
		return err
	}
	return statusError(op, resp, raw)
}

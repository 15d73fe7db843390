package miraclepay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
)

// maxBody bounds what the client reads from a response.
const maxBody = 1 << 20

// ErrPromptNotFound is what GetPrompt returns for an id MiraclePay does
// not know (404 "Payment prompt not found").
var ErrPromptNotFound = errors.New("miraclepay: payment prompt not found")

// Client speaks MiraclePay's External Payments API: JSON over HTTPS with
// HTTP Basic authentication (client id : API key).
type Client struct {
	base     string // e.g. https://api.miraclecash.info
	clientID string
	apiKey   string
	http     *http.Client
}

// NewClient returns a client for the base URL (the host, or a sandbox
// mount such as http://127.0.0.1:8787/miraclepay).
func NewClient(base, clientID, apiKey string, hc *http.Client) *Client {
	hc = providers.NoRedirects(hc)
	return &Client{base: strings.TrimRight(base, "/"), clientID: clientID, apiKey: apiKey, http: hc}
}

// PromptRequest is one create call.
type PromptRequest struct {
	Amount        decimal.Decimal // USD
	BlockchainIDs []string
	Payer         string // "merchant" or "customer": who pays the commission
	Note          string
	RedirectURL   string
}

// Prompt is a created payment prompt.
type Prompt struct {
	ID string
	// Amount is what the customer pays: the requested amount, plus the
	// commission when the customer pays it.
	Amount           decimal.Decimal
	CommissionAmount decimal.Decimal
	Status           string
	SessionStatus    string
	ExpiresAt        time.Time
	CreatedAt        time.Time
	RedirectURL      string
	CheckoutURL      string
}

// CreatePrompt creates a payment prompt. Every call makes a new one.
func (c *Client) CreatePrompt(ctx context.Context, r PromptRequest) (Prompt, error) {
	in := promptRequest{Amount: json.Number(r.Amount.String()), BlockchainIDs: r.BlockchainIDs, Payer: r.Payer, Note: r.Note, RedirectURL: r.RedirectURL}
	if in.BlockchainIDs == nil {
		in.BlockchainIDs = []string{}
	}
	var out createResponse
	if err := c.do(ctx, http.MethodPost, "/external/payments/prompt", "create prompt", in, &out); err != nil {
		return Prompt{}, err
	}
	p := out.Prompt
	if p.ID == "" {
		return Prompt{}, &providers.Error{Class: providers.Ambiguous, Gateway: gatewayName, Op: "create prompt", Status: http.StatusCreated,
			Message: "answer without a prompt id"}
	}
	return Prompt{
		ID: string(p.ID), Amount: p.Amount.Decimal, CommissionAmount: p.CommissionAmount.Decimal,
		Status: string(p.Status), SessionStatus: string(p.SessionStatus),
		ExpiresAt: parseTime(p.ExpiresAt), CreatedAt: parseTime(p.CreatedAt),
		RedirectURL: string(p.RedirectURL), CheckoutURL: string(out.CheckoutURL),
	}, nil
}

// PromptStatus is what GET /external/payments/prompt/:id says: the
// page's four fields. It names neither the amount nor the note, so it
// cannot prove which order a prompt is for.
type PromptStatus struct {
	ID           string
	BlockchainID string
	Status       string
	CreatedAt    time.Time
}

// GetPrompt reads a prompt's status. An unknown id (404 "Payment prompt
// not found") is ErrPromptNotFound.
func (c *Client) GetPrompt(ctx context.Context, id string) (PromptStatus, error) {
	var out statusResponse
	err := c.do(ctx, http.MethodGet, "/external/payments/prompt/"+url.PathEscape(id), "get prompt", nil, &out)
	// Only the documented 404 proves the id unknown: another 404 ("Cannot
	// GET ...") means a wrong endpoint, which must not hide every prompt.
	var perr *providers.Error
	if errors.As(err, &perr) && perr.Status == http.StatusNotFound && strings.Contains(strings.ToLower(perr.Message), "prompt not found") {
		perr.Err = ErrPromptNotFound
	}
	if err != nil {
		return PromptStatus{}, err
	}
	if out.ID == "" {
		out.ID = providers.FlexString(id)
	}
	return PromptStatus{ID: string(out.ID), BlockchainID: string(out.BlockchainID), Status: string(out.Status), CreatedAt: parseTime(out.CreatedAt)}, nil
}

// do sends one authenticated request (a JSON body when in is not nil)
// and decodes a 2xx answer into out. Failures are *providers.Error.
func (c *Client) do(ctx context.Context, method, path, op string, in, out any) error {
	var body io.Reader
	var raw []byte
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return &providers.Error{Class: providers.Rejected, Gateway: gatewayName, Op: op, Message: "encoding request: " + err.Error()}
		}
		raw, body = b, bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return &providers.Error{Class: providers.Rejected, Gateway: gatewayName, Op: op, Message: "bad endpoint: " + providers.TransportMessage(err)}
	}
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(c.clientID, c.apiKey)
	var trace providers.SendTrace
	resp, err := c.http.Do(trace.Attach(req))
	if err != nil {
		return trace.Failed(gatewayName, op, err)
	}
	defer resp.Body.Close()
	got, done, err := providers.ReadAnswer(gatewayName, op, resp, maxBody, out)
	if done || err != nil {
		return err
	}
	return statusError(op, resp, got)
}

package coinpay24

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/payform/payform/providers"
)

// maxBody bounds what the client reads from a response.
const maxBody = 1 << 20

// Client speaks CoinPay24's v1 API: every call is a form-encoded POST
// carrying api_key, as in the vendor's curl examples.
type Client struct {
	base string // e.g. https://api.coinpay24.com/v1
	key  string
	http *http.Client
}

// NewClient returns a client for the v1 base URL.
func NewClient(base, apiKey string, hc *http.Client) *Client {
	hc = providers.NoRedirects(hc)
	return &Client{base: strings.TrimRight(base, "/"), key: apiKey, http: hc}
}

// post sends one call to path (e.g. "/invoices/create") and decodes a 2xx
// body into out. Failures come back as *providers.Error with their class.
func (c *Client) post(ctx context.Context, path, op string, form url.Values, out any) error {
	body := url.Values{"api_key": {c.key}}
	for k, v := range form {
		body[k] = v
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, strings.NewReader(body.Encode()))
	if err != nil {
		return &providers.Error{Class: providers.Rejected, Gateway: gatewayName, Op: op, Message: "building request: " + err.Error()}
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
	return decodeError(op, resp, raw)
}

// Invoice reads one invoice by its CoinPay24 id (POST /invoices/{id}). An
// unknown id is a Rejected error with Status 404.
func (c *Client) Invoice(ctx context.Context, id string) (providers.Object, error) {
	var out invoiceWire
	if err := c.post(ctx, "/invoices/"+url.PathEscape(id), "invoices/get", nil, &out); err != nil {
		return providers.Object{}, err
	}
	return out.object(""), nil
}

// errorEnvelope is {"error_message": "...", "errors": {field: msg}};
// "message" (CoinGate's name) and "error" are read when error_message is
// absent.
type errorEnvelope struct {
	ErrorMessage string    `json:"error_message" undocumented:"the vendor's plugins display error_message on failure (NOTES.md section 4)" absent:"the message is the HTTP status text"`
	Message      string    `json:"message" undocumented:"CoinGate's error body, the template of the page (developer.coingate.com common errors)" absent:"error_message or the status text"`
	Error        string    `json:"error" undocumented:"a common error member, read as a last resort" absent:"error_message or the status text"`
	Errors       fieldErrs `json:"errors" undocumented:"the sandbox's field errors (NOTES.md section 4, emulator choice)" absent:"no field errors: a 422 is Rejected, never Duplicate"`
}

// decodeError classifies a non-2xx answer.
//
//   - 429: Retryable, with Retry-After.
//   - 408: Retryable: the gateway gave up waiting for the request.
//   - 5xx (503 too: CoinPay24 does not say it came before processing):
//     Ambiguous.
//   - 422 with errors.order_id "already been taken" (an account that
//     refuses repeated order_ids): Duplicate.
//   - any other 4xx (401 bad key, with Auth set; 404 unknown invoice;
//     422 validation): Rejected.
func decodeError(op string, resp *http.Response, raw []byte) error {
	e := &providers.Error{Gateway: gatewayName, Op: op, Status: resp.StatusCode}
	var env errorEnvelope
	_ = json.Unmarshal(raw, &env) // bodies that are not JSON keep the status alone
	e.Message = firstNonEmpty(env.ErrorMessage, env.Message, env.Error)
	if len(env.Errors) > 0 {
		e.Fields = env.Errors
	}
	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests || s == http.StatusRequestTimeout:
		e.Class = providers.Retryable
		if ra, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && ra >= 0 {
			e.RetryAfter = time.Duration(ra) * time.Second
		}
	case s >= 500:
		e.Class = providers.Ambiguous
	case s == http.StatusUnprocessableEntity && taken(env.Errors["order_id"]):
		e.Class = providers.Duplicate
	default:
		e.Class = providers.Rejected
		e.Auth = s == http.StatusUnauthorized
	}
	if e.Message == "" && len(e.Fields) == 0 {
		e.Message = http.StatusText(resp.StatusCode)
	}
	return e
}

func taken(msg string) bool {
	msg = strings.ToLower(msg)
	return strings.Contains(msg, "already been taken") || strings.Contains(msg, "already taken")
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

package wllxpay

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/payform/payform/providers"
)

// maxBody bounds what the client reads from a response.
const maxBody = 1 << 20

// Client speaks WllxPay's v1 API (and, when enabled, the v2
// transactions/info lookup). Every request is signed with
// X-Processing-Key and X-Processing-Signature = hex(HMAC-SHA512(secret,
// raw body)).
type Client struct {
	base   string // e.g. https://app.wllxpay.io/api/v1
	key    string
	secret []byte
	http   *http.Client
}

// NewClient returns a client for the v1 base URL.
func NewClient(base, key, secret string, hc *http.Client) *Client {
	hc = providers.NoRedirects(hc)
	return &Client{base: strings.TrimRight(base, "/"), key: key, secret: []byte(secret), http: hc}
}

// Sign returns the lowercase hex HMAC-SHA512 of body keyed with secret.
func Sign(secret []byte, body []byte) string {
	m := hmac.New(sha512.New, secret)
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// v2Base derives the v2 base URL from the v1 one.
func (c *Client) v2Base() string {
	if b, ok := strings.CutSuffix(c.base, "/v1"); ok {
		return b + "/v2"
	}
	return c.base + "/../v2"
}

// do sends one signed request and decodes a 2xx body into out. Failures
// come back as *providers.Error with their class.
func (c *Client) do(ctx context.Context, method, url, op string, payload any, out any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return &providers.Error{Class: providers.Rejected, Gateway: gatewayName, Op: op, Message: "encoding request: " + err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return &providers.Error{Class: providers.Rejected, Gateway: gatewayName, Op: op, Message: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Processing-Key", c.key)
	req.Header.Set("X-Processing-Signature", Sign(c.secret, body))

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

// decodeError classifies a non-2xx answer.
//
//   - 403 {error, code}: authentication; rejected, with Auth set.
//   - 400/422 {errors:{field:msg}, error_code}: validation; rejected,
//     except errors.foreign_id "already been taken", which is Duplicate.
//   - 429: retryable (nothing was processed).
//   - 5xx (503 included: WllxPay does not say it came before processing):
//     ambiguous.
func decodeError(op string, resp *http.Response, raw []byte) error {
	e := &providers.Error{Gateway: gatewayName, Op: op, Status: resp.StatusCode}
	var env errorEnvelope
	_ = json.Unmarshal(raw, &env) // bodies that are not JSON keep the status alone
	e.Code = env.Code
	if env.ErrorCode != "" {
		e.Code = env.ErrorCode
	}
	e.Message = env.Error
	if len(env.Errors) > 0 {
		e.Fields = env.Errors
	}
	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests:
		e.Class = providers.Retryable
		if e.Message == "" && len(e.Fields) == 0 {
			e.Message = "rate limited"
		}
		if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && ra >= 0 {
			e.RetryAfter = time.Duration(ra) * time.Second
		}
	case s >= 500:
		e.Class = providers.Ambiguous
		if e.Message == "" {
			e.Message = http.StatusText(s)
		}
	case isDuplicate(env.Errors):
		e.Class = providers.Duplicate
		e.Message = env.Errors["foreign_id"]
	default:
		e.Class = providers.Rejected
		e.Auth = s == http.StatusForbidden
		if e.Message == "" && len(e.Fields) == 0 {
			e.Message = http.StatusText(s)
		}
	}
	return e
}

func isDuplicate(fields map[string]string) bool {
	msg := strings.ToLower(fields["foreign_id"])
	return strings.Contains(msg, "already been taken") || strings.Contains(msg, "already taken")
}

// errorEnvelope covers both documented error shapes: {error, code} (403,
// transport) and {errors:{...}, error_code} (validation).
type errorEnvelope struct {
	_         struct{}  `undocumented:"the v1 page documents no error; CoinsPaid's docs do: {error, code} for 403s (docs.cryptoprocessing.com errors), {errors, error_code} for validation (coinspaid/docs v1.md); NOTES.md section 5" absent:"the HTTP status alone classifies the failure (Duplicate needs errors.foreign_id)"`
	Error     string    `json:"error"`
	Code      string    `json:"code"`
	Errors    fieldErrs `json:"errors"`
	ErrorCode string    `json:"error_code"`
}

// fieldErrs decodes `errors` as a field → message map, tolerating values
// that are arrays of messages (Laravel's default) or other JSON.
type fieldErrs map[string]string

func (f *fieldErrs) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil // not an object: ignore rather than fail the whole decode
	}
	out := make(fieldErrs, len(raw))
	for k, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[k] = s
			continue
		}
		var list []string
		if json.Unmarshal(v, &list) == nil {
			out[k] = strings.Join(list, " ")
			continue
		}
		out[k] = string(v)
	}
	*f = out
	return nil
}

package coinilla

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/payform/payform/providers"
)

// statusError classifies a non-2xx answer. Coinilla documents none (its
// errors come as HTTP 200 with an `error` text), so: 429 is Retryable, 5xx
// Ambiguous, and any other status Rejected (Auth for 401, 403 or a text
// about the key) — or Duplicate, if its body carries the duplicate-refnum
// text.
func statusError(op string, resp *http.Response, raw []byte) error {
	e := &providers.Error{Gateway: gatewayName, Op: op, Status: resp.StatusCode}
	var body struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(raw, &body) == nil {
		var s string
		if json.Unmarshal(body.Error, &s) == nil {
			e.Message = strings.TrimSpace(s)
		}
	}
	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests:
		e.Class = providers.Retryable
		if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && ra >= 0 {
			e.RetryAfter = time.Duration(ra) * time.Second
		}
	case s >= 500:
		e.Class = providers.Ambiguous
	case op == "pay" && isDuplicate(e.Message):
		e.Class = providers.Duplicate
	default:
		e.Class = providers.Rejected
		e.Auth = s == http.StatusUnauthorized || s == http.StatusForbidden || isAuth(e.Message)
	}
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	return e
}

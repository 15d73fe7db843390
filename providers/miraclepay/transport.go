package miraclepay

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/payform/payform/providers"
)

// statusError classifies a non-2xx answer, whose body is NestJS's
// {"statusCode","message","error"} with message a string or an array of
// validation messages (joined by "; "):
//
//   - 400, 401 (the documented authentication messages, with Auth
//     set), 403, 404 and other 4xx: Rejected — nothing was created;
//   - 429 (undocumented, but plain HTTP): Retryable, honouring
//     Retry-After;
//   - 5xx: Ambiguous.
func statusError(op string, resp *http.Response, raw []byte) error {
	e := &providers.Error{Gateway: gatewayName, Op: op, Status: resp.StatusCode}
	var body errorBody
	if json.Unmarshal(raw, &body) == nil {
		e.Message = strings.Join(body.Message, "; ")
		if e.Message == "" {
			e.Message = body.Error
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
	default:
		e.Class = providers.Rejected
		e.Auth = s == http.StatusUnauthorized
	}
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	return e
}

package milacoins

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/payform/payform/providers"
)

// Error codes that decide a class; the rest of the catalogue (401/1001-
// 1007 validation, 4301 IP_WHITE_LIST, 4303 INVALID_TIME, 4304
// FAIL_TO_AUTH, 1600-1604) is Rejected.
const (
	codeCast      = 1600 // DB_CAST, e.g. an id that is not an ObjectId
	codeDuplicate = 1601 // DB_DUPLICATE "Already exist."
	codeNotFound  = 1604 // DOCUMENT_NOT_FOUND
	codeLimit     = 4302 // LIMIT_ERROR
	codeIPList    = 4301 // IP_WHITE_LIST: the key is not allowed from here
	codeAuth      = 4304 // FAIL_TO_AUTH: key, secret or signature wrong
)

// errorBody is the documented error object.
type errorBody struct {
	RequestID string      `json:"requestID"`
	Name      string      `json:"name"`
	Message   string      `json:"message"`
	Code      json.Number `json:"code"`
}

// decodeError classifies a non-2xx answer:
//
//   - 429, or code 4302: Retryable (nothing was processed), with the
//     Retry-After the answer gives, if any;
//   - 5xx: Ambiguous;
//   - code 1601 DB_DUPLICATE: Duplicate;
//   - 3xx (never followed): Ambiguous, since payform cannot tell what the
//     redirecting server did; the message says where it pointed;
//   - any other 4xx: Rejected, with the gateway's message; 4304
//     FAIL_TO_AUTH and 4301 IP_WHITE_LIST set Auth.
//
// Error.Code is the error's name (FAIL_TO_AUTH), else its number.
func decodeError(op string, resp *http.Response, raw []byte) error {
	e := &providers.Error{Gateway: gatewayName, Op: op, Status: resp.StatusCode}
	var body errorBody
	_ = json.Unmarshal(raw, &body) // bodies that are not JSON keep the status alone
	e.Message, e.Code = body.Message, body.Name
	if e.Code == "" {
		e.Code = body.Code.String()
	}
	code, _ := strconv.Atoi(body.Code.String())
	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests || code == codeLimit:
		e.Class = providers.Retryable
		if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && ra >= 0 {
			e.RetryAfter = time.Duration(ra) * time.Second
		}
	case s >= 500:
		e.Class = providers.Ambiguous
	case code == codeDuplicate:
		e.Class = providers.Duplicate
	case s >= 300 && s < 400:
		e.Class = providers.Ambiguous
		e.Message = "the gateway redirected the request to " + resp.Header.Get("Location") + "; check the endpoint"
	default:
		e.Class = providers.Rejected
		e.Auth = code == codeAuth || code == codeIPList || body.Name == "FAIL_TO_AUTH" || body.Name == "IP_WHITE_LIST"
	}
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	return e
}

// hasCode reports an error answer with the given catalogue code.
func hasCode(err error, code int) bool {
	var e *providers.Error
	return errors.As(err, &e) && e.Status >= 400 && e.Status < 500 &&
		(e.Code == codeName[code] || e.Code == strconv.Itoa(code))
}

// codeName names the codes the client tests for.
var codeName = map[int]string{codeCast: "DB_CAST", codeDuplicate: "DB_DUPLICATE", codeNotFound: "DOCUMENT_NOT_FOUND", codeLimit: "LIMIT_ERROR"}

// isNotFound reports a 404 DOCUMENT_NOT_FOUND answer (not the 404
// NOT_FOUND of an unknown route).
func isNotFound(err error) bool {
	var e *providers.Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound && hasCode(err, codeNotFound)
}

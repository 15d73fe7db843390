package sandbox

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
)

// apiError is one entry of the vendor's error catalogue, answered as
// {"requestID","name","message","code"}.
type apiError struct {
	status  int
	name    string
	code    int
	message string
}

// The catalogue (gateways/milacoins.txt), with the vendor's wording.
func errNotFound() apiError { return apiError{http.StatusNotFound, "NOT_FOUND", 404, "Not Found"} }

func errAuth() apiError {
	return apiError{http.StatusForbidden, "FAIL_TO_AUTH", 4304, "Fail to Authentication: Check the api key, the secret key and the sign function"}
}

func errTime(value string) apiError {
	return apiError{http.StatusForbidden, "INVALID_TIME", 4303, "X-time hadear is invalid: " + value}
}

func errLimit() apiError {
	return apiError{http.StatusTooManyRequests, "LIMIT_ERROR", 4302, "Too many requests, please try again later."}
}

func errIncorrectType(field, want, got string) apiError {
	return apiError{http.StatusUnauthorized, "VALIDATION_REQUEST_INCORRECT_TYPE", 1001,
		fmt.Sprintf(`"%s" Filed: Incorrect type, required: "%s", but got:"%s"`, field, want, got)}
}

func errNotAllowed(field string) apiError {
	return apiError{http.StatusUnauthorized, "VALIDATION_REQUEST_ALLOWED_FILED", 1002,
		fmt.Sprintf(`"%s" Filed: not allowed on this request`, field)}
}

func errRequired(field string) apiError {
	return apiError{http.StatusUnauthorized, "VALIDATION_REQUEST_FILED_REQUIRED", 1003,
		fmt.Sprintf(`"%s" Filed: is required`, field)}
}

func errEnum(field, value string, valid []string) apiError {
	return apiError{http.StatusUnauthorized, "VALIDATION_REQUEST_ENUM_VALUE", 1004,
		fmt.Sprintf(`"%s" is not a valid enum value for filed "%s". Valid values: %s`, value, field, strings.Join(valid, ","))}
}

func errStatus(value string) apiError {
	return apiError{http.StatusUnauthorized, "VALIDATION_REQUEST_ENUM_STATUS", 1005,
		fmt.Sprintf(`"%s" is not a valid status. Valid statuses: %s`, value, strings.Join(Statuses, ","))}
}

func errWallet(value string, valid []string) apiError {
	return apiError{http.StatusUnauthorized, "VALIDATION_REQUEST_ENUM_WALLETS", 1006,
		fmt.Sprintf(`"%s" is not a valid wallet. Valid wallets: %s`, value, strings.Join(valid, ","))}
}

func errCurrency(value string, valid []string) apiError {
	return apiError{http.StatusUnauthorized, "VALIDATION_REQUEST_ENUM_CURRENCY", 1007,
		fmt.Sprintf(`"%s" is not a valid currency. Valid currencies: %s`, value, strings.Join(valid, ","))}
}

func errCast(field, value string) apiError {
	return apiError{http.StatusUnauthorized, "DB_CAST", 1600, fmt.Sprintf(`Invalid "%s": "%s".`, field, value)}
}

func errDuplicate() apiError {
	return apiError{http.StatusUnauthorized, "DB_DUPLICATE", 1601, "Already exist."}
}

// errInvalid is DB_INVALID_INPUT, its catalogue text followed by what was
// wrong.
func errInvalid(detail string) apiError {
	return apiError{http.StatusUnauthorized, "DB_INVALID_INPUT", 1602, "Invalid input data. " + detail}
}

func errNoDocument(what, id string) apiError {
	return apiError{http.StatusNotFound, "DOCUMENT_NOT_FOUND", 1604, fmt.Sprintf("No %s found with that ID (id:%s)", what, id)}
}

// errInternal answers a failure to journal: nothing was committed.
func errInternal() apiError {
	return apiError{http.StatusInternalServerError, "INTERNAL_ERROR", 500, "Internal Server Error"}
}

// errorBody is the documented error object, fields in the vendor's order.
type errorBody struct {
	RequestID string `json:"requestID"`
	Name      string `json:"name"`
	Message   string `json:"message"`
	Code      int    `json:"code"`
}

func (a apiError) reply(requestID string) reply {
	return reply{status: a.status, body: errorBody{requestID, a.name, a.message, a.code}, errName: a.name}
}

// idSource makes 24-hex ids shaped like MongoDB ObjectIds for request ids
// and log entries: 4 bytes of seconds, 3 random bytes fixed per emulator,
// 5 bytes of counter. Invoice ids are made from the journalled sequence
// instead (newInvoiceID), so they survive a restart unchanged.
type idSource struct {
	mu    sync.Mutex
	nonce uint32
	n     uint64
}

func newIDSource() *idSource { return &idSource{nonce: rand.Uint32() & 0xffffff} }

func (s *idSource) next(unix int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return fmt.Sprintf("%08x%06x%010x", uint32(unix), s.nonce, s.n&0xffffffffff)
}

// newInvoiceID is the id of the seq-th invoice, made at unix seconds.
func newInvoiceID(unix, seq int64) string {
	return fmt.Sprintf("%08x%016x", uint32(unix), uint64(seq))
}

// isObjectID reports whether s is 24 lowercase or uppercase hex digits.
func isObjectID(s string) bool {
	if len(s) != 24 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

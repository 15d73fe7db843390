package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names; HTTP header names are case-insensitive and Go matches
// them so.
const (
	headerKey  = "X-api-key"
	headerTime = "X-time"
	headerSig  = "X-Sig"
)

// Sign returns the lowercase hex HMAC-SHA256, keyed with secret, of
// xtime + METHOD + path + body: the X-Sig of a request whose X-time
// header is xtime, sent to path (with its raw query) with body (empty on
// GET).
func Sign(secret, xtime, method, path string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	io.WriteString(m, xtime)
	io.WriteString(m, strings.ToUpper(method))
	io.WriteString(m, path)
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// authenticate checks the key, then X-time against the clock, then the
// signature over the literal request URI and body. A missing or wrong key
// and a bad signature are 4304 FAIL_TO_AUTH; a missing, malformed or
// stale X-time is 4303 INVALID_TIME.
func (e *Emulator) authenticate(r *http.Request, body []byte, now time.Time) *apiError {
	key := r.Header.Get(headerKey)
	if key == "" || !hmac.Equal([]byte(key), []byte(e.key)) {
		a := errAuth()
		return &a
	}
	xtime := r.Header.Get(headerTime)
	t, ok := parseXTime(xtime)
	if !ok || absDuration(now.Sub(t)) > e.skew {
		a := errTime(xtime)
		return &a
	}
	sig, err := hex.DecodeString(r.Header.Get(headerSig))
	if err != nil || len(sig) != sha256.Size {
		a := errAuth()
		return &a
	}
	for _, path := range e.signedPaths(r) {
		want, _ := hex.DecodeString(Sign(e.secret, xtime, r.Method, path, body))
		if hmac.Equal(sig, want) {
			return nil
		}
	}
	a := errAuth()
	return &a
}

// signedPaths are the paths a signature may cover: the request URI as
// received (path and raw query, with the mount point's prefix, e.g.
// "/milacoins/api/v1/wallets"); with LenientPath also that URI without
// its leading slash and the URI relative to the mount point, with and
// without its leading slash.
func (e *Emulator) signedPaths(r *http.Request) []string {
	uri := r.RequestURI
	if uri == "" {
		uri = r.URL.RequestURI()
	}
	if !e.lenient {
		return []string{uri}
	}
	rel := r.URL.EscapedPath()
	if r.URL.RawQuery != "" || r.URL.ForceQuery {
		rel += "?" + r.URL.RawQuery
	}
	return []string{uri, strings.TrimPrefix(uri, "/"), rel, strings.TrimPrefix(rel, "/")}
}

// parseXTime reads X-time: seconds since the epoch, digits with an
// optional fraction ("1618832932.344", as the vendor's example shows).
func parseXTime(s string) (time.Time, bool) {
	digits, frac, _ := strings.Cut(s, ".")
	if !allDigits(digits) || (strings.Contains(s, ".") && !allDigits(frac)) || len(digits) > 12 {
		return time.Time{}, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return time.Time{}, false
	}
	sec, fr := math.Modf(f)
	return time.Unix(int64(sec), int64(fr*1e9)).UTC(), true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

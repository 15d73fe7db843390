package sandbox

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"net/http"
)

// Header names; HTTP header names are case-insensitive and Go matches
// them so.
const (
	headerKey       = "X-Processing-Key"
	headerSignature = "X-Processing-Signature"
)

// The documented 403 bodies, {error, code}.
var (
	errNoKey       = apiError{http.StatusForbidden, "No key header", "required_header_key"}
	errBadKey      = apiError{http.StatusForbidden, "Bad key header", "bad_header_key"}
	errNoSignature = apiError{http.StatusForbidden, "No signature header", "required_header_signature"}
	errBadSig      = apiError{http.StatusForbidden, "Bad signature header", "bad_header_signature"}
)

// apiError is an error in the transport-level shape {"error","code"}.
type apiError struct {
	status  int
	message string
	code    string
}

func (a apiError) reply() reply {
	return reply{a.status, struct {
		Error string `json:"error"`
		Code  string `json:"code"`
	}{a.message, a.code}}
}

// authenticate checks the key header, then the signature over the exact
// raw body; an empty header counts as missing.
func (e *Emulator) authenticate(h http.Header, body []byte) *apiError {
	key := h.Get(headerKey)
	switch {
	case key == "":
		return &errNoKey
	case !hmac.Equal([]byte(key), []byte(e.key)):
		return &errBadKey
	}
	sig := h.Get(headerSignature)
	switch {
	case sig == "":
		return &errNoSignature
	case !validSignature(e.secret, body, sig):
		return &errBadSig
	}
	return nil
}

// sign returns the lowercase hex HMAC-SHA512 of body keyed with secret.
func sign(secret string, body []byte) string {
	m := hmac.New(sha512.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// validSignature reports whether sig is sign(secret, body), in lowercase
// hex exactly as the gateway issues it.
func validSignature(secret string, body []byte, sig string) bool {
	return hmac.Equal([]byte(sig), []byte(sign(secret, body)))
}

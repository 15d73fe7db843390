package milacoins

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"time"
)

// Sign returns X-Sig: the lowercase hex HMAC-SHA256, keyed with secret,
// of xtime (the X-time header's value) + METHOD + path (the request path
// as sent, with its raw query) + body (the exact JSON bytes sent; none on
// GET).
func Sign(secret, xtime, method, path string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	io.WriteString(m, xtime)
	io.WriteString(m, strings.ToUpper(method))
	io.WriteString(m, path)
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// param is one query parameter; queries keep the order they are built
// in, since the signature covers them as sent.
type param struct{ name, value string }

// encodeQuery joins params as name=value&..., escaping only what a query
// cannot carry: letters, digits, "-._~" and also ":" and "," (ISO times,
// status lists) go as they are, so that the raw and the decoded query
// read the same for every value payform sends, whichever of the two the
// gateway signs.
func encodeQuery(params []param) string {
	var b strings.Builder
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(escape(p.name))
		b.WriteByte('=')
		b.WriteString(escape(p.value))
	}
	return b.String()
}

func escape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~', c == ':', c == ',':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

// isoTime renders t as JavaScript's Date.toISOString does, the form the
// list's from and to take.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

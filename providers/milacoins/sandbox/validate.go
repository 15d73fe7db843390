package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
)

// form is a request's JSON object, field by field.
type form map[string]json.RawMessage

// fieldSpec is one field an endpoint takes: its JSON type ("string" or
// "number") and whether it is required.
type fieldSpec struct {
	name     string
	typ      string
	required bool
}

// parseBody reads a create request's body. As with Express's JSON parser,
// a body not sent as application/json is an empty object (so its fields
// are missing); a JSON body that is not an object is invalid input.
func parseBody(contentType string, body []byte) (form, *apiError) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) || len(bytes.TrimSpace(body)) == 0 {
		return form{}, nil
	}
	var f form
	if b := bytes.TrimSpace(body); b[0] != '{' || json.Unmarshal(b, &f) != nil {
		a := errInvalid("The body must be a JSON object.")
		return nil, &a
	}
	return f, nil
}

// check applies the endpoint's field list to f: a field it does not take
// (1002, the first in name order), then, field by field in the
// documented order, a required one missing (1003) or one of the wrong
// JSON type (1001). null, and "" for a required field, count as missing.
func (f form) check(specs []fieldSpec) *apiError {
	names := make([]string, 0, len(f))
	for name := range f {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !slices.ContainsFunc(specs, func(s fieldSpec) bool { return s.name == name }) {
			a := errNotAllowed(name)
			return &a
		}
	}
	for _, s := range specs {
		got := jsonType(f[s.name])
		switch {
		case s.required && (got == "null" || string(bytes.TrimSpace(f[s.name])) == `""`):
			a := errRequired(s.name)
			return &a
		case got != "null" && got != s.typ:
			a := errIncorrectType(s.name, s.typ, got)
			return &a
		}
	}
	return nil
}

// jsonType names a raw value's JSON type; a missing value is "null".
func jsonType(raw json.RawMessage) string {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 {
		return "null"
	}
	switch b[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// str returns a string field, "" when missing (check has run).
func (f form) str(name string) string {
	var s string
	json.Unmarshal(f[name], &s)
	return s
}

// checkAmount reads a positive amount, exactly from its JSON literal,
// within the invoice currency's places.
func checkAmount(raw json.RawMessage, currency string) (decimal.Decimal, *apiError) {
	bad := func(detail string) (decimal.Decimal, *apiError) {
		a := errInvalid(detail)
		return decimal.Decimal{}, &a
	}
	lit := string(bytes.TrimSpace(raw))
	d, err := decimal.NewFromString(lit)
	if err != nil || len(lit) > 64 || d.Exponent() < -money.MaxAmountDigits || d.Exponent() > money.MaxAmountDigits || d.NumDigits() > money.MaxAmountDigits {
		return bad(`"amount" must be a number of at most 38 digits.`)
	}
	if !d.IsPositive() {
		return bad(`"amount" must be greater than 0.`)
	}
	if cur, ok := money.Lookup(currency); ok && money.CheckPrecision(d, cur) != nil {
		return bad(fmt.Sprintf(`"amount" may have at most %d decimal places in %s.`, cur.Precision, currency))
	}
	return d, nil
}

// checkExpiry reads expiredAt, an ISO 8601 time after now.
func checkExpiry(s string, now time.Time) (time.Time, *apiError) {
	t, ok := parseISO(s)
	if !ok {
		a := errIncorrectType("expiredAt", "ISO 8601 date", "string")
		return time.Time{}, &a
	}
	if !t.After(now) {
		a := errInvalid(`"expiredAt" must be in the future.`)
		return time.Time{}, &a
	}
	return t, nil
}

// parseISO reads an ISO 8601 date or time: RFC 3339 with or without
// fractional seconds, or a date (unpadded months and days accepted, as in
// the vendor's "from=2020-1-1"), taken as midnight UTC.
func parseISO(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-1-2"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// checkURL requires an absolute http(s) URL once the documented
// placeholders are filled in.
func checkURL(field, s string) *apiError {
	filled := strings.NewReplacer("{EVENT}", "complete", "{INVOICE_ID}", "id", "{EXTERNAL_ID}", "key").Replace(s)
	u, err := url.Parse(filled)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		a := errInvalid(fmt.Sprintf(`"%s" must be an http or https URL.`, field))
		return &a
	}
	return nil
}

// checkCodes requires codes payform knows, each once.
func checkCodes(what string, codes []string) error {
	seen := map[string]bool{}
	for _, code := range codes {
		if _, ok := money.Lookup(code); !ok {
			return fmt.Errorf("%s %q is not a currency payform knows", what, code)
		}
		if seen[code] {
			return fmt.Errorf("%s %q is listed twice", what, code)
		}
		seen[code] = true
	}
	return nil
}

package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// maxBody bounds a request body.
const maxBody = 1 << 20

var (
	errNotFound      = apiError{http.StatusNotFound, "Not found", "not_found"}
	errMethod        = apiError{http.StatusMethodNotAllowed, "Method Not Allowed", "method_not_allowed"}
	errTooLarge      = apiError{http.StatusRequestEntityTooLarge, "Request body too large", "request_too_large"}
	errContentFormat = apiError{http.StatusBadRequest, "Bad content format", "bad_content_format"}
)

// reply is a status and a body to encode as JSON.
type reply struct {
	status int
	body   any
}

// internalError answers a failure to journal: nothing was committed.
var internalError = reply{http.StatusInternalServerError, map[string]string{"error": "Internal Server Error"}}

type route struct {
	method string
	handle func(form) reply
}

func (e *Emulator) route(path string) (route, bool) {
	switch path {
	case "/api/v1/withdrawal/make":
		return route{http.MethodPost, e.makeWithdrawal}, true
	case "/api/v1/addresses/take":
		return route{http.MethodPost, e.takeAddress}, true
	case "/api/v2/transactions/info":
		if e.v2 {
			return route{http.MethodGet, e.transactionInfo}, true
		}
	case "/api/v2/accounts/list":
		if e.v2 {
			return route{http.MethodPost, e.accountsList}, true
		}
	}
	return route{}, false
}

// ServeHTTP serves the gateway API, with paths relative to "/wllxpay".
// A request meets, in order: the route (an unknown path is 403 "No key
// header" without a key header, as the vendor does, else 404), the method
// (405), the body size (413), the key and signature headers (403), the
// content format (400), then the endpoint's own validation.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.tick()
	writeReply(w, e.serve(w, r))
}

func (e *Emulator) serve(w http.ResponseWriter, r *http.Request) reply {
	rt, ok := e.route(r.URL.Path)
	if !ok {
		if r.Header.Get(headerKey) == "" {
			return errNoKey.reply()
		}
		return errNotFound.reply()
	}
	if r.Method != rt.method {
		w.Header().Set("Allow", rt.method)
		return errMethod.reply()
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return errTooLarge.reply()
		}
		return errContentFormat.reply()
	}
	if aerr := e.authenticate(r.Header, body); aerr != nil {
		return aerr.reply()
	}
	f, ok := parseForm(r.Header.Get("Content-Type"), body)
	if !ok {
		return errContentFormat.reply()
	}
	if e.narrow {
		f = stringsOnly(f)
	}
	return rt.handle(f)
}

// stringsOnly makes every JSON number in f a value text refuses: with
// Strict, the page's fields are strings ("amount string"), and a number
// is not taken for one.
func stringsOnly(f form) form {
	out := make(form, len(f))
	for k, raw := range f {
		if b := bytes.TrimSpace(raw); len(b) > 0 && (b[0] == '-' || '0' <= b[0] && b[0] <= '9') {
			raw = json.RawMessage(`false`)
		}
		out[k] = raw
	}
	return out
}

func writeReply(w http.ResponseWriter, rep reply) {
	body, err := json.Marshal(rep.body)
	if err != nil {
		rep, body = internalError, []byte(`{"error":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rep.status)
	w.Write(body)
}

// form is a request's JSON object, field by field.
type form map[string]json.RawMessage

// parseForm accepts only a JSON object sent as application/json.
func parseForm(contentType string, body []byte) (form, bool) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/json" {
		return nil, false
	}
	if b := bytes.TrimSpace(body); len(b) == 0 || b[0] != '{' {
		return nil, false
	}
	var f form
	if err := json.Unmarshal(body, &f); err != nil {
		return nil, false
	}
	return f, true
}

// text reads a field as the gateway's validation does: missing, null and
// "" are absent; a number stands for its literal text (not with Strict:
// see stringsOnly). msg is the field's error
// message, "" when it is present and well-typed.
func (f form) text(name string) (value string, present bool, msg string) {
	raw := bytes.TrimSpace(f[name])
	if len(raw) == 0 || string(raw) == "null" || string(raw) == `""` {
		return "", false, "The " + label(name) + " field is required."
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, true, ""
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), true, ""
	}
	return "", true, "The " + label(name) + " must be a string."
}

// label is a field's name in messages: "foreign_id" → "foreign id".
func label(field string) string { return strings.ReplaceAll(field, "_", " ") }

// validation is the 400 answer listing every field's error.
func validation(errs map[string]string) reply {
	return fieldError(http.StatusBadRequest, errs, "validation_error")
}

// fieldError is the {"errors":{field: message},"error_code":...} envelope.
func fieldError(status int, errs map[string]string, code string) reply {
	return reply{status, struct {
		Errors    map[string]string `json:"errors"`
		ErrorCode string            `json:"error_code"`
	}{errs, code}}
}

package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// maxBody bounds a request body.
const maxBody = 1 << 20

// params are a request's parameters by name, as PHP's $_POST would see
// them: form fields, or a JSON object's members. An empty value counts as
// absent.
type params map[string]string

func (p params) get(name string) (string, bool) {
	v, ok := p[name]
	return v, ok && v != ""
}

var (
	errTooLarge = fail(http.StatusRequestEntityTooLarge, "Request Entity Too Large: the body may not exceed 1 MiB", nil)
	errFormat   = fail(http.StatusBadRequest, "Bad Request: send the parameters form-encoded (application/x-www-form-urlencoded) or as a JSON object", nil)
	// errStrictFormat is --strict's answer to a JSON body or a body
	// without a Content-Type.
	errStrictFormat = fail(http.StatusBadRequest, "Bad Request: send the parameters as a form (application/x-www-form-urlencoded or multipart/form-data), as the page's curl examples do", nil)
)

// withQuery adds a query string's parameters under p's own: the last
// value of a repeated one counts, and p wins.
func withQuery(p params, raw string) params {
	vs, err := url.ParseQuery(raw)
	if err != nil {
		return p
	}
	out := lastValues(vs)
	for k, v := range p {
		out[k] = v
	}
	return out
}

// readParams reads the body: form-encoded (also when no Content-Type is
// given), multipart, or a JSON object. strict takes only the two form
// encodings PHP reads into $_POST, with their Content-Type: the page's
// requests are curl -d forms; JSON is what the vendor's plugins send, not
// what the page shows. A GET without a body has no Content-Type and
// passes.
func readParams(w http.ResponseWriter, r *http.Request, strict bool) (params, reply, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, errTooLarge, false
		}
		return nil, errFormat, false
	}
	mt, mtParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if strict && (mt == "application/json" || mt == "" && len(body) > 0) {
		return nil, errStrictFormat, false
	}
	switch mt {
	case "", "application/x-www-form-urlencoded":
		return formParams(body)
	case "application/json":
		return jsonParams(body)
	case "multipart/form-data":
		return multipartParams(r, body, mtParams["boundary"])
	}
	return nil, errFormat, false
}

// formParams decodes a form; of a repeated field the last value counts,
// as in PHP.
func formParams(body []byte) (params, reply, bool) {
	vs, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errFormat, false
	}
	return lastValues(vs), reply{}, true
}

func multipartParams(r *http.Request, body []byte, boundary string) (params, reply, bool) {
	if boundary == "" {
		return nil, errFormat, false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := r.ParseMultipartForm(maxBody); err != nil {
		return nil, errFormat, false
	}
	return lastValues(r.MultipartForm.Value), reply{}, true
}

func lastValues(vs map[string][]string) params {
	p := make(params, len(vs))
	for k, v := range vs {
		if len(v) > 0 {
			p[k] = v[len(v)-1]
		}
	}
	return p
}

// jsonParams decodes a JSON object. Strings are taken as they are,
// numbers as their literal text, booleans as "1" and "" (PHP's view);
// null is absent; an object one level deep is flattened to name[member],
// so {"created_at":{"from":"2018-09-01"}} is created_at[from].
func jsonParams(body []byte) (params, reply, bool) {
	if b := bytes.TrimSpace(body); len(b) == 0 || b[0] != '{' {
		return nil, errFormat, false
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, errFormat, false
	}
	p := params{}
	for name, raw := range obj {
		if s, ok := scalar(raw); ok {
			p[name] = s
			continue
		}
		var inner map[string]json.RawMessage
		if json.Unmarshal(raw, &inner) != nil {
			return nil, badParam(name), false
		}
		for member, v := range inner {
			s, ok := scalar(v)
			if !ok {
				return nil, badParam(name + "[" + member + "]"), false
			}
			p[name+"["+member+"]"] = s
		}
	}
	return p, reply{}, true
}

func badParam(name string) reply {
	return fail(http.StatusBadRequest, "Bad Request: "+name+" must be a string or a number",
		map[string]string{name: "must be a string or a number"})
}

// scalar renders a JSON string, number, boolean or null as a parameter.
func scalar(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0:
		return "", false
	case string(raw) == "null", string(raw) == "false":
		return "", true
	case string(raw) == "true":
		return "1", true
	case raw[0] == '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err == nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", false
	}
	return strings.TrimSpace(n.String()), true
}

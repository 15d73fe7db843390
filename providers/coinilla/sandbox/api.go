package sandbox

import (
	"crypto/subtle"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strconv"
)

// maxBody bounds a request body.
const maxBody = 1 << 20

// Error texts (the vendor documents none; gateways/NOTES.md, Coinilla).
const (
	errAPIKey   = "invalid apikey"
	errFunc     = "invalid func"
	errRequest  = "invalid request"
	errInternal = "internal error"
)

// ServeHTTP serves the gateway API, with paths relative to "/coinilla":
//
//	POST /pay           func=1: request a payment → {"invoice","error"}
//	GET  /pay?invoice=  the buyer's payment page (HTML)
//	POST /verify        func=3 (invoice+refnum) or func=4 (trans_id) → {"status","error"}
//
// API errors are HTTP 200 with an `error` text; only an unknown path
// (404), a wrong method (405) and a journal failure (500) use the status.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/pay" && r.Method == http.MethodGet:
		e.servePage(w, r)
	case r.URL.Path == "/pay" && r.Method == http.MethodPost:
		f, ok := parseForm(w, r)
		if !ok {
			writeJSON(w, http.StatusOK, payAnswer{Error: errRequest})
			return
		}
		rep := e.create(f)
		writeJSON(w, rep.status, rep.body)
	case r.URL.Path == "/verify" && r.Method == http.MethodPost:
		f, ok := parseForm(w, r)
		if !ok {
			writeJSON(w, http.StatusOK, verifyAnswer{Status: StatusNotPaid, Error: errRequest})
			return
		}
		rep := e.verify(f)
		writeJSON(w, rep.status, rep.body)
	case r.URL.Path == "/pay" || r.URL.Path == "/verify":
		w.Header().Set("Allow", "POST")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
	}
}

// reply is a status and a body to encode as JSON.
type reply struct {
	status int
	body   any
}

// payAnswer is func=1's answer.
type payAnswer struct {
	Invoice string `json:"invoice"`
	Error   string `json:"error"`
}

// verifyAnswer is func=3's and func=4's answer.
type verifyAnswer struct {
	Status string `json:"status"`
	Error  string `json:"error"`
}

// parseForm reads the POST body as PHP's $_POST would: form-encoded or
// multipart fields; the query string does not count.
func parseForm(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	if mt == "multipart/form-data" {
		err = r.ParseMultipartForm(maxBody)
	} else {
		err = r.ParseForm()
	}
	if err != nil { // malformed, or over maxBody
		return nil, false
	}
	return r.PostForm, true
}

// authorized checks the apikey field in constant time.
func (e *Emulator) authorized(f url.Values) bool {
	key := f.Get("apikey")
	return key != "" && subtle.ConstantTimeCompare([]byte(key), []byte(e.apiKey)) == 1
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

package sandbox

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// reply is a status, extra headers and a body to encode as JSON.
type reply struct {
	status int
	body   any
	header map[string]string
}

// errorBody is the error envelope of every error answer.
type errorBody struct {
	Message string            `json:"error_message"`
	Errors  map[string]string `json:"errors"`
}

func fail(status int, msg string, errs map[string]string) reply {
	if errs == nil {
		errs = map[string]string{}
	}
	return reply{status: status, body: errorBody{msg, errs}}
}

// invalid is the 422 answer listing every field's error; error_message
// repeats them after subject ("Invoice"), since it is what merchants'
// plugins show.
func invalid(subject string, errs map[string]string) reply {
	names := make([]string, 0, len(errs))
	for k := range errs {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = k + " " + errs[k]
	}
	return fail(http.StatusUnprocessableEntity, subject+" is not valid: "+strings.Join(parts, "; "), errs)
}

var (
	internalError = fail(http.StatusInternalServerError, "Internal Server Error", nil)
	notFoundPath  = fail(http.StatusNotFound, "Not Found", nil)
	unauthorized  = fail(http.StatusUnauthorized, "Unauthorized: your API key is wrong.", map[string]string{"api_key": "is wrong"})
	noAPIKey      = fail(http.StatusUnauthorized, "Unauthorized: send your API key as api_key.", map[string]string{"api_key": "is required"})
)

func invoiceNotFound(id string) reply {
	return fail(http.StatusNotFound, "Invoice "+id+" not found", map[string]string{"id": "not found"})
}

// route is one endpoint: its handler and, for /invoices/{id}..., the id.
type route struct {
	handle func(p params, id string) reply
	id     string
	create bool
	list   bool // also GET: the list's heading is "GET https://api.coinpay24.com/v1/invoices"
}

// route maps a path relative to the mount point ("/v1/invoices/7") to
// its endpoint.
func (e *Emulator) route(path string) (route, bool) {
	if e.narrow && strings.HasSuffix(path, "/") {
		return route{}, false // Strict: only the page's paths, which end without one
	}
	rest, ok := strings.CutPrefix(strings.TrimSuffix(path, "/"), "/v1/invoices")
	if !ok || rest != "" && rest[0] != '/' {
		return route{}, false
	}
	switch parts := strings.Split(strings.TrimPrefix(rest, "/"), "/"); {
	case rest == "":
		return route{handle: e.list, list: true}, true
	case len(parts) == 1 && parts[0] == "create":
		return route{handle: e.create, create: true}, true
	case len(parts) == 1 && parts[0] != "":
		return route{handle: e.get, id: parts[0]}, true
	case len(parts) == 2 && parts[0] != "" && parts[1] == "checkout":
		return route{handle: e.checkout, id: parts[0]}, true
	}
	return route{}, false
}

// ServeHTTP serves the gateway API, with paths relative to "/coinpay24".
// A request meets, in order: the route (404), the method (405: POST, and
// GET for the list), the body (413, 400), the api_key (401), the rate
// limits (429), then the endpoint's own validation.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rep := e.serve(w, r)
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	body, err := json.Marshal(rep.body)
	if err != nil {
		rep, body = internalError, []byte(`{"error_message":"Internal Server Error","errors":{}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rep.status)
	w.Write(body)
}

func (e *Emulator) serve(w http.ResponseWriter, r *http.Request) reply {
	rt, ok := e.route(r.URL.Path)
	if !ok {
		return notFoundPath
	}
	get := r.Method == http.MethodGet && rt.list
	if r.Method != http.MethodPost && !get {
		if rt.list {
			return reply{status: http.StatusMethodNotAllowed, header: map[string]string{"Allow": "GET, POST"},
				body: errorBody{"Method Not Allowed: list invoices with GET or POST", map[string]string{}}}
		}
		return reply{status: http.StatusMethodNotAllowed, header: map[string]string{"Allow": "POST"},
			body: errorBody{"Method Not Allowed: this CoinPay24 API call is a POST", map[string]string{}}}
	}
	p, rep, ok := readParams(w, r, e.narrow)
	if !ok {
		return rep
	}
	if get {
		// The page's table for this GET is "Parameters [Path Params -
		// GET]": they come in the query string; a body's fields (curl -X
		// GET -d) win, as the POST form would.
		p = withQuery(p, r.URL.RawQuery)
	}
	key, ok := p.get("api_key")
	switch {
	case !ok:
		return noAPIKey
	case subtle.ConstantTimeCompare([]byte(key), []byte(e.apiKey)) != 1:
		return unauthorized
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return fail(http.StatusServiceUnavailable, "Service Unavailable", nil)
	}
	now := e.clock.Now()
	e.sweep(now)
	defer e.arm()
	if wait := admit(now, e.perMinute, e.perHour); wait > 0 {
		rep := e.tooMany(wait)
		if rt.create {
			orderID, _ := p.get("order_id")
			rep = e.refuse(orderID, rep)
		}
		return rep
	}
	return rt.handle(p, rt.id)
}

// tooMany is the 429 answer, with the wait the window needs. Called with
// e.mu held; it counts the refusal.
func (e *Emulator) tooMany(wait time.Duration) reply {
	e.refused++
	rep := fail(http.StatusTooManyRequests, "Too Many Requests: slow down.", nil)
	rep.header = map[string]string{"Retry-After": retryAfter(wait)}
	return rep
}

package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxBody bounds a request body.
const maxBody = 1 << 20

// reply is a status and a body to encode as JSON.
type reply struct {
	status     int
	body       any
	errName    string // the error's name, for the request log
	retryAfter int    // seconds, for 429
}

// call is one API request as a handler sees it.
type call struct {
	r         *http.Request
	body      []byte
	query     url.Values
	id        string // the {id} path parameter
	now       time.Time
	requestID string
}

type handler func(c *call) reply

// route finds the handler for a path without its trailing slash; the
// second result is the {id} parameter. A known path with another method
// is an unknown route, as in an Express router.
func (e *Emulator) route(method, path string) (handler, string) {
	const v1 = "/api/v1"
	rest, ok := strings.CutPrefix(path, v1)
	if !ok {
		return nil, ""
	}
	get, post := method == http.MethodGet, method == http.MethodPost
	switch {
	case rest == "/currencies" && get:
		return e.listCurrencies, ""
	case rest == "/wallets" && get:
		return e.listWallets, ""
	case rest == "/invoices" && post:
		return e.createInvoice, ""
	case rest == "/invoices/payment-link" && post:
		return e.createPaymentLink, ""
	case rest == "/transactions/invoices" && get:
		return e.listInvoices, ""
	case rest == "/logs" && get:
		return e.listLogs, ""
	}
	for prefix, h := range map[string]handler{"/transactions/invoices/": e.getInvoice, "/logs/": e.getLog} {
		if id, ok := strings.CutPrefix(rest, prefix); ok && get && id != "" && !strings.Contains(id, "/") {
			return h, id
		}
	}
	return nil, ""
}

// ServeHTTP serves the gateway API, with paths relative to "/milacoins".
// A request meets, in order: the rate limit (429/4302), the body size,
// the key, X-time and signature (403/4304, 403/4303), the route (404/404
// NOT_FOUND), then the endpoint's own validation (401/1001-1007). Every
// request that carries the right key is kept in the request log.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := e.clock.Now()
	e.tick(now)
	c := &call{r: r, now: now, requestID: e.ids.next(now.Unix())}
	rep := e.serve(w, c)
	body := writeReply(w, rep)
	if r.Header.Get(headerKey) == e.key {
		e.record(c, rep, body)
	}
}

func (e *Emulator) serve(w http.ResponseWriter, c *call) reply {
	e.mu.Lock()
	ok, wait := e.limit.allow(c.now)
	e.mu.Unlock()
	if !ok {
		rep := errLimit().reply(c.requestID)
		rep.retryAfter = int((wait + time.Second - 1) / time.Second)
		return rep
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, c.r.Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return errInvalid("The body is larger than 1 MiB.").reply(c.requestID)
		}
		return errInvalid("The body could not be read.").reply(c.requestID)
	}
	c.body = body
	path := c.r.URL.Path
	if len(path) > 1 {
		trimmed := strings.TrimSuffix(path, "/")
		if e.narrow && (trimmed != path) != listPath(trimmed) {
			trimmed = "" // Strict: the path's other form is not served
		}
		path = trimmed
	}
	h, id := e.route(c.r.Method, path)
	c.id = id // known before authentication, for the request log
	query, qerr := url.ParseQuery(c.r.URL.RawQuery)
	c.query = query
	if aerr := e.authenticate(c.r, body, c.now); aerr != nil {
		return aerr.reply(c.requestID)
	}
	if h == nil {
		return errNotFound().reply(c.requestID)
	}
	if qerr != nil {
		return errInvalid("The query string is malformed.").reply(c.requestID)
	}
	return h(c)
}

// listPath reports the paths whose one form under Strict ends in a
// slash: the lists.
func listPath(path string) bool {
	return path == "/api/v1/transactions/invoices" || path == "/api/v1/logs"
}

// writeReply sends rep as compact JSON without HTML escaping, as a
// Node.js server does, and returns the bytes sent.
func writeReply(w http.ResponseWriter, rep reply) []byte {
	body, err := marshal(rep.body)
	if err != nil {
		rep = errInternal().reply("")
		body, _ = marshal(rep.body)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if rep.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(rep.retryAfter))
	}
	w.WriteHeader(rep.status)
	w.Write(body)
	return body
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// checkQuery refuses a query parameter the endpoint does not take (1002).
func checkQuery(q url.Values, allowed ...string) *apiError {
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !slices.Contains(allowed, name) {
			a := errNotAllowed(name)
			return &a
		}
	}
	return nil
}

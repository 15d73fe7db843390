package sandbox

import (
	"encoding/json"
	"net"
	"net/http"
	"slices"
	"strings"
)

// maxLogs bounds the request log; the oldest entries go first.
const maxLogs = 10_000

// logEntry is one request in the request log, with the documented fields
// in their order.
type logEntry struct {
	ID       string            `json:"id"`
	Status   int               `json:"status"`
	IP       string            `json:"ip"`
	Method   string            `json:"method"`
	URI      string            `json:"uri"`
	Device   any               `json:"device"`
	Headers  map[string]string `json:"headers"`
	Location any               `json:"location"`
	Body     any               `json:"body"`
	Params   map[string]string `json:"params"`
	Query    map[string]string `json:"query"`
	Response json.RawMessage   `json:"response"`
	Error    string            `json:"error"`
	// CreatedAt is an ISO 8601 string.
	CreatedAt string `json:"createdAt"`
}

// record keeps one answered request in the log. The log is kept in
// memory only: it is a view of traffic, not of the gateway's objects.
// Header names are lower case, as Node.js shows them, and the API key is
// masked.
func (e *Emulator) record(c *call, rep reply, response []byte) {
	r := c.r
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	headers := map[string]string{}
	for name, vs := range r.Header {
		headers[strings.ToLower(name)] = strings.Join(vs, ", ")
	}
	if k := headers["x-api-key"]; len(k) > 4 {
		headers["x-api-key"] = k[:4] + "…"
	}
	query := map[string]string{}
	for name := range c.query {
		query[name] = c.query.Get(name)
	}
	params := map[string]string{}
	if c.id != "" {
		params["id"] = c.id
	}
	var body any
	if len(c.body) > 0 {
		if json.Valid(c.body) {
			body = json.RawMessage(c.body)
		} else {
			body = string(c.body)
		}
	}
	var device any
	if ua := r.UserAgent(); ua != "" {
		device = ua
	}
	// The URI as the gateway sees it, from its own root: without the
	// sandbox's mount point (/milacoins), which a real MilaCoins host does
	// not have.
	uri := r.URL.RequestURI()
	entry := logEntry{
		ID: e.ids.next(c.now.Unix()), Status: rep.status, IP: ip, Method: r.Method, URI: uri,
		Device: device, Headers: headers, Body: body, Params: params, Query: query,
		Response: json.RawMessage(slices.Clone(response)), Error: rep.errName, CreatedAt: isoTime(c.now),
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.logs) == maxLogs {
		e.logs = slices.Delete(e.logs, 0, 1)
	}
	e.logs = append(e.logs, entry)
}

// listLogs serves GET /api/v1/logs/: the request log, newest first.
func (e *Emulator) listLogs(c *call) reply {
	if aerr := checkQuery(c.query, "limit", "page"); aerr != nil {
		return aerr.reply(c.requestID)
	}
	limit, pageNo, aerr := paging(c.query)
	if aerr != nil {
		return aerr.reply(c.requestID)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	out := page[logEntry]{Count: len(e.logs), Limit: limit, Skip: (pageNo - 1) * limit, Docs: []logEntry{}}
	for i := out.Skip; i < len(e.logs) && i < out.Skip+limit; i++ {
		out.Docs = append(out.Docs, e.logs[len(e.logs)-1-i])
	}
	return reply{status: http.StatusOK, body: out}
}

// getLog serves GET /api/v1/logs/{id}.
func (e *Emulator) getLog(c *call) reply {
	if aerr := checkQuery(c.query); aerr != nil {
		return aerr.reply(c.requestID)
	}
	if !isObjectID(c.id) {
		return errCast("_id", c.id).reply(c.requestID)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, l := range e.logs {
		if strings.EqualFold(l.ID, c.id) {
			return reply{status: http.StatusOK, body: l}
		}
	}
	return errNoDocument("Log", c.id).reply(c.requestID)
}

package sandbox

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// maxBody bounds a request body.
const maxBody = 1 << 20

// reply is a status and a body to encode as JSON.
type reply struct {
	status int
	body   any
}

// nestError is NestJS's error body; message is a string, or the list of
// validation messages.
type nestError struct {
	StatusCode int    `json:"statusCode"`
	Message    any    `json:"message"`
	Error      string `json:"error"`
}

func failure(status int, message any) reply {
	return reply{status, nestError{StatusCode: status, Message: message, Error: http.StatusText(status)}}
}

func badRequest(message any) reply { return failure(http.StatusBadRequest, message) }

// Documented messages.
const (
	msgNotFound       = "Payment prompt not found"
	msgMainBranch     = "Main branch not found"
	msgNoDomains      = "No redirect domains configured"
	msgDomain         = "Redirect URL domain not allowed"
	msgRedirectFormat = "Invalid redirect URL format"
	msgNoAddresses    = "No payment addresses configured"
	msgSomeAddresses  = "Missing payment addresses for some blockchains"
)

var internalError = failure(http.StatusInternalServerError, "Internal server error")

// ServeHTTP serves the API, with paths relative to "/miraclepay":
//
//	POST /external/payments/prompt      create a prompt (201)
//	GET  /external/payments/prompt/:id  a prompt's status
//	GET  /external/blockchains/active   [{id, name, active}]
//
// A request meets, in order: the route (NestJS's 404 "Cannot METHOD
// /path" for any other), Basic authentication (the documented 401s), then
// the endpoint's own checks.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	writeReply(w, e.serve(r))
}

func (e *Emulator) serve(r *http.Request) reply {
	const promptPath = "/external/payments/prompt"
	path := r.URL.Path
	id, isPrompt := strings.CutPrefix(path, promptPath+"/")
	isPrompt = isPrompt && id != "" && !strings.Contains(id, "/")
	var handle func() reply
	switch {
	case r.Method == http.MethodPost && path == promptPath:
		handle = func() reply { return e.create(r) }
	case r.Method == http.MethodGet && isPrompt:
		handle = func() reply { return e.get(id) }
	case r.Method == http.MethodGet && path == "/external/blockchains/active":
		handle = e.blockchains
	default:
		return failure(http.StatusNotFound, "Cannot "+r.Method+" "+path)
	}
	if rep, ok := e.authenticate(r.Header.Get("Authorization")); !ok {
		return rep
	}
	return handle()
}

// get serves GET /external/payments/prompt/:id.
func (e *Emulator) get(id string) reply {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.prompts[id]
	if !ok {
		return failure(http.StatusNotFound, msgNotFound)
	}
	return reply{http.StatusOK, statusAnswer(p, e.clock.Now())}
}

// blockchains serves GET /external/blockchains/active.
func (e *Emulator) blockchains() reply {
	type item struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		Active bool   `json:"active"`
	}
	out := make([]item, len(e.chains))
	for i, b := range e.chains {
		out[i] = item{b.ID, b.Name, true}
	}
	return reply{http.StatusOK, out}
}

func writeReply(w http.ResponseWriter, rep reply) {
	body, err := json.Marshal(rep.body)
	if err != nil {
		rep, body = internalError, []byte(`{"statusCode":500,"message":"Internal server error","error":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rep.status)
	w.Write(body)
}

package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
)

// ServerOptions configures a Server.
type ServerOptions struct {
	// Emulators are mounted at "/<gateway>/", each behind Faults.
	Emulators []Emulator
	// Faults is shared by every emulator; nil means a new injector that
	// injects nothing until told to through the admin API.
	Faults *FaultInjector
}

// Server serves several emulators on one port, each under "/<gateway>/"
// behind the fault injector, and the admin API under "/_sandbox/":
//
//	GET /_sandbox/health                    {"status":"ok","gateways":[...]}
//	GET /_sandbox/ledger[?gateway=&kind=]   {"objects":[LedgerObject...]}
//	GET /_sandbox/faults                    {"spec":"...","injected":{kind:n}}
//	PUT /_sandbox/faults {"spec":"..."}     change the faults; answers as GET
//	POST /_sandbox/pay {Payment}            a customer pays an invoice (Payer emulators)
//	POST /_sandbox/deposit {Deposit}        a customer deposits to an address (Depositor emulators)
//	/_sandbox/<gateway>/...                 that emulator's Admin()
//
// Admin errors are {"error":"..."} with a 4xx status. Faults never touch
// the admin API.
type Server struct {
	mux       *http.ServeMux
	emulators map[string]Emulator
	names     []string
	faults    *FaultInjector
}

var _ http.Handler = (*Server)(nil)

// NewServer builds a server. It panics on an empty, malformed or repeated
// gateway name, a programming error.
func NewServer(opts ServerOptions) *Server {
	s := &Server{mux: http.NewServeMux(), emulators: map[string]Emulator{}, faults: opts.Faults}
	if s.faults == nil {
		s.faults = NewFaultInjector(Faults{})
	}
	for _, em := range opts.Emulators {
		name := em.Gateway()
		if name == "" || name == "_sandbox" || strings.ContainsAny(name, "/?#% ") {
			panic(fmt.Sprintf("emulator: bad gateway name %q", name))
		}
		if _, dup := s.emulators[name]; dup {
			panic(fmt.Sprintf("emulator: gateway %q mounted twice", name))
		}
		s.emulators[name] = em
		s.names = append(s.names, name)
		s.mux.Handle("/"+name+"/", http.StripPrefix("/"+name, s.faults.Wrap(em)))
		if admin := em.Admin(); admin != nil {
			s.mux.Handle("/_sandbox/"+name+"/", http.StripPrefix("/_sandbox/"+name, admin))
		}
	}
	sort.Strings(s.names)
	s.mux.HandleFunc("/_sandbox/health", s.health)
	s.mux.HandleFunc("/_sandbox/ledger", s.ledger)
	s.mux.HandleFunc("/_sandbox/faults", s.faultsHandler)
	s.mux.HandleFunc("/_sandbox/pay", s.pay)
	s.mux.HandleFunc("/_sandbox/deposit", s.deposit)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		WriteJSONError(w, http.StatusNotFound, fmt.Sprintf("no such path %q: gateways are served under /%s/", r.URL.Path, strings.Join(s.names, "/, /")))
	})
	return s
}

// ServeHTTP serves the gateways and the admin API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Faults returns the injector every gateway is behind.
func (s *Server) Faults() *FaultInjector { return s.faults }

// Gateways returns the mounted gateways' names, sorted.
func (s *Server) Gateways() []string { return append([]string(nil), s.names...) }

// Ledger returns the objects of every emulator, sorted by SortLedger.
func (s *Server) Ledger() []LedgerObject {
	var out []LedgerObject
	for _, name := range s.names {
		out = append(out, s.emulators[name].Ledger()...)
	}
	SortLedger(out)
	return out
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet) {
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"status": "ok", "gateways": s.Gateways()})
}

func (s *Server) ledger(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet) {
		return
	}
	gateway, kind := r.URL.Query().Get("gateway"), r.URL.Query().Get("kind")
	if _, ok := s.emulators[gateway]; gateway != "" && !ok {
		WriteJSONError(w, http.StatusBadRequest, fmt.Sprintf("unknown gateway %q; this sandbox serves %s", gateway, strings.Join(s.names, ", ")))
		return
	}
	objs := []LedgerObject{}
	for _, o := range s.Ledger() {
		if (gateway == "" || o.Gateway == gateway) && (kind == "" || o.Kind == kind) {
			objs = append(objs, o)
		}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"objects": objs})
}

func (s *Server) faultsHandler(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet, http.MethodPut) {
		return
	}
	if r.Method == http.MethodPut {
		var req struct {
			Spec *string `json:"spec"`
		}
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil || req.Spec == nil {
			WriteJSONError(w, http.StatusBadRequest, `want a JSON body {"spec":"drop-after-commit=0.3,..."}`)
			return
		}
		f, err := ParseFaults(*req.Spec)
		if err != nil {
			WriteJSONError(w, http.StatusBadRequest, err.Error())
			return
		}
		s.faults.Set(f)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"spec": s.faults.Get().String(), "injected": s.faults.Injected()})
}

// allow answers 405 unless r's method is one of methods.
func allow(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	WriteJSONError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed; use %s", r.Method, strings.Join(methods, " or ")))
	return false
}

// WriteJSON writes v as a JSON response with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// WriteJSONError writes the admin API's error body {"error": msg}.
func WriteJSONError(w http.ResponseWriter, status int, msg string) {
	WriteJSON(w, status, map[string]string{"error": msg})
}

// WriteResult answers an admin request that changed something: 404 when
// err is notFound, 500 when the journal refused the change (ErrJournal)
// or err is one of internal, 400 for any other error, else 200 with
// view().
func WriteResult(w http.ResponseWriter, err error, view func() any, notFound error, internal ...error) {
	switch {
	case err == nil:
		WriteJSON(w, http.StatusOK, view())
	case errors.Is(err, notFound):
		WriteJSONError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrJournal) || slices.ContainsFunc(internal, func(e error) bool { return errors.Is(err, e) }):
		WriteJSONError(w, http.StatusInternalServerError, err.Error())
	default:
		WriteJSONError(w, http.StatusBadRequest, err.Error())
	}
}

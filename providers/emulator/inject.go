package emulator

import (
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// FaultInjector decides, per gateway API request, which fault to inject,
// from a seeded random source. Its faults can be changed while it serves;
// it counts the faults it injected. A nil *FaultInjector injects nothing.
type FaultInjector struct {
	mu     sync.Mutex
	faults Faults
	rng    *rand.Rand
	counts map[string]int64
}

// NewFaultInjector returns an injector set to f.
func NewFaultInjector(f Faults) *FaultInjector {
	fi := &FaultInjector{counts: map[string]int64{}}
	fi.Set(f)
	return fi
}

// Set replaces the faults and reseeds the random source with f.Seed. The
// injected counts are kept.
func (fi *FaultInjector) Set(f Faults) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	fi.faults = f
	fi.rng = rand.New(rand.NewPCG(uint64(f.Seed), 0x9e3779b97f4a7c15))
}

// Get returns the faults in effect.
func (fi *FaultInjector) Get() Faults {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	return fi.faults
}

// Injected returns how many times each fault kind was injected, with every
// kind present.
func (fi *FaultInjector) Injected() map[string]int64 {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	out := make(map[string]int64, len(FaultKinds))
	for _, k := range FaultKinds {
		out[k] = fi.counts[k]
	}
	return out
}

type decision struct {
	latency time.Duration
	fault   string // a kind decided before processing, or ""
	drop    bool
}

// decide draws the faults for one request and counts them.
func (fi *FaultInjector) decide() decision {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	var d decision
	f := fi.faults
	if f.Latency > 0 {
		d.latency = f.Latency
		fi.counts[FaultLatency]++
	}
	for _, p := range []struct {
		kind string
		p    float64
	}{{FaultFailBeforeCommit, f.FailBeforeCommit}, {FaultStatus429, f.Status429}, {FaultStatus500, f.Status500}} {
		if p.p > 0 && fi.rng.Float64() < p.p {
			d.fault = p.kind
			fi.counts[p.kind]++
			return d
		}
	}
	if f.DropAfterCommit > 0 && fi.rng.Float64() < f.DropAfterCommit {
		d.drop = true
		fi.counts[FaultDropAfterCommit]++
	}
	return d
}

// Wrap returns h with faults injected into its requests. If h is a
// RateLimiter, status-429 answers with its body.
func (fi *FaultInjector) Wrap(h http.Handler) http.Handler {
	if fi == nil {
		return h
	}
	contentType, body := "application/json", []byte(`{"error":"Too Many Requests"}`)
	if rl, ok := h.(RateLimiter); ok {
		contentType, body = rl.RateLimitBody()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := fi.decide()
		if d.latency > 0 {
			time.Sleep(d.latency)
		}
		switch d.fault {
		case FaultFailBeforeCommit:
			cut(w)
			return
		case FaultStatus429:
			w.Header().Set("Content-Type", contentType)
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write(body)
			return
		case FaultStatus500:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"error":"Internal Server Error"}`))
			return
		}
		if !d.drop {
			h.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(&discardWriter{header: http.Header{}}, r)
		cut(w)
	})
}

// cut closes the client's connection without sending a byte. Where the
// connection cannot be hijacked (HTTP/2, Transport) it aborts the handler,
// which the server and Transport turn into a broken connection.
func cut(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// discardWriter takes a processed request's response, which
// drop-after-commit never sends.
type discardWriter struct {
	header http.Header
}

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}

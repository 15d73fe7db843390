package providers_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/payform/payform/providers"
)

// referee is a gateway that counts as strictly as its limits say: an
// exact sliding window over the moment each request is admitted, with no
// margin. It admits each request at a random moment between its arrival
// and its answer (up to jitter either side), the worst case for a client
// that can only see when it sent and when the answer came.
type referee struct {
	limits  []providers.Limit
	jitter  time.Duration
	mu      sync.Mutex
	times   [][]time.Time // admitted, per limit
	ok      int
	refused int
}

func newReferee(limits []providers.Limit, jitter time.Duration) *referee {
	return &referee{limits: limits, jitter: jitter, times: make([][]time.Time, len(limits))}
}

func (r *referee) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if r.jitter > 0 {
		time.Sleep(rand.N(r.jitter))
	}
	if !r.admit(time.Now(), strings.HasSuffix(req.URL.Path, "/create")) {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	if r.jitter > 0 {
		time.Sleep(rand.N(r.jitter))
	}
	w.WriteHeader(http.StatusOK)
}

func (r *referee) admit(now time.Time, create bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, l := range r.limits {
		if l.CreatesOnly && !create {
			continue
		}
		n := 0
		for _, t := range r.times[i] {
			if now.Sub(t) < l.Per {
				n++
			}
		}
		if n >= l.N {
			r.refused++
			return false
		}
	}
	for i, l := range r.limits {
		if !l.CreatesOnly || create {
			r.times[i] = append(r.times[i], now)
		}
	}
	r.ok++
	return true
}

func (r *referee) counts() (ok, refused int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ok, r.refused
}

// twoStep is a provider whose Create makes two requests (a create, then
// a checkout, as CoinPay24's does) and whose Lookup makes one.
type twoStep struct {
	providers.Provider // nil: only Create and Lookup are called
	base               string
	hc                 *http.Client
}

func (p *twoStep) post(ctx context.Context, path string) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, p.base+path, nil)
	resp, err := p.hc.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New(resp.Status)
	}
	return nil
}

func (p *twoStep) Create(ctx context.Context, _ providers.Request) (providers.Object, error) {
	if err := p.post(ctx, "/create"); err != nil {
		return providers.Object{}, err
	}
	return providers.Object{}, p.post(ctx, "/checkout")
}

func (p *twoStep) Lookup(ctx context.Context, _ providers.Query) (providers.Object, error) {
	return providers.Object{}, p.post(ctx, "/lookup")
}

// TestNeverAboveUnderJitter: 16 workers creating and looking up as fast
// as the limiter lets them, against a gateway that counts each request at
// a random moment of its round trip, get no 429 and still use most of the
// allowance. (A limiter that counted requests only when they leave, and
// freed the slot a window later, is caught here: a request admitted late
// in its round trip and the one that reuses its slot admitted early in
// its own land in one window.)
func TestNeverAboveUnderJitter(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for 3 s")
	}
	limits := []providers.Limit{{N: 10, Per: 100 * time.Millisecond}, {N: 30, Per: 500 * time.Millisecond}, {N: 8, Per: 500 * time.Millisecond, CreatesOnly: true}}
	ref := newReferee(limits, 40*time.Millisecond)
	srv := httptest.NewServer(ref)
	defer srv.Close()
	l := providers.NewLimiter(providers.LimiterOptions{Limits: limits})
	p := providers.WithRateLimit(&twoStep{base: srv.URL, hc: &http.Client{Transport: l.Transport(nil, 5*time.Second)}}, l)

	const run = 3 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), run)
	defer cancel()
	var wg sync.WaitGroup
	var fails atomic.Int64
	for i := range 16 {
		wg.Go(func() {
			for ctx.Err() == nil {
				var err error
				if i%2 == 0 {
					_, err = p.Create(ctx, providers.Request{})
				} else {
					_, err = p.Lookup(ctx, providers.Query{})
				}
				if err != nil && ctx.Err() == nil {
					fails.Add(1)
				}
			}
		})
	}
	wg.Wait()
	ok, refused := ref.counts()
	if refused != 0 || fails.Load() != 0 {
		t.Errorf("the gateway refused %d requests (%d calls failed); the limiter must keep under every window", refused, fails.Load())
	}
	// 30 per 500 ms bind: 180 in 3 s at most. The answers' jitter holds
	// each slot up to 80 ms longer; a limiter that keeps under the limits
	// by sending one request at a time gets under half.
	if allowed := 180; ok < allowed/2 {
		t.Errorf("%d requests in %v, the limits allow %d: the limiter leaves too much unused", ok, run, allowed)
	}
	t.Logf("%d requests admitted in %v (limits allow 180), %d refused", ok, run, refused)
}

// TestRetryAfterHoldsEveryRequest: after one 429 with Retry-After: 1 no
// request of the account reaches the gateway for a second, whichever
// worker sends it.
func TestRetryAfterHoldsEveryRequest(t *testing.T) {
	var mu sync.Mutex
	var arrivals []time.Time
	var refusedAt time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		now := time.Now()
		if refusedAt.IsZero() {
			refusedAt = now
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		arrivals = append(arrivals, now)
	}))
	defer srv.Close()
	l := providers.NewLimiter(providers.LimiterOptions{})
	hc := &http.Client{Transport: l.Transport(nil, 0)}
	get := func() {
		resp, err := hc.Get(srv.URL)
		if err != nil {
			t.Error(err)
			return
		}
		resp.Body.Close()
	}
	get() // the 429
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(get)
	}
	wg.Wait()
	if len(arrivals) != 5 {
		t.Fatalf("%d requests arrived after the 429, want 5", len(arrivals))
	}
	for _, a := range arrivals {
		if d := a.Sub(refusedAt); d < time.Second {
			t.Errorf("a request arrived %v after the 429 with Retry-After: 1", d)
		}
	}
	if s := l.Stats(); s.Refused != 1 || s.Sent != 6 {
		t.Errorf("stats %+v, want 6 sent, 1 refused", s)
	}
}

// TestTimeoutStartsWhenSent: the time a request waits for the limiter is
// not part of its timeout; the timeout still cuts a gateway that does not
// answer.
func TestTimeoutStartsWhenSent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hang" {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}
	}))
	defer srv.Close()
	l := providers.NewLimiter(providers.LimiterOptions{Limits: []providers.Limit{{N: 1, Per: 300 * time.Millisecond}}})
	hc := &http.Client{Transport: l.Transport(nil, 200*time.Millisecond)}
	var sent []time.Time
	ctx := providers.OnSend(context.Background(), func(at time.Time) { sent = append(sent, at) })
	for i := range 3 {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("request %d, after its wait: %v", i+1, err)
		}
		resp.Body.Close()
	}
	if len(sent) != 3 {
		t.Fatalf("OnSend called %d times, want 3", len(sent))
	}
	for i := 1; i < 3; i++ {
		if d := sent[i].Sub(sent[i-1]); d < 300*time.Millisecond {
			t.Errorf("request %d left %v after the one before; OnSend must say when it left, after the wait", i+1, d)
		}
	}
	start := time.Now()
	resp, err := hc.Get(srv.URL + "/hang")
	if err == nil {
		resp.Body.Close()
		t.Fatal("a gateway that never answers did not time out")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the timeout came after %v", d)
	}
}

// TestStopWaiting: a request waiting for a window gives up when told,
// and nothing more reaches the gateway.
func TestStopWaiting(t *testing.T) {
	var arrived atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { arrived.Add(1) }))
	defer srv.Close()
	l := providers.NewLimiter(providers.LimiterOptions{Limits: []providers.Limit{{N: 1, Per: time.Hour}}})
	hc := &http.Client{Transport: l.Transport(nil, 0)}
	stop := make(chan struct{})
	ctx := providers.StopWaiting(context.Background(), stop)
	do := func() error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := do(); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- do() }()
	time.Sleep(50 * time.Millisecond)
	if s := l.Stats(); s.Waiting != 1 {
		t.Errorf("stats %+v, want one waiting", s)
	}
	close(stop)
	select {
	case err := <-errc:
		if !errors.Is(err, providers.ErrStopped) {
			t.Errorf("err = %v, want ErrStopped", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the request kept waiting after stop")
	}
	if n := arrived.Load(); n != 1 {
		t.Errorf("%d requests reached the gateway, want 1", n)
	}
}

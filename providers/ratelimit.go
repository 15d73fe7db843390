package providers

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Margin is what the limiter adds to every documented window: 1% of the
// window plus 10 ms, so a minute counts as 60.61 s and an hour as
// 1h0m36.01s. It covers the difference between payform's clock and the
// gateway's (their rates, a wall clock stepped between two runs, a
// gateway that rounds its timestamps) and costs about 1% of the allowed
// rate. A Retry-After is lengthened the same way.
func Margin(per time.Duration) time.Duration { return per/100 + 10*time.Millisecond }

// ScaleLimits divides every limit's window by scale, for testing against
// a sandbox whose limits are scaled the same way (60: per minute becomes
// per second). A scale of 0 or 1 returns limits unchanged.
func ScaleLimits(limits []Limit, scale float64) []Limit {
	if scale <= 0 || scale == 1 {
		return limits
	}
	out := make([]Limit, len(limits))
	for i, l := range limits {
		out[i] = l
		out[i].Per = time.Duration(float64(l.Per) / scale)
	}
	return out
}

// Limiter keeps one gateway account under every documented limit at once
// (e.g. CoinPay24's 200 requests a minute, 1,000 an hour and 1,000
// invoices an hour). Each limit is a sliding-window log: a request takes
// one of the limit's N slots when it leaves payform, and the slot frees
// Per (plus Margin) after its answer came back. The gateway counts the
// request somewhere between those two moments, so however long requests
// take, no Per-long interval at the gateway ever holds more than N of
// them; and a window's whole allowance can be used at once (200 requests
// in the first second of a minute), not spread out at the slowest rate.
//
// A 429 blocks the whole account for the Retry-After the gateway asked
// (doubling waits from 1 s when it gave none). Sends are recorded in a
// SendLog, when there is one, before they leave, so that the next run
// starts with the windows this one filled.
//
// One Limiter serves every provider block of one account (see
// providers/gateways): two aliases of an account share its limits.
type Limiter struct {
	name     string // the gateway's title, for descriptions
	noun     string // what creates-only limits count, e.g. "invoices"
	account  string
	log      SendLog
	inFlight time.Duration
	now      func() time.Time
	run      string // this process's prefix for send ids

	mu      sync.Mutex
	loaded  bool // the log has been read
	windows []*window
	changed chan struct{} // closed and replaced when a slot may have freed
	until   time.Time     // blocked by a 429 until then
	strikes int           // 429s in a row without a Retry-After
	seq     uint64
	stats   LimiterStats
}

// LimiterStats counts what a Limiter saw.
type LimiterStats struct {
	Sent    int // requests that left
	Refused int // answered 429
	Held    int // requests that had to wait for a window or a 429
	Waiting int // requests waiting now
}

// LimiterOptions configure a Limiter.
type LimiterOptions struct {
	// Name is the gateway's title ("CoinPay24"), for Describe.
	Name string
	// Noun is what creates-only limits count ("invoices"); "creates"
	// when empty.
	Noun string
	// Account identifies the gateway account in the log; opaque.
	Account string
	Limits  []Limit
	// Log remembers sends across runs; nil remembers nothing.
	Log SendLog
	// InFlight bounds how long a request can be under way (the client's
	// timeout). A send read from the log with no answer recorded (the
	// run was killed) counts as answered that long after it left, or
	// when the log is read if that is sooner. 2 minutes when zero.
	InFlight time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

type window struct {
	limit Limit
	span  time.Duration // Per + Margin
	slots []slot        // at most limit.N
}

// slot is one request counted in a window.
type slot struct {
	id   uint64
	free time.Time // when the request stops counting; zero while under way
}

func (s slot) busy(now time.Time) bool { return s.free.IsZero() || s.free.After(now) }

// NewLimiter returns a limiter for opts.Limits. Limits with N or Per not
// above zero are ignored; without any, the limiter only honours 429s.
func NewLimiter(opts LimiterOptions) *Limiter {
	l := &Limiter{
		name: opts.Name, noun: opts.Noun, account: opts.Account, log: opts.Log,
		inFlight: opts.InFlight, now: opts.Now, changed: make(chan struct{}),
	}
	if l.noun == "" {
		l.noun = "creates"
	}
	if l.inFlight <= 0 {
		l.inFlight = 2 * time.Minute
	}
	if l.now == nil {
		l.now = time.Now
	}
	var b [5]byte
	_, _ = rand.Read(b[:])
	l.run = fmt.Sprintf("%x", b)
	for _, lim := range opts.Limits {
		if lim.N > 0 && lim.Per > 0 {
			l.windows = append(l.windows, &window{limit: lim, span: lim.Per + Margin(lim.Per)})
		}
	}
	return l
}

// Limits returns the limits the limiter enforces.
func (l *Limiter) Limits() []Limit {
	out := make([]Limit, len(l.windows))
	for i, w := range l.windows {
		out[i] = w.limit
	}
	return out
}

// Stats returns the limiter's counts so far.
func (l *Limiter) Stats() LimiterStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stats
}

// ticket is one request admitted by every window.
type ticket struct {
	id     uint64
	at     time.Time
	slots  []int // index in each window's slots; -1 where the window does not count it
	create bool
	logID  string
}

// acquire waits until a request may leave (a create, if create, also
// counts against creates-only limits), takes its slot in every window
// and records the send. The request must be reported with done once its
// answer (or failure) came back.
func (l *Limiter) acquire(ctx context.Context, create bool) (*ticket, error) {
	waiting := false
	defer func() {
		if waiting {
			l.mu.Lock()
			l.stats.Waiting--
			l.mu.Unlock()
		}
	}()
	for {
		l.mu.Lock()
		t, wake, err := l.reserve(l.now(), create)
		if t != nil || err != nil {
			l.mu.Unlock()
			return t, err
		}
		if !waiting {
			waiting = true
			l.stats.Waiting++
			l.stats.Held++
		}
		changed := l.changed
		l.mu.Unlock()

		if err := sleep(ctx, wake, changed); err != nil {
			return nil, err
		}
	}
}

// sleep waits until wake (forever when zero), a change, or the end of
// ctx or of its StopWaiting.
func sleep(ctx context.Context, wake time.Time, changed <-chan struct{}) error {
	var timer <-chan time.Time
	if !wake.IsZero() {
		tm := time.NewTimer(time.Until(wake))
		defer tm.Stop()
		timer = tm.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-stopped(ctx):
		return ErrStopped
	case <-changed:
	case <-timer:
	}
	return nil
}

// reserve admits a request at now, or says until when it must wait (zero:
// until an answer frees a slot). Called with l.mu held.
func (l *Limiter) reserve(now time.Time, create bool) (*ticket, time.Time, error) {
	if err := l.load(now); err != nil {
		return nil, time.Time{}, err
	}
	if now.Before(l.until) {
		return nil, l.until, nil
	}
	t := &ticket{slots: make([]int, len(l.windows)), create: create}
	var wait time.Time
	blocked := false
	for i, w := range l.windows {
		t.slots[i] = -1
		if w.limit.CreatesOnly && !create {
			continue
		}
		idx, free := w.admit(now)
		if idx >= 0 {
			t.slots[i] = idx
			continue
		}
		blocked = true
		if free.IsZero() { // every slot under way: wait for an answer
			continue
		}
		if wait.IsZero() || free.After(wait) {
			wait = free
		}
	}
	if blocked {
		return nil, wait, nil
	}
	l.seq++
	t.id, t.at = l.seq, now
	if l.log != nil && len(l.windows) > 0 {
		t.logID = l.run + "." + strconv.FormatUint(t.id, 36)
		if err := l.log.Record(l.account, Send{ID: t.logID, At: now, Create: create}); err != nil {
			return nil, time.Time{}, fmt.Errorf("recording the send for the rate limits: %w", err)
		}
	}
	for i, w := range l.windows {
		if idx := t.slots[i]; idx >= 0 {
			s := slot{id: t.id}
			if idx == len(w.slots) {
				w.slots = append(w.slots, s)
			} else {
				w.slots[idx] = s
			}
		}
	}
	l.stats.Sent++
	return t, time.Time{}, nil
}

// admit returns the index of a slot free at now (len(slots) when the
// window is not yet full), or -1 and the earliest time a slot frees (zero
// when every slot is under way).
func (w *window) admit(now time.Time) (int, time.Time) {
	if len(w.slots) < w.limit.N {
		return len(w.slots), time.Time{}
	}
	var earliest time.Time
	for i, s := range w.slots {
		if !s.busy(now) {
			return i, time.Time{}
		}
		if !s.free.IsZero() && (earliest.IsZero() || s.free.Before(earliest)) {
			earliest = s.free
		}
	}
	return -1, earliest
}

// done reports that the request of t was answered with status (0: it
// failed without an answer) and Retry-After header retryAfter.
func (l *Limiter) done(t *ticket, status int, retryAfter string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for i, w := range l.windows {
		if idx := t.slots[i]; idx >= 0 && w.slots[idx].id == t.id {
			w.slots[idx].free = now.Add(w.span)
		}
	}
	if t.logID != "" {
		// A lost answer time only makes the next run wait longer (the
		// send then counts as under way for InFlight); it is not an
		// error for the request.
		_ = l.log.Record(l.account, Send{ID: t.logID, At: t.at, Done: now, Create: t.create})
	}
	if status == http.StatusTooManyRequests {
		l.stats.Refused++
		wait, ok := parseRetryAfter(retryAfter, now)
		if !ok {
			wait = time.Second << min(l.strikes, 6)
			l.strikes++
		}
		if until := now.Add(wait + Margin(wait)); until.After(l.until) {
			l.until = until
		}
	} else if status != 0 {
		l.strikes = 0
	}
	close(l.changed)
	l.changed = make(chan struct{})
}

// parseRetryAfter reads a Retry-After value: seconds, or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
		return time.Duration(min(n, 24*3600)) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(0, min(at.Sub(now), 24*time.Hour)), true
	}
	return 0, false
}

// load fills the windows from the log once: what earlier runs sent still
// counts. Called with l.mu held.
func (l *Limiter) load(now time.Time) error {
	if l.loaded || l.log == nil || len(l.windows) == 0 {
		l.loaded = true
		return nil
	}
	longest := time.Duration(0)
	for _, w := range l.windows {
		longest = max(longest, w.span)
	}
	sends, err := l.log.Load(l.account, now.Add(-longest-l.inFlight))
	if err != nil {
		return fmt.Errorf("reading the sends of earlier runs for the rate limits: %w", err)
	}
	l.loaded = true
	for _, w := range l.windows {
		var frees []time.Time
		for _, s := range sends {
			if w.limit.CreatesOnly && !s.Create {
				continue
			}
			answered := s.Done
			if answered.IsZero() {
				answered = s.At.Add(l.inFlight)
				if answered.After(now) {
					answered = now
				}
			}
			if free := answered.Add(w.span); free.After(now) {
				frees = append(frees, free)
			}
		}
		// The latest-freeing N, should a log hold more (a run at another
		// rate_limit_scale).
		slices.SortFunc(frees, func(a, b time.Time) int { return b.Compare(a) })
		for _, f := range frees[:min(len(frees), w.limit.N)] {
			w.slots = append(w.slots, slot{free: f})
		}
	}
	return nil
}

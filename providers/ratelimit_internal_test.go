package providers

import (
	"net/http"
	"testing"
	"time"
)

// coinpay24Limits are CoinPay24's documented limits.
var coinpay24Limits = []Limit{
	{N: 200, Per: time.Minute},
	{N: 1000, Per: time.Hour},
	{N: 1000, Per: time.Hour, CreatesOnly: true},
}

// fakeClock is a settable clock.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time        { return c.t }
func (c *fakeClock) set(t time.Time)       { c.t = t }
func (c *fakeClock) add(d time.Duration)   { c.t = c.t.Add(d) }
func newFakeClock() *fakeClock             { return &fakeClock{t: time.Unix(1767225600, 0)} }
func span(per time.Duration) time.Duration { return per + Margin(per) }

// sendAll admits n requests at the clock's time, answering each at once;
// it fails the test if any must wait.
func sendAll(t *testing.T, l *Limiter, n int, create bool) {
	t.Helper()
	for i := range n {
		tk, wait, err := l.reserve(l.now(), create)
		if err != nil {
			t.Fatal(err)
		}
		if tk == nil {
			t.Fatalf("request %d of %d must wait until %v", i+1, n, wait)
		}
		l.done(tk, http.StatusOK, "")
	}
}

// TestWindowsAllAtOnce: CoinPay24's three limits hold together, and each
// window's whole allowance is used at once: 200 requests leave in the
// first instant, the 201st exactly one minute (plus the margin) after the
// first 200 were answered; after 1,000 invoices in five minutes the
// 1,001st waits for the hour.
func TestWindowsAllAtOnce(t *testing.T) {
	c := newFakeClock()
	l := NewLimiter(LimiterOptions{Limits: coinpay24Limits, Now: c.now})
	start := c.t
	sendAll(t, l, 200, true)
	_, wait, _ := l.reserve(c.t, true)
	if want := start.Add(span(time.Minute)); !wait.Equal(want) {
		t.Fatalf("the 201st waits until +%v, want +%v", wait.Sub(start), want.Sub(start))
	}
	for range 4 {
		c.set(wait)
		sendAll(t, l, 200, true)
		_, wait, _ = l.reserve(c.t, true)
	}
	if want := start.Add(span(time.Hour)); !wait.Equal(want) {
		t.Fatalf("after 1,000 invoices the next waits until +%v, want +%v (the hour)", wait.Sub(start), want.Sub(start))
	}
	// Requests that create nothing are not held by the invoice window,
	// but the hourly request window is just as full.
	if _, w, _ := l.reserve(c.t, false); !w.Equal(wait) {
		t.Errorf("a plain request waits until +%v, want +%v", w.Sub(start), wait.Sub(start))
	}
}

// TestCreatesOnlyCountsCreates: requests that create nothing leave
// invoices-per-hour alone.
func TestCreatesOnlyCountsCreates(t *testing.T) {
	c := newFakeClock()
	l := NewLimiter(LimiterOptions{Limits: []Limit{{N: 100, Per: time.Minute}, {N: 2, Per: time.Hour, CreatesOnly: true}}, Now: c.now})
	sendAll(t, l, 2, true)
	sendAll(t, l, 50, false)
	if tk, _, _ := l.reserve(c.t, true); tk != nil {
		t.Error("a third create in the hour was admitted")
	}
}

// TestSlotHeldUntilAnswered: a request counts from when it leaves until
// a window after its answer, since the gateway may count it at any moment
// in between: a slow answer delays the request that would reuse its
// slot.
func TestSlotHeldUntilAnswered(t *testing.T) {
	c := newFakeClock()
	l := NewLimiter(LimiterOptions{Limits: []Limit{{N: 1, Per: time.Second}}, Now: c.now})
	tk, _, _ := l.reserve(c.t, false)
	c.add(5 * time.Second)
	if next, wait, _ := l.reserve(c.t, false); next != nil || !wait.IsZero() {
		t.Fatalf("while the first is under way the second got %v, wait %v; want to wait for the answer", next, wait)
	}
	answered := c.t
	l.done(tk, http.StatusOK, "")
	if _, wait, _ := l.reserve(c.t, false); !wait.Equal(answered.Add(span(time.Second))) {
		t.Errorf("the second waits until %v, want the answer + a second", wait.Sub(answered))
	}
}

// TestRetryAfterBlocksAccount: a 429 stops every request of the account
// for the Retry-After (an HTTP date too), without one for doubling waits
// from a second.
func TestRetryAfterBlocksAccount(t *testing.T) {
	c := newFakeClock()
	l := NewLimiter(LimiterOptions{Now: c.now})
	tk, _, _ := l.reserve(c.t, false)
	l.done(tk, http.StatusTooManyRequests, "7")
	if _, wait, _ := l.reserve(c.t, false); !wait.Equal(c.t.Add(7*time.Second + Margin(7*time.Second))) {
		t.Errorf("after Retry-After: 7 the next waits %v", wait.Sub(c.t))
	}
	c.add(10 * time.Second)
	tk, _, _ = l.reserve(c.t, false)
	l.done(tk, http.StatusTooManyRequests, c.t.Add(30*time.Second).UTC().Format(http.TimeFormat))
	if _, wait, _ := l.reserve(c.t, false); !wait.Equal(c.t.Add(30*time.Second + Margin(30*time.Second))) {
		t.Errorf("after an HTTP-date Retry-After the next waits %v", wait.Sub(c.t))
	}
	for _, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		c.add(time.Minute)
		tk, _, _ = l.reserve(c.t, false)
		l.done(tk, http.StatusTooManyRequests, "")
		if _, wait, _ := l.reserve(c.t, false); !wait.Equal(c.t.Add(want + Margin(want))) {
			t.Errorf("after a bare 429 the next waits %v, want %v", wait.Sub(c.t), want)
		}
	}
}

// memLog is a SendLog in memory.
type memLog struct{ sends map[string][]Send }

func (m *memLog) Load(account string, since time.Time) ([]Send, error) {
	var out []Send
	for _, s := range m.sends[account] {
		if !s.Done.Before(since) || !s.At.Before(since) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (m *memLog) Record(account string, s Send) error {
	for i, old := range m.sends[account] {
		if old.ID == s.ID {
			m.sends[account][i] = s
			return nil
		}
	}
	m.sends[account] = append(m.sends[account], s)
	return nil
}

// TestRestartKeepsWindows: a limiter started on the log of a run that
// filled the minute (and was killed with 20 requests under way) waits out
// that minute; the requests under way count as answered when the new run
// read the log, or at the timeout if that came first.
func TestRestartKeepsWindows(t *testing.T) {
	c := newFakeClock()
	log := &memLog{sends: map[string][]Send{}}
	opts := LimiterOptions{Account: "acct", Limits: coinpay24Limits, Log: log, InFlight: 30 * time.Second, Now: c.now}
	first := NewLimiter(opts)
	start := c.t
	sendAll(t, first, 180, true)
	for range 20 {
		if tk, _, _ := first.reserve(c.t, true); tk == nil {
			t.Fatal("not admitted")
		}
	}
	// Killed. The next run starts 10 s later, then 40 s later.
	c.add(10 * time.Second)
	second := NewLimiter(opts)
	if tk, wait, _ := second.reserve(c.t, true); tk != nil || !wait.Equal(start.Add(span(time.Minute))) {
		t.Fatalf("10 s after the kill: admitted %v, wait until +%v; want a wait until +%v", tk != nil, wait.Sub(start), span(time.Minute))
	}
	c.set(start.Add(40 * time.Second))
	third := NewLimiter(opts)
	if tk, _, _ := third.reserve(c.t, true); tk != nil {
		t.Fatal("40 s after the kill a request was admitted into a full minute")
	}
	c.set(start.Add(span(time.Minute)))
	sendAll(t, third, 180, true)
	_, wait, _ := third.reserve(c.t, true)
	if want := start.Add(30*time.Second + span(time.Minute)); !wait.Equal(want) {
		t.Errorf("the requests under way at the kill count until +%v, want +%v (sent + timeout + a minute)", wait.Sub(start), want.Sub(start))
	}
	// The hour remembers all 200 (and what the new runs sent).
	c.set(start.Add(2 * time.Hour))
	if fourth := NewLimiter(opts); len(fourth.windows[1].slots) != 0 {
		t.Errorf("two hours later %d sends still count", len(fourth.windows[1].slots))
	}
}

// TestForecast: the estimate says which limit decides.
func TestForecast(t *testing.T) {
	c := newFakeClock()
	l := NewLimiter(LimiterOptions{Name: "CoinPay24", Noun: "invoices", Limits: coinpay24Limits, Now: c.now})
	for _, tc := range []struct {
		requests, creates int
		want              time.Duration
		by                string
	}{
		{200, 200, 0, ""},
		{201, 201, span(time.Minute), "CoinPay24: 200 requests/min"},
		{1000, 500, 4 * span(time.Minute), "CoinPay24: 200 requests/min"},
		{1001, 1001, span(time.Hour), "CoinPay24: 1,000 invoices/h"},
		{1001, 0, span(time.Hour), "CoinPay24: 1,000 requests/h"},
	} {
		d, by, ok := l.Forecast(tc.requests, tc.creates)
		got := ""
		if ok && d > 0 {
			got = l.Describe(by)
		}
		if d != tc.want || got != tc.by {
			t.Errorf("Forecast(%d, %d) = %v by %q, want %v by %q", tc.requests, tc.creates, d, got, tc.want, tc.by)
		}
	}
}

package sandbox

import "time"

// limiter counts requests in fixed windows of per, started by the first
// request after the last window ended. n == 0 lets everything through.
// Guarded by Emulator.mu.
type limiter struct {
	n     int
	per   time.Duration
	start time.Time
	count int
}

// allow counts a request arriving at now and reports whether it is within
// the limit; if not, how long until the window ends.
func (l *limiter) allow(now time.Time) (bool, time.Duration) {
	if l.n == 0 {
		return true, 0
	}
	if l.start.IsZero() || !now.Before(l.start.Add(l.per)) || now.Before(l.start) {
		l.start, l.count = now, 0
	}
	if l.count >= l.n {
		return false, l.start.Add(l.per).Sub(now)
	}
	l.count++
	return true, 0
}

// RateLimitBody is the fault injector's 429 body: the catalogue's
// 4302 LIMIT_ERROR.
func (e *Emulator) RateLimitBody() (string, []byte) {
	body, _ := marshal(errLimit().reply(e.ids.next(e.clock.Now().Unix())).body)
	return "application/json; charset=utf-8", body
}

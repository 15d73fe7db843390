package providers

import (
	"slices"
	"strconv"
	"time"
)

// Forecast says how long from now until the last of requests more
// requests (creates of them being creates) could leave, were every answer
// to come at once, and which limit decides it; ok is false when no limit
// makes them wait. It is for estimates: "limited by CoinPay24: 1,000
// invoices/h".
func (l *Limiter) Forecast(requests, creates int) (wait time.Duration, by Limit, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if l.load(now) != nil {
		return 0, Limit{}, false
	}
	for _, w := range l.windows {
		k := requests
		if w.limit.CreatesOnly {
			k = creates
		}
		if k <= 0 {
			continue
		}
		// On a tie the creates-only limit is named: it says more.
		if d := w.last(now, k); d > wait || d == wait && d > 0 && w.limit.CreatesOnly {
			wait, by, ok = d, w.limit, true
		}
	}
	if blocked := l.until.Sub(now); blocked > wait {
		wait = blocked
	}
	return wait, by, ok
}

// last is how long from now until the last of k more requests could
// leave by this window alone: they take the slots in the order they free,
// N at a time.
func (w *window) last(now time.Time, k int) time.Duration {
	frees := make([]time.Duration, w.limit.N) // from now; 0 for a free slot
	for i, s := range w.slots {
		switch {
		case s.free.IsZero():
			frees[i] = w.span // under way: as if answered now
		case s.free.After(now):
			frees[i] = s.free.Sub(now)
		}
	}
	slices.Sort(frees)
	n := k - 1
	return frees[n%w.limit.N] + time.Duration(n/w.limit.N)*w.span
}

// Describe renders a limit for people: "CoinPay24: 1,000 invoices/h",
// "CoinPay24: 200 requests/min".
func (l *Limiter) Describe(lim Limit) string {
	noun := "requests"
	if lim.CreatesOnly {
		noun = l.noun
	}
	s := grouped(lim.N) + " " + noun + perUnit(lim.Per)
	if l.name != "" {
		s = l.name + ": " + s
	}
	return s
}

func perUnit(d time.Duration) string {
	switch d {
	case time.Second:
		return "/s"
	case time.Minute:
		return "/min"
	case time.Hour:
		return "/h"
	case 24 * time.Hour:
		return "/day"
	}
	return " per " + d.String()
}

// grouped writes n with thousands separators: 1,000.
func grouped(n int) string {
	s := strconv.Itoa(n)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return neg + s
}

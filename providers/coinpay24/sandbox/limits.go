package sandbox

import (
	"fmt"
	"time"
)

// window is an exact sliding-window counter: a ring of the last N
// admitted events' times. An event is admitted when fewer than N fall in
// the last Per, which is O(1) per event. A nil window admits everything.
type window struct {
	n    int
	per  time.Duration
	ring []time.Time // grows to n, then wraps
	next int         // the oldest entry once the ring is full
}

func newWindow(name string, l, def Limit) (*window, error) {
	switch {
	case l == Limit{}:
		l = def
	case l.N < 0:
		return nil, nil
	case l.N == 0 || l.Per <= 0:
		return nil, fmt.Errorf("coinpay24 sandbox: %s %+v: want N > 0 and Per > 0 (or N < 0 for no limit)", name, l)
	}
	return &window{n: l.N, per: l.Per}, nil
}

// wait returns how long until an event at now would be admitted: 0 when
// it would be now.
func (w *window) wait(now time.Time) time.Duration {
	if w == nil || len(w.ring) < w.n {
		return 0
	}
	free := w.ring[w.next].Add(w.per)
	if !now.Before(free) {
		return 0
	}
	return free.Sub(now)
}

// add records an admitted event.
func (w *window) add(now time.Time) {
	if w == nil {
		return
	}
	if len(w.ring) < w.n {
		w.ring = append(w.ring, now)
		return
	}
	w.ring[w.next] = now
	w.next = (w.next + 1) % w.n
}

// admit checks every window and, when all admit, records the event in
// each. It returns the longest wait otherwise. Called with e.mu held.
func admit(now time.Time, ws ...*window) time.Duration {
	var longest time.Duration
	for _, w := range ws {
		longest = max(longest, w.wait(now))
	}
	if longest > 0 {
		return longest
	}
	for _, w := range ws {
		w.add(now)
	}
	return 0
}

// retryAfter renders a wait as Retry-After seconds, rounded up.
func retryAfter(d time.Duration) string {
	return fmt.Sprint(int64((d + time.Second - 1) / time.Second))
}

package sandbox

import (
	"container/heap"
	"slices"
	"time"
)

// A payment link's callback events follow its status, and its status
// follows the clock: the page names the events ("events options:
// cancel,complete") after the redirects, completedUrl "on complete
// payment" and cancelUrl "on cancel payment or error". So complete fires
// when a payment reaches its final status (completed, overPaid,
// paidLate), not while it waits for confirmations; cancel when the link
// expires unpaid (invalid) or the payment falls short (underPaid, an
// error of payment). Each invoice with a callbackUrl is queued at the
// moments its status can change by itself (expiredAt; a payment's time
// plus ConfirmAfter), and the emulator sends what is due when it next
// handles anything after that time (sweep), or when a timer set for the
// first one fires. A sent event is journalled, so that a restart neither
// repeats nor forgets it.

type dueItem struct {
	at  time.Time
	inv *invoice
}

// dueQueue is a min-heap by time.
type dueQueue []dueItem

func (q dueQueue) Len() int           { return len(q) }
func (q dueQueue) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q dueQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *dueQueue) Push(x any)        { *q = append(*q, x.(dueItem)) }
func (q *dueQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

// queue adds a moment inv's status may change by itself, if it has a
// callbackUrl. Called with e.mu held (or during replay).
func (e *Emulator) queue(inv *invoice, at time.Time) {
	if inv.callbackURL != "" {
		heap.Push(&e.due, dueItem{at, inv})
	}
}

// sweep sends the events due by now: for each queued moment, the event
// of the status the invoice had at that moment, unless sent already or
// the status was forced. Called with e.mu held.
func (e *Emulator) sweep(now time.Time) {
	for e.due.Len() > 0 && !now.Before(e.due[0].at) {
		it := heap.Pop(&e.due).(dueItem)
		inv := it.inv
		if inv.forced != "" {
			continue
		}
		status := e.status(inv, it.at)
		ev := eventFor(status)
		if ev == "" || slices.Contains(inv.notified, status) {
			continue
		}
		if err := e.commit(record{Op: opNotified, ID: inv.id, Status: status}); err != nil {
			heap.Push(&e.due, it) // try again later
			return
		}
		e.notify(inv, ev)
	}
}

// arm sets the timer for the first moment still queued. Called with e.mu
// held.
func (e *Emulator) arm() {
	if e.closed {
		return
	}
	if e.due.Len() == 0 {
		if e.timer != nil {
			e.timer.Stop()
		}
		e.armedFor = time.Time{}
		return
	}
	at := e.due[0].at
	if e.timer != nil && at.Equal(e.armedFor) {
		return
	}
	d := at.Sub(e.clock.Now())
	if d <= 0 {
		d = time.Second // due, not sent: just started, or the journal refused
	}
	e.armedFor = at
	if e.timer == nil {
		e.timer = time.AfterFunc(d, e.wake)
		return
	}
	e.timer.Reset(d)
}

// wake is the timer's: it sends what is due and sets the timer again.
func (e *Emulator) wake() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return
	}
	e.armedFor = time.Time{}
	e.sweep(e.clock.Now())
	e.arm()
}

// tick brings the callbacks up to now; every API request and admin call
// starts with it.
func (e *Emulator) tick(now time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sweep(now)
	e.arm()
}

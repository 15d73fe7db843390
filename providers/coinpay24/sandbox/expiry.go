package sandbox

import (
	"container/heap"
	"time"
)

// Statuses follow from timestamps, but an expiry is a status change, and
// CoinPay24 sends a callback for it: "expired" for an unpaid invoice,
// "invalid" for one that received a short payment. The emulator keeps the
// invoices that have a callback_url in a queue by expiry time and sends
// those callbacks when it next handles anything after that time (sweep),
// or when a timer set for the first expiry fires. The callback's sending
// is journalled, so that a restart neither repeats nor forgets it.

type expiryItem struct {
	due time.Time
	inv *invoice
}

// expiryQueue is a min-heap by due time.
type expiryQueue []expiryItem

func (q expiryQueue) Len() int           { return len(q) }
func (q expiryQueue) Less(i, j int) bool { return q[i].due.Before(q[j].due) }
func (q expiryQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *expiryQueue) Push(x any)        { *q = append(*q, x.(expiryItem)) }
func (q *expiryQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

func (q *expiryQueue) push(inv *invoice) { heap.Push(q, expiryItem{inv.expiresAt, inv}) }

// sweep sends the expiry callbacks due by now. An invoice paid in full or
// set to another status before its expiry is dropped from the queue.
// Called with e.mu held.
func (e *Emulator) sweep(now time.Time) {
	for e.expiring.Len() > 0 && !now.Before(e.expiring[0].due) {
		it := heap.Pop(&e.expiring).(expiryItem)
		inv := it.inv
		status := inv.status(now)
		if status != expiryStatus(inv) || inv.notified == status {
			continue
		}
		if err := e.commit(record{Op: opNotified, ID: inv.id, Status: status}); err != nil {
			heap.Push(&e.expiring, it) // try again later
			return
		}
		e.notify(inv, now)
	}
}

// expiryStatus is the status an invoice takes at its expiry: invalid
// after a short payment, else expired.
func expiryStatus(inv *invoice) string {
	if inv.short() {
		return StatusInvalid
	}
	return StatusExpired
}

// awaitsExpiry reports whether inv's expiry callback is still to be sent.
func awaitsExpiry(inv *invoice) bool {
	return inv.callbackURL != "" && inv.forced == "" && inv.notified != expiryStatus(inv) &&
		(inv.paidAt.IsZero() || inv.short())
}

// expireNow sends the "expired" callback of an invoice a late payment
// finds unexpired, before its "paid" one. Called with e.mu held.
func (e *Emulator) expireNow(inv *invoice, now time.Time) error {
	if inv.callbackURL == "" || inv.notified == StatusExpired {
		return nil
	}
	if err := e.commit(record{Op: opNotified, ID: inv.id, Status: StatusExpired}); err != nil {
		return err
	}
	unpaid := *inv // as it was at its expiry
	unpaid.paidAt, unpaid.expiresAt = time.Time{}, now
	e.notify(&unpaid, now)
	return nil
}

// arm sets the timer for the first expiry still queued. Called with e.mu
// held.
func (e *Emulator) arm() {
	if e.closed {
		return
	}
	if e.expiring.Len() == 0 {
		if e.timer != nil {
			e.timer.Stop()
		}
		e.armedFor = time.Time{}
		return
	}
	due := e.expiring[0].due
	if e.timer != nil && due.Equal(e.armedFor) {
		return
	}
	d := due.Sub(e.clock.Now())
	if d <= 0 {
		d = time.Second // due, not sent: just started, or the journal refused
	}
	e.armedFor = due
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

package sandbox

import (
	"container/heap"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers/emulator"
)

// Withdrawal callbacks. WllxPay sends "a callback when transaction status
// is updated" for withdrawals as for deposits: the same flat object of
// strings, with type "withdrawal" and the merchant's foreign_id, signed
// the same way and retried on the same schedule until answered 200.
//
// A withdrawal's status moves from processing to confirmed with time (a
// timestamp comparison, no background work) or to any status through
// ForceStatus. A forced change sends its callback at once. A change the
// clock makes is sent when the emulator next handles anything after it
// (sweep), or when a timer set for the first such change fires; its
// sending is journalled, so that a restart neither repeats nor forgets it.

// withdrawalErrorText is the callback's "error" for a withdrawal forced
// to error (the vendor documents the field, not its texts).
const withdrawalErrorText = "The withdrawal could not be sent to the network."

// Callback is one callback the emulator sent (its delivery attempts are
// in CallbackDeliveries).
type Callback struct {
	Type      string            `json:"type"` // "deposit" | "withdrawal"
	ID        string            `json:"id"`
	ForeignID string            `json:"foreign_id,omitempty"`
	Status    string            `json:"status"`
	URL       string            `json:"url"`
	At        time.Time         `json:"at"`
	Fields    map[string]string `json:"fields"`
}

// maxCallbacks bounds the log of sent callbacks.
const maxCallbacks = 10_000

// Callbacks returns the callbacks sent so far, oldest first.
func (e *Emulator) Callbacks() []Callback {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Callback(nil), e.sent...)
}

// withdrawalFields is the v1 withdrawal callback for w at status: a flat
// object of strings, like the deposit callback, with foreign_id.
func withdrawalFields(w *withdrawal, status string) map[string]string {
	cur, _ := money.Lookup(w.currency)
	f := map[string]string{
		"id":            strconv.FormatInt(w.id, 10),
		"foreign_id":    w.foreignID,
		"txid":          "",
		"currency":      w.currency,
		"currency_fee":  feeCurrency(w.currency),
		"confirmations": "0",
		"amount":        w.amount.String(),
		"fee":           decimal.Zero.StringFixed(cur.Precision),
		"address":       w.address,
		"type":          kindWithdrawal,
		"status":        status,
		"error":         "",
	}
	if w.tag != "" {
		f["tag"] = w.tag
	}
	switch status {
	case StatusConfirmed, StatusCancelled: // broadcast: there is a transaction
		sum := sha256.Sum256([]byte(fmt.Sprintf("wllxpay-withdrawal|%d|%s", w.id, w.foreignID)))
		f["txid"] = hex.EncodeToString(sum[:])
		f["confirmations"] = "1"
	case StatusError:
		f["error"] = withdrawalErrorText
	}
	return f
}

// sendCallback signs fields and queues them to the callback URL, if one
// is set, logging what was sent. Called with e.mu held.
func (e *Emulator) sendCallback(fields map[string]string, at time.Time) {
	if e.callbackURL == "" {
		return
	}
	body, _ := json.Marshal(fields) // keys sorted: one byte string to sign and send
	if len(e.sent) == maxCallbacks {
		e.sent = e.sent[1:]
	}
	e.sent = append(e.sent, Callback{Type: fields["type"], ID: fields["id"], ForeignID: fields["foreign_id"],
		Status: fields["status"], URL: e.callbackURL, At: at, Fields: fields})
	e.notifier.Send(emulator.Callback{URL: e.callbackURL, Body: body, Header: http.Header{
		"Content-Type":           {"application/json"},
		"X-Processing-Key":       {e.key},
		"X-Processing-Signature": {signBody(e.secret, body)},
	}})
}

// confirmItem is a withdrawal due to be confirmed by the clock.
type confirmItem struct {
	due time.Time
	w   *withdrawal
}

// confirmQueue is a min-heap by due time, then withdrawal id.
type confirmQueue []confirmItem

func (q confirmQueue) Len() int { return len(q) }
func (q confirmQueue) Less(i, j int) bool {
	if !q[i].due.Equal(q[j].due) {
		return q[i].due.Before(q[j].due)
	}
	return q[i].w.id < q[j].w.id
}
func (q confirmQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *confirmQueue) Push(x any)   { *q = append(*q, x.(confirmItem)) }
func (q *confirmQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

// tick sends the callbacks the clock made due and sets the timer for the
// next one. Every entry point calls it first.
func (e *Emulator) tick() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sweep(e.clock.Now())
	e.arm()
}

// sweep sends the "confirmed" callbacks of the withdrawals the clock
// confirmed by now. A withdrawal whose status was forced before is
// dropped: its callback went with the forcing. Called with e.mu held.
func (e *Emulator) sweep(now time.Time) {
	for e.confirming.Len() > 0 && !now.Before(e.confirming[0].due) {
		it := heap.Pop(&e.confirming).(confirmItem)
		w := it.w
		if w.forced != "" || w.notified {
			continue
		}
		if err := e.commit(record{Op: opNotified, ForeignID: w.foreignID, Status: StatusConfirmed}); err != nil {
			heap.Push(&e.confirming, it) // try again at the next request
			return
		}
		e.sendCallback(withdrawalFields(w, StatusConfirmed), it.due)
	}
}

// arm sets the timer for the first confirmation still queued. Called with
// e.mu held.
func (e *Emulator) arm() {
	if e.closed || e.confirming.Len() == 0 {
		if e.timer != nil {
			e.timer.Stop()
		}
		e.armedFor = time.Time{}
		return
	}
	due := e.confirming[0].due
	if e.timer != nil && due.Equal(e.armedFor) {
		return
	}
	d := due.Sub(e.clock.Now())
	if d <= 0 {
		d = time.Second // due, not sent: the journal refused; try again soon
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

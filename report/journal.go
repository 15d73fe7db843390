package report

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/state"
)

// journal collects, in one walk of the journal, each address's entries
// (its thread, which follows the record through moves and restores), the
// plans applied and the head.
type journal struct {
	threads  map[string]*thread // by current address
	order    []*thread          // in order of first entry
	applies  []*state.Entry
	headSeq  uint64
	headHash string
}

// thread is the history of one address: every entry about it, each with
// the merchant key it names. Resources at one address with different
// keys (a block re-declared under a new key) share a thread; eventsFor
// tells them apart.
type thread struct {
	events []keyedEvent
	keys   []string // distinct keys, in order of first entry
	// object is the last declared object per key (intent or adopt), for
	// attempts the state no longer holds.
	object map[string]*state.Entry
}

type keyedEvent struct {
	key string
	Event
}

func (j *journal) add(e *state.Entry) error {
	j.headSeq, j.headHash = e.Seq, e.Hash
	if e.Op == state.OpApply {
		j.applies = append(j.applies, e)
		return nil
	}
	if e.Address == "" {
		return nil
	}
	if e.Op == state.OpMove || (e.Op == state.OpRestore && e.From != "" && e.From != e.Address) {
		if t := j.threads[e.From]; t != nil {
			delete(j.threads, e.From)
			j.threads[e.Address] = t
		}
	}
	t := j.threads[e.Address]
	if t == nil {
		t = &thread{object: map[string]*state.Entry{}}
		j.threads[e.Address] = t
		j.order = append(j.order, t)
	}
	ev := Event{Seq: e.Seq, At: e.At, Actor: e.Actor, Op: string(e.Op), PlanID: e.PlanID, From: e.From}
	if r := e.Result; r != nil {
		ev.Outcome, ev.Status, ev.RawStatus = string(r.Outcome), r.Status, r.RawStatus
		ev.Text = join(r.Error, r.Note)
	}
	if _, seen := t.object[e.Key]; !seen {
		t.keys = append(t.keys, e.Key)
		t.object[e.Key] = nil
	}
	if e.Object != nil {
		t.object[e.Key] = e
	}
	t.events = append(t.events, keyedEvent{e.Key, ev})
	return nil
}

// eventsFor returns the thread's events about key (and those naming no
// key), oldest first. A nil thread has none.
func (t *thread) eventsFor(key string) []Event {
	if t == nil {
		return nil
	}
	var out []Event
	for _, ke := range t.events {
		if ke.key == key || ke.key == "" {
			out = append(out, ke.Event)
		}
	}
	return out
}

// refusedItem is the ledger item of an attempt the state no longer holds
// because the gateway refused it (or an operator settled that nothing was
// made): its key's last settling says so. Anything else the state does
// not hold (a forgotten record's old key, say) is not a ledger item.
func refusedItem(t *thread, key string) *Item {
	history := t.eventsFor(key)
	decl := t.object[key]
	if decl == nil || len(history) == 0 {
		return nil
	}
	var last Event
	for _, e := range history {
		if e.Outcome != "" {
			last = e
		}
	}
	if last.Outcome != string(state.OutcomeRejected) && last.Outcome != string(state.OutcomeNotCreated) {
		return nil
	}
	it := &Item{
		Address: decl.Address, Provider: decl.Provider, Key: key, Status: last.Outcome,
		Category: CategoryRefused, Reason: last.Text, Actor: history[0].Actor, At: history[0].At,
		PlanID: history[0].PlanID, History: history,
	}
	if o := decl.Object; o != nil {
		it.Kind, it.Gateway, it.Amount, it.Currency = o.Kind, o.Gateway, o.Amount, o.Currency
		it.Destination, it.Tag = o.Attrs["address"], o.Attrs["tag"]
		it.amount, _ = decimal.NewFromString(o.Amount)
	}
	return it
}

// plans lists the apply entries in p, with how many ledger items each
// plan touched.
func (j *journal) plans(p Period, ledger []*Item) []PlanRow {
	touched := map[string]int{}
	for _, it := range ledger {
		seen := map[string]bool{}
		for _, e := range it.History {
			if e.PlanID != "" && !seen[e.PlanID] {
				seen[e.PlanID] = true
				touched[e.PlanID]++
			}
		}
	}
	var out []PlanRow
	for _, e := range j.applies {
		if p.Contains(e.At) {
			row := PlanRow{ID: e.PlanID, Actor: e.Actor, At: e.At, Items: touched[e.PlanID]}
			for _, a := range e.Approvals {
				row.Approvals = append(row.Approvals, Approval{Policy: a.Policy, Principal: a.Principal, Fingerprint: a.Fingerprint})
			}
			out = append(out, row)
		}
	}
	return out
}

// day is t's UTC calendar day.
func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

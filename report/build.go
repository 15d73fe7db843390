package report

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/state"
)

// Input is what a report is built from: the loaded state, its journal
// and the journal check's verdict.
type Input struct {
	State *state.State
	// Entries walks the journal from its first entry (a Backend's
	// Entries); nil means no journal.
	Entries func(fn func(*state.Entry) error) error
	// Verified and VerifyErr are state.Verify's result (Verified may be
	// nil or partial when VerifyErr is set).
	Verified  *state.Report
	VerifyErr error
	Source    string // the storage's name (Backend.Describe)
}

// Options choose what a report covers and how its journal is checked.
type Options struct {
	Period Period
	// Now is when the report is made; time.Now when zero.
	Now time.Time
	// AuditKey and Anchors go to state.Verify, as audit verify's
	// PAYFORM_AUDIT_KEY and --head do.
	AuditKey state.Key
	Anchors  []state.Head
}

// FromBackend loads the state from b, checks the journal with
// state.Verify (what audit verify does), and builds the report. A failed
// check does not stop the report: it says so (Check.OK false); only a
// state that cannot be loaded at all is an error.
func FromBackend(ctx context.Context, b state.Backend, opts Options) (*Model, error) {
	st, _, err := b.Load(ctx)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return nil, errors.New("no state: nothing was ever applied here")
	}
	rep, verr := state.Verify(ctx, b, opts.AuditKey, opts.Anchors)
	entries := func(fn func(*state.Entry) error) error { return b.Entries(ctx, fn) }
	return Build(Input{State: st, Entries: entries, Verified: rep, VerifyErr: verr, Source: b.Describe()}, opts)
}

// Build computes the report's model. It reads the journal once.
func Build(in Input, opts Options) (*Model, error) {
	if in.State == nil {
		return nil, errors.New("report: no state")
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	m := &Model{
		Source: in.Source, Lineage: in.State.Lineage, Serial: in.State.Serial,
		Generated: now.UTC(), Period: opts.Period,
		Check: Check{OK: in.VerifyErr == nil && in.Verified != nil, StateSeq: in.State.JournalSeq, StateHash: in.State.JournalHash},
	}
	if r := in.Verified; r != nil {
		m.Check.Entries, m.Check.Snapshot = r.Entries, r.Snapshot
		m.Check.Sealed, m.Check.Unsealed, m.Check.SnapshotSealed, m.Check.KeyChecked = r.Sealed, r.Unsealed, r.SnapshotSealed, r.KeyChecked
		m.Check.Anchors = r.Anchors
	}
	switch {
	case in.VerifyErr != nil:
		m.Check.Error = in.VerifyErr.Error()
	case in.Verified == nil:
		m.Check.Error = "the journal was not checked"
	}
	j := &journal{threads: map[string]*thread{}}
	if in.Entries != nil {
		if err := in.Entries(j.add); err != nil && m.Check.OK {
			// Verify passed but the walk did not: say so rather than
			// show a partial history as whole.
			m.Check.OK, m.Check.Error = false, err.Error()
		}
	}
	m.Check.HeadSeq, m.Check.HeadHash = j.headSeq, j.headHash

	var items []*Item
	claimed := map[*thread]map[string]bool{} // keys of threads that resources hold
	addResource := func(r *state.Resource, forgotten bool) {
		t := j.threads[r.Address]
		it := fromResource(r, forgotten, t.eventsFor(r.Key))
		if t != nil {
			if claimed[t] == nil {
				claimed[t] = map[string]bool{}
			}
			claimed[t][r.Key] = true
		}
		items = append(items, it)
	}
	for _, r := range in.State.List() {
		addResource(r, false)
	}
	for _, r := range in.State.ForgottenList() {
		addResource(r, true)
	}
	for _, t := range j.order {
		for _, key := range t.keys {
			if claimed[t][key] {
				continue
			}
			if it := refusedItem(t, key); it != nil {
				items = append(items, it)
			}
		}
	}

	for _, it := range items {
		if m.Period.Contains(it.At) || it.activeIn(m.Period) {
			m.Ledger = append(m.Ledger, it)
		}
	}
	sort.SliceStable(m.Ledger, func(i, k int) bool {
		a, b := m.Ledger[i], m.Ledger[k]
		if !a.At.Equal(b.At) {
			return a.At.Before(b.At)
		}
		return a.Address < b.Address
	})
	for _, it := range m.Ledger {
		if it.Category != "" {
			m.Attention = append(m.Attention, it)
		}
	}
	sort.SliceStable(m.Attention, func(i, k int) bool {
		return categoryOrder[m.Attention[i].Category] < categoryOrder[m.Attention[k].Category]
	})
	m.Plans = j.plans(m.Period, m.Ledger)
	m.Currencies = currencyTotals(m.Ledger, m.Period)
	m.Statuses = statusRows(m.Ledger)
	m.Providers = providerRows(m.Ledger, m.Period)
	return m, nil
}

// fromResource is the ledger item of a state record.
func fromResource(r *state.Resource, forgotten bool, history []Event) *Item {
	it := &Item{
		Address: r.Address, Kind: r.Kind, Provider: r.Provider, Gateway: r.Gateway, Key: r.Key, ID: r.ID,
		Amount: r.Amount, Currency: r.Currency, Status: r.Status, RawStatus: r.RawStatus,
		Forgotten: forgotten, At: r.CreatedAt, PlanID: r.PlanID, History: history,
	}
	it.amount, _ = decimal.NewFromString(r.Amount) // "" (no amount) is zero
	switch providers.Kind(r.Kind) {
	case providers.Payout:
		it.Destination, it.Tag = r.Attrs["address"], r.Attrs["tag"]
	case providers.DepositAddress:
		it.Destination, it.Tag = r.Remote["address"], r.Remote["tag"]
	case providers.Invoice:
		it.Destination = r.Remote["payment_url"]
	}
	if len(history) > 0 {
		it.Actor = history[0].Actor
	}
	inDoubt := r.InDoubt() || r.Status == string(providers.StatusUnknown)
	it.Category = category(r.Kind, r.Status, inDoubt)
	switch {
	case inDoubt && r.Pending != nil:
		it.Reason = r.Pending.Reason
		if r.Pending.Manual {
			it.Reason = join(it.Reason, "waiting for `payform state resolve`")
		}
	case it.Category != "":
		it.Reason = lastText(history)
		if it.Reason == "" {
			it.Reason = statusNews(r, history)
		}
	}
	if it.Reason == "" {
		it.Reason = r.Note
	}
	return it
}

// category is the attention category of a kind's status, "" for none.
func category(kind, status string, inDoubt bool) string {
	if inDoubt {
		return CategoryInDoubt
	}
	switch providers.Status(status) {
	case providers.StatusFailed, providers.StatusInvalid:
		return CategoryFailed
	case providers.StatusCancelled:
		return CategoryCancelled
	case providers.StatusUnderpaid:
		return CategoryUnderpaid
	}
	return ""
}

// activeIn reports whether any of the item's journal entries fall in p.
func (it *Item) activeIn(p Period) bool {
	for _, e := range it.History {
		if p.Contains(e.At) {
			return true
		}
	}
	return false
}

// madeAt is when the gateway object became known to exist: the outcome
// or adoption that recorded it, else when the item was first recorded.
func (it *Item) madeAt() time.Time {
	for _, e := range it.History {
		switch {
		case e.Op == string(state.OpAdopt),
			e.Outcome == string(state.OutcomeCreated), e.Outcome == string(state.OutcomeAdopted):
			return e.At
		}
	}
	return it.At
}

// reachedAt is when the item was first seen in one of the statuses, and
// whether it ever was (the current status counts, at its last change).
func (it *Item) reachedAt(statuses ...providers.Status) (time.Time, bool) {
	in := func(s string) bool {
		for _, w := range statuses {
			if s == string(w) {
				return true
			}
		}
		return false
	}
	for _, e := range it.History {
		if in(e.Status) {
			return e.At, true
		}
	}
	if in(it.Status) {
		if n := len(it.History); n > 0 {
			return it.History[n-1].At, true
		}
		return it.At, true
	}
	return time.Time{}, false
}

// statusNews says where the item's status came from: "the gateway
// reported error on 2026-11-03 09:00:00Z".
func statusNews(r *state.Resource, history []Event) string {
	raw := r.RawStatus
	if raw == "" {
		raw = r.Status
	}
	for i := len(history) - 1; i >= 0; i-- {
		if e := history[i]; e.Status == r.Status {
			if i > 0 && history[i-1].Status == r.Status {
				continue
			}
			return fmt.Sprintf("the gateway reported %q on %s", raw, Timestamp(e.At))
		}
	}
	return fmt.Sprintf("the gateway reports %q", raw)
}

func lastText(history []Event) string {
	for i := len(history) - 1; i >= 0; i-- {
		if history[i].Text != "" {
			return history[i].Text
		}
	}
	return ""
}

func join(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

package executor

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/inbox"
	"github.com/payform/payform/inbox/verifier"
	"github.com/payform/payform/internal/shell"
	"github.com/payform/payform/planner"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// Folded is what taking the inbox into the state did.
type Folded struct {
	// Items counts the inbox items read; Through is the last one's seq.
	Items   int
	Through uint64
	// Recorded are the statuses journaled on settled records, in the
	// inbox's order.
	Recorded []StatusChange
	// Settled are the items in doubt a callback settled (adopted) or
	// left for an operator (unknown: the gateway holds an object under
	// the key that differs from what was sent).
	Settled []StatusChange
	// Repeated counts callbacks that told nothing new; Late those with a
	// status older than the final one recorded (a retry that arrived
	// after a later callback).
	Repeated, Late int
	// Deposits counts callbacks about nothing payform makes (a deposit to
	// a pool's address): kept in the inbox, for the merchant's systems.
	Deposits int
	// Apart lists what was not taken in and why: not verified, a record
	// payform does not have (a stranger), a forgotten record, another
	// object under a record's key, an object that differs from its
	// record, a final status that contradicts the recorded one, evidence
	// for an item in doubt that cannot settle it alone.
	Apart []Apart
}

// StatusChange is one status a callback told, as journaled.
type StatusChange struct {
	Address  string
	Provider string
	Kind     providers.Kind
	Key      string
	ID       string
	Amount   decimal.Decimal
	Currency string
	Before   string // the record's status before
	After    string
	RawAfter string
	// Outcome is refreshed (a status), adopted (a doubt settled) or
	// unknown (a doubt left for an operator).
	Outcome    state.Outcome
	Via        string
	Inbox      uint64
	ReceivedAt time.Time
	Note       string
}

// Apart is one inbox item not taken in.
type Apart struct {
	Inbox    uint64
	Gateway  string
	Provider string
	What     string // the item, described (inbox.Item.Describe)
	// Address is the record it concerns, "" when none.
	Address string
	Why     string
	// Attention marks what a person must look at: an object that differs
	// from its record, a contradicting final status, another object under
	// a record's key, evidence for an item in doubt.
	Attention bool
	// Verified is false for an item that was not verified at all.
	Verified bool
}

// Fold takes into the state every callback the inbox received since the
// state last took it in, in the order received, as journaled callback
// entries (state/replay.go's table says what replay holds them to), and
// then records how far it got in the inbox. A verified callback about a
// record payform manages:
//
//   - on a settled record, records its status when it tells something
//     new, unless that status is older than a final one recorded (a late
//     retry: not taken in) or a final status that contradicts a final
//     one recorded (kept apart: a person must look);
//   - on a record in doubt (its create's outcome unknown), settles the
//     doubt when the callback proves the object the create was for: the
//     merchant key, the amount, the currency and, for a payout, the
//     destination address and tag (planner.Mismatch, tag required where
//     the gateway echoes tags), all from what the gateway signed or
//     answered. A WllxPay withdrawal callback carrying the foreign_id of
//     a payout whose create was ambiguous proves the withdrawal exists,
//     signed with the account's secret, and WllxPay refuses a second
//     withdrawal under one foreign_id: it is the payout, adopted with its
//     id and status. An object under the key that differs is not the
//     payout sent: the item is left unknown for an operator, and no
//     resend may adopt it on "already taken". A callback that cannot
//     prove the amount (a Coinilla return, a MiraclePay redirect) is
//     evidence only: kept apart, with the `payform state resolve` that
//     would settle the item.
//
// Anything else is kept apart (Folded.Apart): what was not verified, a
// callback for an object payform does not manage or no longer manages,
// another object under a record's key, an object that differs from its
// record. Nothing is ever taken in twice: a repeated callback finds the
// record already at its status, and folding the same items again (after
// a crash before the inbox recorded how far it got) changes nothing.
func Fold(ctx context.Context, store *state.Store, box inbox.Store, cfg *schema.Config) (*Folded, error) {
	after, err := box.Folded(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading how far the state took %s in: %w", box.Describe(), err)
	}
	f := &folder{store: store, cfg: cfg, res: &Folded{Through: after}, blocks: map[string][]*schema.Provider{}, notes: map[uint64]string{}}
	for _, p := range cfg.Providers {
		f.blocks[p.Account()] = append(f.blocks[p.Account()], p)
	}
	wrote := false
	err = box.Items(ctx, after, func(it *inbox.Item) error {
		f.res.Items++
		f.res.Through = it.Seq
		e, err := f.take(it)
		if err != nil || e == nil {
			return err
		}
		wrote = true
		return store.Record(e, false)
	})
	if err != nil {
		return f.res, err
	}
	if wrote {
		if err := store.Sync(); err != nil {
			return f.res, err
		}
	}
	if f.res.Through != after {
		if err := box.SetFolded(ctx, f.res.Through, f.notes); err != nil {
			return f.res, fmt.Errorf("recording how far the state took %s in: %w (the callbacks are journaled; folding them again changes nothing)", box.Describe(), err)
		}
	}
	return f.res, nil
}

type folder struct {
	store     *state.Store
	cfg       *schema.Config
	res       *Folded
	blocks    map[string][]*schema.Provider // by account
	byKey     map[recKey]string             // managed records' addresses
	forgotten map[recKey]*state.Resource
	// notes say what each verified item that led to no entry did.
	notes map[uint64]string
}

// take decides what an item does, returning the entry to journal (nil:
// nothing).
func (f *folder) take(it *inbox.Item) (*state.Entry, error) {
	apart := func(addr, why string, attention bool) (*state.Entry, error) {
		f.res.Apart = append(f.res.Apart, Apart{Inbox: it.Seq, Gateway: it.Gateway, Provider: it.Provider, What: it.Describe(),
			Address: addr, Why: why, Attention: attention, Verified: it.Verdict == inbox.Accepted})
		if it.Verdict == inbox.Accepted {
			f.notes[it.Seq] = "kept apart: " + why
		}
		return nil, nil
	}
	switch {
	case it.Verdict != inbox.Accepted:
		return apart("", firstNonEmpty(it.Reason, string(it.Verdict)), false)
	case it.Callback == nil || it.Callback.Object == nil:
		f.res.Deposits++
		f.notes[it.Seq] = "about nothing payform makes (a deposit): kept in the inbox for the merchant's systems"
		return nil, nil
	}
	o := verifier.Object(it.Callback.Object)
	blocks := f.blocks[it.Account]
	if len(blocks) == 0 {
		return apart("", fmt.Sprintf("verified by provider %s, whose account no provider block of the configuration names now", it.Provider), false)
	}
	rec, forgotten := f.match(blocks, o)
	switch {
	case rec == nil && forgotten != nil:
		return apart(forgotten.Address, "for a record no longer managed (forgotten "+forgotten.ForgottenAt.UTC().Format(time.RFC3339)+"): not taken in", false)
	case rec == nil:
		return apart("", fmt.Sprintf("no record in the state has %s: an object payform did not make, or a record lost (payform reconcile compares the gateway with the state)", identity(o)), false)
	}
	ks, _ := f.gateway(rec.Provider).Supports(o.Kind)
	diff := planner.Mismatch(recordChange(rec), o, ks.EchoesTag)
	if rec.InDoubt() {
		return f.inDoubt(it, rec, o, ks, diff)
	}
	if rec.ID != "" && o.ID != "" && rec.ID != o.ID {
		return apart(rec.Address, fmt.Sprintf("another object under its key: id %s, the record is %s (cancel it at the gateway if it must not be paid)", o.ID, rec.ID), true)
	}
	if diff != "" {
		return apart(rec.Address, "the gateway's object differs from the record: "+diff, true)
	}
	before, now := providers.Status(rec.Status), o.Status
	switch {
	case string(now) == rec.Status && o.RawStatus == rec.RawStatus:
		f.res.Repeated++
		f.notes[it.Seq] = "told nothing new: " + rec.Address + " was " + rec.Status + " already"
		return nil, nil
	case before.Final() && !now.Final():
		f.res.Late++
		f.notes[it.Seq] = fmt.Sprintf("not taken in: %s is older than %s's final %s (a late retry)", now, rec.Address, rec.Status)
		return nil, nil
	case before.Final() && now.Final() && before != now:
		return apart(rec.Address, fmt.Sprintf("it says %s, but the record is %s, final: one of them is wrong; check the gateway", withRaw(string(now), o.RawStatus), withRaw(rec.Status, rec.RawStatus)), true)
	}
	ch := f.change(it, rec, o, state.OutcomeRefreshed, "")
	f.res.Recorded = append(f.res.Recorded, ch)
	return f.entry(it, rec, o, state.OutcomeRefreshed, "", ""), nil
}

// inDoubt decides a callback about a record whose create's outcome is
// unknown.
func (f *folder) inDoubt(it *inbox.Item, rec *state.Resource, o providers.Object, ks providers.KindSupport, diff string) (*state.Entry, error) {
	what := fmt.Sprintf("a %s callback (%s, verified by %s)", f.gateway(rec.Provider).Title, identity(o), it.Via)
	if rec.ID != "" && o.ID != "" && rec.ID != o.ID {
		why := fmt.Sprintf("%s is about another object under its key than the one recorded (%s): not taken in", what, rec.ID)
		f.res.Apart = append(f.res.Apart, Apart{Inbox: it.Seq, Gateway: it.Gateway, Provider: it.Provider, What: it.Describe(), Address: rec.Address, Verified: true, Attention: true, Why: why})
		f.notes[it.Seq] = "kept apart: " + why
		return nil, nil
	}
	if diff != "" {
		why := fmt.Sprintf("%s shows an object under its key that is not what was sent: %s", what, diff)
		f.res.Settled = append(f.res.Settled, f.change(it, rec, o, state.OutcomeUnknown, why))
		return f.entry(it, rec, o, state.OutcomeUnknown, "", why), nil
	}
	var unproven []string
	if o.Key == "" || ks.Unread.Has(providers.UnreadKey) {
		unproven = append(unproven, "the key")
	}
	if o.Amount.IsZero() || ks.Unread.Has(providers.UnreadAmount) {
		unproven = append(unproven, "the amount")
	}
	if rec.Kind == string(providers.Payout) && o.Address == "" {
		unproven = append(unproven, "the destination")
	}
	if o.ID == "" {
		unproven = append(unproven, "the gateway's id")
	}
	if len(unproven) > 0 {
		why := fmt.Sprintf("%s is evidence for this item in doubt, but does not prove %s: if it is the object, settle it with payform state resolve %s --id %s", what, joinAnd(unproven), shell.Quote(rec.Address), shell.Quote(firstNonEmpty(o.ID, "ID")))
		f.res.Apart = append(f.res.Apart, Apart{Inbox: it.Seq, Gateway: it.Gateway, Provider: it.Provider, What: it.Describe(), Address: rec.Address, Verified: true, Attention: true, Why: why})
		f.notes[it.Seq] = "kept apart: " + why
		return nil, nil
	}
	note := fmt.Sprintf("settled by %s received %s: the gateway holds the key with the declared amount", what, it.ReceivedAt.UTC().Format(time.RFC3339))
	if rec.Kind == string(providers.Payout) {
		note += ", address and tag"
	}
	f.res.Settled = append(f.res.Settled, f.change(it, rec, o, state.OutcomeAdopted, note))
	return f.entry(it, rec, o, state.OutcomeAdopted, note, ""), nil
}

func (f *folder) entry(it *inbox.Item, rec *state.Resource, o providers.Object, outcome state.Outcome, note, why string) *state.Entry {
	res := &state.Result{Outcome: outcome, ID: o.ID, Status: string(o.Status), RawStatus: o.RawStatus, Remote: o.Fields, Note: note, Error: why}
	if outcome == state.OutcomeUnknown {
		// Not the record's object: its id is not the record's, and the
		// record's status is unknown (the object's word stays as raw).
		res.ID, res.Status = "", string(providers.StatusUnknown)
	}
	return &state.Entry{Op: state.OpCallback, Address: rec.Address, Provider: rec.Provider, Key: rec.Key, Result: res,
		Callback: &state.CallbackRef{Inbox: it.Seq, Digest: it.Digest, Type: it.Callback.Type, ID: it.Callback.ID, Via: it.Via, ReceivedAt: it.ReceivedAt}}
}

func (f *folder) change(it *inbox.Item, rec *state.Resource, o providers.Object, outcome state.Outcome, note string) StatusChange {
	amount, _ := decimal.NewFromString(rec.Amount)
	return StatusChange{Address: rec.Address, Provider: rec.Provider, Kind: providers.Kind(rec.Kind), Key: rec.Key, ID: firstNonEmpty(o.ID, rec.ID),
		Amount: amount, Currency: rec.Currency, Before: rec.Status, After: string(o.Status), RawAfter: o.RawStatus,
		Outcome: outcome, Via: it.Via, Inbox: it.Seq, ReceivedAt: it.ReceivedAt, Note: note}
}

// match finds the managed record (else the forgotten one) of the
// account's blocks that the object is: by merchant key, or by the
// gateway's id where the callback names no key (MiraclePay).
func (f *folder) match(blocks []*schema.Provider, o providers.Object) (rec, forgotten *state.Resource) {
	if f.byKey == nil {
		f.index()
	}
	st := f.store.State()
	for _, b := range blocks {
		k := recKey{b.Name(), string(o.Kind), o.Key}
		if o.Key == "" {
			k.key = "id:" + o.ID
		}
		if o.Key == "" && o.ID == "" {
			return nil, nil
		}
		if addr, ok := f.byKey[k]; ok {
			if r := st.Resource(addr); r != nil {
				return r, nil
			}
		}
		if r := f.forgotten[k]; r != nil {
			forgotten = r
		}
	}
	return nil, forgotten
}

type recKey struct{ provider, kind, key string }

// index maps every record's key (and "id:" + its id) to it. Callback
// entries never move a record, so the index holds for the whole fold.
func (f *folder) index() {
	st := f.store.State()
	f.byKey, f.forgotten = map[recKey]string{}, map[recKey]*state.Resource{}
	st.Each(func(r *state.Resource) {
		f.byKey[recKey{r.Provider, r.Kind, r.Key}] = r.Address
		if r.ID != "" {
			f.byKey[recKey{r.Provider, r.Kind, "id:" + r.ID}] = r.Address
		}
	})
	for _, r := range st.ForgottenList() {
		f.forgotten[recKey{r.Provider, r.Kind, r.Key}] = r
		if r.ID != "" {
			f.forgotten[recKey{r.Provider, r.Kind, "id:" + r.ID}] = r
		}
	}
}

func (f *folder) gateway(provider string) providers.Gateway {
	if p := f.cfg.Provider(provider); p != nil {
		return p.Gateway
	}
	return providers.Gateway{Title: provider}
}

// recordChange is the record's declared object as a change, for Mismatch.
func recordChange(r *state.Resource) *planner.Change {
	amount, _ := decimal.NewFromString(r.Amount)
	return &planner.Change{Address: r.Address, Kind: providers.Kind(r.Kind), Provider: r.Provider, Gateway: r.Gateway, Key: r.Key,
		Amount: amount, Currency: r.Currency, Attrs: r.Attrs}
}

// identity names an object in a message: `foreign_id "po-3" (id 12)`.
func identity(o providers.Object) string {
	s := ""
	if o.Key != "" {
		s = fmt.Sprintf("%s %q", schema.KeyAttr(o.Kind), o.Key)
	}
	if o.ID != "" {
		if s != "" {
			s += " "
		}
		s += "(id " + o.ID + ")"
	}
	return firstNonEmpty(s, "no key or id")
}

// withRaw is "cancelled" or "failed (error)": the gateway's word where it
// differs.
func withRaw(status, raw string) string {
	if raw == "" || raw == status {
		return status
	}
	return status + " (" + raw + ")"
}

func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	out := parts[0]
	for _, p := range parts[1 : len(parts)-1] {
		out += ", " + p
	}
	return out + " or " + parts[len(parts)-1]
}

package state

import (
	"fmt"
	"maps"
	"slices"
	"time"
)

// The journal is a state machine: apply changes the state as an entry
// says, after check has refused every entry that payform could not have
// written at that point. The same two functions run when an entry is
// recorded and when the journal is replayed, so the two never disagree,
// and an entry forged into the journal (correctly chained, but describing
// a transition that cannot happen) is refused by every load and by audit
// verify, naming it.
//
// What check refuses:
//
//	every entry   dated before the entry before it; an op or outcome
//	              payform does not know
//	plan entries  a plan other than the one the last apply entry started,
//	              or another actor than the one who started it
//	apply         a plan already applied; an approval without policy,
//	              principal or key fingerprint, or the same signer twice
//	              for one policy
//	approvals     on any entry but apply
//	intent        no plan; a settled record at the address; a key already
//	              used by another record
//	outcome       no pending intent at the address
//	resolve       a record that is not in doubt; an outcome other than
//	              adopted or not-created
//	adopt         a record at the address; a key already used
//	forget, move, refresh, restore   a record that is not where they say
//	callback      a plan id (callbacks are taken in outside any plan's
//	              run); no callback named (inbox item, digest, how it
//	              was verified) or no status; a record that is not in
//	              state, or another provider, key or gateway id than
//	              the record's (another object under the same key is
//	              never the record); on a record in doubt, an outcome
//	              other than adopted (the callback proves the object the
//	              record's create made: the doubt is settled) or unknown
//	              (it proves an object under the key that differs from
//	              what was sent: an operator must look); on a settled
//	              record, an outcome other than refreshed
//	every other   a callback named: only a callback entry takes one in
//
// A callback entry changes a settled record as a refresh does (status,
// raw status, the gateway's id where the record had none, remote
// fields), and a record in doubt as an outcome does. Which callbacks are
// taken in, and which are kept apart (repeats, statuses older than a
// final one, conflicting final statuses, objects that differ from the
// record) is the executor's to decide (executor/fold.go); this table is
// what replay holds every entry to.

// apply checks e and changes the state as it says.
func (s *State) apply(e *Entry) error {
	if err := s.check(e); err != nil {
		return err
	}
	s.mutate(e)
	return nil
}

// transitionError is an entry check refuses; Replayer reports it as a
// CorruptError naming the entry.
type transitionError struct{ reason string }

func (e *transitionError) Error() string { return e.reason }

func refuse(format string, args ...any) error {
	return &transitionError{fmt.Sprintf(format, args...)}
}

// check reports why e cannot follow the state, nil when it can.
func (s *State) check(e *Entry) error {
	if !s.JournalAt.IsZero() && e.At.Before(s.JournalAt) {
		return refuse("it is dated %s, before the entry before it (%s): entries cannot go back in time", e.At.UTC().Format(time.RFC3339Nano), s.JournalAt.UTC().Format(time.RFC3339Nano))
	}
	if e.Result != nil && e.Result.Outcome != "" && !e.Result.Outcome.Valid() {
		return refuse("it has outcome %q, which payform never writes", e.Result.Outcome)
	}
	if e.Callback != nil && e.Op != OpCallback {
		return refuse("a %s entry names a callback: only a callback entry takes one in", e.Op)
	}
	if e.PlanID != "" && e.Op != OpApply && e.Op != OpCallback {
		switch {
		case e.PlanID != s.Run.PlanID:
			return refuse("it names plan %s, but the apply under way is plan %s: no apply of that plan started it", e.PlanID, orNone(s.Run.PlanID))
		case e.Actor != s.Run.Actor:
			return refuse("it names actor %q, but plan %s was applied by %q", e.Actor, e.PlanID, s.Run.Actor)
		}
	}
	if len(e.Approvals) > 0 && e.Op != OpApply {
		return refuse("it is an entry of op %s with approvals: only the apply entry of a plan records them", e.Op)
	}
	r := s.byAddr[e.Address]
	switch e.Op {
	case OpApply:
		switch {
		case e.PlanID == "":
			return refuse("an apply entry without a plan id")
		case s.consumed[e.PlanID]:
			return refuse("plan %s was applied before: a plan runs once", e.PlanID)
		}
		return checkApprovals(e.PlanID, e.Approvals)
	case OpIntent:
		switch {
		case e.PlanID == "":
			return refuse("an intent without a plan: only apply sends")
		case e.Object == nil || e.Object.Kind == "":
			return refuse("an intent without the declared object")
		case r != nil && r.Pending == nil:
			return refuse("%s is already %s (id %s): a sent object is never sent again", e.Address, r.Status, orNone(r.ID))
		case r != nil && (r.Key != e.Key || r.Provider != e.Provider):
			return refuse("it resends %s with key %q at %s, but its pending intent has key %q at %s", e.Address, e.Key, e.Provider, r.Key, r.Provider)
		case r == nil && s.keyTaken(KeyRef{firstNonEmpty(e.Scope, e.Provider), e.Object.Kind, e.Key}, ""):
			return refuse("%s %s %q was already used: merchant keys are single-use", e.Provider, e.Object.Kind, e.Key)
		}
	case OpOutcome:
		switch {
		case e.PlanID == "":
			return refuse("an outcome without a plan")
		case e.Result == nil || e.Result.Outcome == "":
			return refuse("an outcome entry without a result")
		case r == nil || r.Pending == nil:
			return refuse("an outcome for %s, which has no pending intent", e.Address)
		case !settles(e.Result.Outcome):
			return refuse("outcome %q does not settle a create", e.Result.Outcome)
		}
	case OpResolve:
		switch {
		case e.Result == nil:
			return refuse("a resolve entry without a result")
		case r == nil || r.Pending == nil:
			return refuse("a resolve of %s, which is not in doubt", e.Address)
		case e.Result.Outcome != OutcomeAdopted && e.Result.Outcome != OutcomeNotCreated:
			return refuse("an operator settles an item as adopted or not-created, not %q", e.Result.Outcome)
		}
	case OpAdopt:
		switch {
		case e.Object == nil || e.Result == nil:
			return refuse("an adopt entry without the object or its result")
		case e.Result.Outcome != OutcomeAdopted:
			return refuse("an adopt entry with outcome %q", e.Result.Outcome)
		case r != nil:
			return refuse("%s is managed already", e.Address)
		case s.keyTaken(KeyRef{firstNonEmpty(e.Scope, e.Provider), e.Object.Kind, e.Key}, e.Result.ID):
			return refuse("%s %s %q was already used by another object: merchant keys are single-use", e.Provider, e.Object.Kind, e.Key)
		}
	case OpForget:
		if r == nil {
			return refuse("forget of %s, which is not in state", e.Address)
		}
	case OpRestore:
		from := e.Address
		if e.From != "" {
			from = e.From
		}
		switch {
		case len(s.forgotten[from]) == 0:
			return refuse("restore of %s, which was not forgotten", from)
		case r != nil:
			return refuse("restore to %s, which is managed already", e.Address)
		}
	case OpMove:
		switch {
		case r != nil:
			return refuse("move to %s, which is managed already", e.Address)
		case s.byAddr[e.From] == nil:
			return refuse("move of %s, which is not in state", e.From)
		}
	case OpRefresh:
		if r == nil || e.Result == nil {
			return refuse("refresh of %s, which is not in state", e.Address)
		}
	case OpCallback:
		return s.checkCallback(e, r)
	default:
		return refuse("unknown op %q", e.Op)
	}
	return nil
}

// checkCallback is check for a callback entry about r.
func (s *State) checkCallback(e *Entry, r *Resource) error {
	cb, res := e.Callback, e.Result
	switch {
	case e.PlanID != "":
		return refuse("a callback entry names plan %s: callbacks are taken in outside any plan's run", e.PlanID)
	case cb == nil || cb.Inbox == 0 || cb.Digest == "" || cb.Via == "":
		return refuse("a callback entry without the callback it takes in (inbox item, digest and how it was verified)")
	case res == nil || res.Status == "":
		return refuse("a callback entry without the status the callback told")
	case r == nil:
		return refuse("a callback for %s, which is not in state", e.Address)
	case e.Provider != r.Provider || e.Key != r.Key:
		return refuse("a callback for %s names key %q at %s, but the record has key %q at %s", e.Address, e.Key, e.Provider, r.Key, r.Provider)
	case r.ID != "" && res.ID != "" && res.ID != r.ID:
		return refuse("a callback about object %s for %s, which is object %s: another object under the same key is never the record", res.ID, e.Address, r.ID)
	case r.Pending != nil && res.Outcome != OutcomeAdopted && res.Outcome != OutcomeUnknown:
		return refuse("a callback for %s, which is in doubt, with outcome %q: a callback settles a doubt as adopted, or leaves it unknown for an operator", e.Address, res.Outcome)
	case r.Pending == nil && res.Outcome != OutcomeRefreshed:
		return refuse("a callback for %s, which is settled, with outcome %q: it can only record a status (refreshed)", e.Address, res.Outcome)
	}
	return nil
}

// checkApprovals refuses approvals payform could not have recorded: each
// names its policy, principal and key, and a signer counts once per
// policy.
func checkApprovals(planID string, as []Approval) error {
	seen := map[[2]string]bool{}
	for _, a := range as {
		switch {
		case a.Policy == "" || a.Principal == "" || a.Fingerprint == "":
			return refuse("an approval without its policy, principal or key fingerprint")
		case seen[[2]string{a.Policy, a.Principal}]:
			return refuse("%s approves plan %s twice for policy %s: a signer counts once", a.Principal, planID, a.Policy)
		}
		seen[[2]string{a.Policy, a.Principal}] = true
	}
	return nil
}

// settles reports whether an outcome entry may follow an intent.
func settles(o Outcome) bool {
	switch o {
	case OutcomeCreated, OutcomeAdopted, OutcomeRejected, OutcomeNotCreated, OutcomeInDoubt, OutcomeUnknown, OutcomeSuperseded:
		return true
	}
	return false
}

// keyTaken reports whether a key (of a kind that has single-use keys) is
// already used: reserved, or held by a record. A forgotten object with
// id may be adopted again under its own key (payform import).
func (s *State) keyTaken(k KeyRef, id string) bool {
	if k.Kind == depositAddress {
		return false // a customer's foreign_id names many addresses
	}
	if !s.reserved[k] {
		return false
	}
	if id == "" {
		return true
	}
	for _, list := range s.forgotten {
		for _, r := range list {
			if r.KeyRef() == k && r.ID == id {
				return false
			}
		}
	}
	return true
}

// depositAddress is providers.DepositAddress, which this package does not
// import.
const depositAddress = "deposit_address"

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// mutate changes the state as a checked entry says.
func (s *State) mutate(e *Entry) {
	switch e.Op {
	case OpApply:
		s.consume(e.PlanID)
		s.Run = Run{PlanID: e.PlanID, Actor: e.Actor}
	case OpIntent:
		s.applyIntent(e)
	case OpOutcome, OpResolve:
		s.applySettle(e)
	case OpAdopt:
		r := s.newResource(e)
		r.settle(e)
		s.put(r)
		s.reserve(r.KeyRef())
	case OpForget:
		r := s.remove(e.Address)
		r.ForgottenAt = e.At
		r.UpdatedAt = e.At
		if e.Result != nil && e.Result.Note != "" {
			r.Note = e.Result.Note
		}
		s.addForgotten(r)
	case OpRestore:
		from := e.Address
		if e.From != "" {
			from = e.From
		}
		r := s.takeForgotten(from)
		r.Address = e.Address
		r.ForgottenAt = time.Time{}
		r.UpdatedAt = e.At
		r.Note = ""
		if e.Result != nil {
			r.Note = e.Result.Note
		}
		s.put(r)
	case OpMove:
		r := s.remove(e.From)
		r.Address = e.Address
		r.UpdatedAt = e.At
		s.put(r)
	case OpCallback:
		if s.byAddr[e.Address].Pending != nil {
			s.applySettle(e) // adopted or unknown, as an outcome
			break
		}
		s.applyStatus(e)
	case OpRefresh:
		s.applyStatus(e)
	}
	s.JournalAt = e.At
}

// applyStatus records a status the gateway reported (a refresh, a
// callback) on a settled record.
func (s *State) applyStatus(e *Entry) {
	r := s.byAddr[e.Address]
	r.Status = e.Result.Status
	r.RawStatus = e.Result.RawStatus
	if e.Result.ID != "" {
		r.ID = e.Result.ID
	}
	if len(e.Result.Remote) > 0 {
		if r.Remote == nil {
			r.Remote = map[string]string{}
		}
		maps.Copy(r.Remote, e.Result.Remote)
	}
	r.UpdatedAt = e.At
}

// applyIntent records that a create is about to be sent. A repeated intent
// for a pending resource (a resend while in doubt) counts an attempt.
func (s *State) applyIntent(e *Entry) {
	if r := s.byAddr[e.Address]; r != nil && r.Pending != nil {
		r.Pending.Attempts++
		r.Pending.Seq = e.Seq
		r.UpdatedAt = e.At
		return
	}
	r := s.newResource(e)
	r.Status = "unknown" // until an outcome says; "pending" is an invoice status
	r.Pending = &Pending{Seq: e.Seq, At: e.At, PlanID: e.PlanID, Attempts: 1}
	s.put(r)
	s.reserve(r.KeyRef())
}

// applySettle records the outcome of a create (or an operator's settling).
func (s *State) applySettle(e *Entry) {
	r := s.byAddr[e.Address]
	switch e.Result.Outcome {
	case OutcomeCreated, OutcomeAdopted:
		if r.Pending == nil && r.ID != "" && e.Result.ID != "" && r.ID != e.Result.ID {
			// A second object for the same resource: keep the first.
			r.Superseded = append(r.Superseded, Remote{ID: r.ID, Fields: r.Remote, At: r.CreatedAt})
		}
		r.settle(e)
		s.reserve(r.KeyRef())
	case OutcomeRejected, OutcomeNotCreated:
		// Nothing exists at the gateway: the resource is not managed, and
		// its key was never used, even if an attempt in doubt had
		// reserved it. The journal keeps the attempt.
		s.remove(r.Address)
		s.release(r.KeyRef())
	case OutcomeUnknown:
		r.Status = "unknown"
		r.Note = e.Result.Note
		r.Pending.Manual = true
		r.Pending.Reason = firstNonEmpty(e.Result.Error, e.Result.Note)
		r.UpdatedAt = e.At
	case OutcomeSuperseded:
		// An attempt that may have made an object (no id), or an object
		// found beside the managed one under the same key (its id, once).
		fields := map[string]string{"outcome": "unknown: the gateway may have made an object at this attempt"}
		if e.Result.ID != "" {
			if slices.ContainsFunc(r.Superseded, func(x Remote) bool { return x.ID == e.Result.ID }) {
				break
			}
			fields["outcome"] = firstNonEmpty(e.Result.Note, "another object under the same key")
		}
		if e.Result.Error != "" {
			fields["error"] = e.Result.Error
		}
		r.Superseded = append(r.Superseded, Remote{ID: e.Result.ID, Fields: fields, At: e.At})
		r.UpdatedAt = e.At
	case OutcomeInDoubt:
		r.Pending.Reason = firstNonEmpty(e.Result.Error, e.Result.Note)
		r.UpdatedAt = e.At
	}
}

func (s *State) newResource(e *Entry) *Resource {
	r := &Resource{Address: e.Address, Provider: e.Provider, Scope: e.Scope, Key: e.Key, PlanID: e.PlanID, CreatedAt: e.At, UpdatedAt: e.At}
	if d := e.Object; d != nil {
		r.Kind, r.Gateway, r.Amount, r.Currency = d.Kind, d.Gateway, d.Amount, d.Currency
		r.Attrs = maps.Clone(d.Attrs)
	}
	return r
}

// settle records a successful result on the resource.
func (r *Resource) settle(e *Entry) {
	res := e.Result
	r.Pending = nil
	r.ID = res.ID
	r.Status = res.Status
	r.RawStatus = res.RawStatus
	r.Remote = maps.Clone(res.Remote)
	r.Note = res.Note
	r.UpdatedAt = e.At
	if e.Object != nil { // an adopt restates what was declared
		r.Kind, r.Gateway, r.Amount, r.Currency = e.Object.Kind, e.Object.Gateway, e.Object.Amount, e.Object.Currency
		r.Attrs = maps.Clone(e.Object.Attrs)
	}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

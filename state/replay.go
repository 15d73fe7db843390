package state

import (
	"fmt"
	"maps"
	"slices"
	"time"
)

// apply changes the state as the entry says. The same function runs when
// an entry is recorded and when the journal is replayed, so the two can
// never disagree.
func (s *State) apply(e *Entry) error {
	switch e.Op {
	case OpApply:
		s.consume(e.PlanID)
	case OpIntent:
		s.applyIntent(e)
	case OpOutcome, OpResolve:
		return s.applySettle(e)
	case OpAdopt:
		if e.Object == nil || e.Result == nil {
			return fmt.Errorf("adopt entry %d has no object or result", e.Seq)
		}
		r := s.newResource(e)
		r.settle(e)
		s.put(r)
		s.reserve(r.KeyRef())
	case OpForget:
		r := s.remove(e.Address)
		if r == nil {
			return fmt.Errorf("forget entry %d: %s is not in state", e.Seq, e.Address)
		}
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
		if r == nil {
			return fmt.Errorf("restore entry %d: %s was not forgotten", e.Seq, from)
		}
		if s.byAddr[e.Address] != nil {
			return fmt.Errorf("restore entry %d: %s is managed already", e.Seq, e.Address)
		}
		r.Address = e.Address
		r.ForgottenAt = time.Time{}
		r.UpdatedAt = e.At
		r.Note = ""
		if e.Result != nil {
			r.Note = e.Result.Note
		}
		s.put(r)
	case OpMove:
		if s.byAddr[e.Address] != nil {
			return fmt.Errorf("move entry %d: %s is managed already", e.Seq, e.Address)
		}
		r := s.remove(e.From)
		if r == nil {
			return fmt.Errorf("move entry %d: %s is not in state", e.Seq, e.From)
		}
		r.Address = e.Address
		r.UpdatedAt = e.At
		s.put(r)
	case OpRefresh:
		r := s.byAddr[e.Address]
		if r == nil || e.Result == nil {
			return fmt.Errorf("refresh entry %d: %s is not in state", e.Seq, e.Address)
		}
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
	default:
		return fmt.Errorf("entry %d has unknown op %q", e.Seq, e.Op)
	}
	return nil
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
}

// applySettle records the outcome of a create (or an operator's settling).
func (s *State) applySettle(e *Entry) error {
	r := s.byAddr[e.Address]
	if r == nil {
		if e.Op == OpResolve && e.Object != nil {
			r = s.newResource(e)
			s.put(r)
		} else {
			return fmt.Errorf("%s entry %d: %s has no intent in state", e.Op, e.Seq, e.Address)
		}
	}
	if e.Result == nil {
		return fmt.Errorf("%s entry %d has no result", e.Op, e.Seq)
	}
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
		if r.Pending == nil {
			r.Pending = &Pending{Seq: e.Seq, At: e.At, PlanID: e.PlanID}
		}
		r.Pending.Manual = true
		r.Pending.Reason = firstNonEmpty(e.Result.Error, e.Result.Note)
		r.UpdatedAt = e.At
		s.reserve(r.KeyRef())
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
		if r.Pending != nil {
			r.Pending.Reason = firstNonEmpty(e.Result.Error, e.Result.Note)
		}
		r.UpdatedAt = e.At
		s.reserve(r.KeyRef())
	default:
		return fmt.Errorf("%s entry %d has unknown outcome %q", e.Op, e.Seq, e.Result.Outcome)
	}
	return nil
}

func (s *State) newResource(e *Entry) *Resource {
	r := &Resource{Address: e.Address, Provider: e.Provider, Key: e.Key, PlanID: e.PlanID, CreatedAt: e.At, UpdatedAt: e.At}
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
	if e.Object != nil { // resolve/adopt may restate what was declared
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

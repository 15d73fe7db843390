package state

import (
	"fmt"
	"sort"
	"time"
)

// FormatVersion is the snapshot format this package writes. Read refuses
// newer formats.
const FormatVersion = 1

// State is a workspace's state: what payform sent or took, what it
// stopped managing, and which merchant keys can never be used again.
//
// The zero value is not usable; use New or a backend's Load.
type State struct {
	FormatVersion  int    `json:"format_version"`
	Lineage        string `json:"lineage"`
	Serial         uint64 `json:"serial"`
	PayformVersion string `json:"payform_version"`
	// JournalSeq and JournalHash name the last journal entry the snapshot
	// includes; replay starts after it.
	JournalSeq  uint64 `json:"journal_seq"`
	JournalHash string `json:"journal_hash"`
	// JournalOffset is the byte offset just after that entry in a local
	// journal file (a hint that makes loading O(new entries)).
	JournalOffset int64 `json:"journal_offset,omitempty"`
	// ConsumedPlans lists every plan id that apply started; a plan is
	// never applied twice.
	ConsumedPlans []string `json:"consumed_plans"`
	// ReservedKeys lists every merchant key payform ever used at a
	// gateway. A key leaves it only when the gateway is known to hold
	// nothing under it: its attempt was refused, proven absent, or
	// settled with `state resolve --not-created`.
	ReservedKeys []KeyRef    `json:"reserved_keys"`
	Resources    []*Resource `json:"resources"`
	// Forgotten holds resources no longer managed (their block was
	// removed). They stay for auditors and keep their keys reserved.
	Forgotten []*Resource `json:"forgotten"`

	// In memory the maps are the truth; the slices above are rebuilt from
	// them (sorted) when the state is written.
	byAddr    map[string]*Resource
	forgotten map[string][]*Resource // oldest first
	reserved  map[KeyRef]bool
	consumed  map[string]bool
	replayed  int // journal entries applied on top of the snapshot at load
}

// KeyRef is a merchant key in its scope: one provider, one kind.
type KeyRef struct {
	Provider string `json:"provider"`
	Kind     string `json:"kind"`
	Key      string `json:"key"`
}

func (k KeyRef) String() string { return fmt.Sprintf("%s %s %q", k.Provider, k.Kind, k.Key) }

// Resource is one managed gateway object.
type Resource struct {
	Address  string `json:"address"`
	Kind     string `json:"kind"`
	Provider string `json:"provider"` // as written in config: "wllxpay" or "wllxpay.eu"
	Gateway  string `json:"gateway"`
	Key      string `json:"key"`
	// Declared values, as sent. Amount is a canonical decimal string.
	Amount   string            `json:"amount,omitempty"`
	Currency string            `json:"currency,omitempty"`
	Attrs    map[string]string `json:"attrs,omitempty"`
	// What the gateway reported.
	ID        string            `json:"id,omitempty"`
	Status    string            `json:"status"`
	RawStatus string            `json:"raw_status,omitempty"`
	Remote    map[string]string `json:"remote,omitempty"`
	Note      string            `json:"note,omitempty"`
	// Pending is set while an intent has no settled outcome: payform
	// cannot yet tell whether the object exists.
	Pending *Pending `json:"pending,omitempty"`
	// Superseded lists earlier objects made for this resource and replaced
	// (e.g. a deposit address taken twice while in doubt).
	Superseded []Remote `json:"superseded,omitempty"`

	PlanID      string    `json:"plan_id,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	ForgottenAt time.Time `json:"forgotten_at,omitzero"`
}

// Pending records an unsettled intent.
type Pending struct {
	Seq      uint64    `json:"seq"` // the intent's journal entry
	At       time.Time `json:"at"`
	PlanID   string    `json:"plan_id,omitempty"`
	Attempts int       `json:"attempts"`
	// Manual is set when automatic resolution is exhausted: an operator
	// must settle the item with `payform state resolve`.
	Manual bool   `json:"manual,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Remote is a gateway object recorded beside a resource.
type Remote struct {
	ID     string            `json:"id,omitempty"`
	Fields map[string]string `json:"fields,omitempty"`
	At     time.Time         `json:"at"`
}

// KeyRef returns the resource's key in its scope.
func (r *Resource) KeyRef() KeyRef { return KeyRef{Provider: r.Provider, Kind: r.Kind, Key: r.Key} }

// InDoubt reports whether payform cannot tell if the object exists.
func (r *Resource) InDoubt() bool { return r.Pending != nil }

// New returns an empty state with a fresh lineage.
func New(lineage, version string) *State {
	s := &State{FormatVersion: FormatVersion, Lineage: lineage, PayformVersion: version}
	s.index()
	return s
}

// Resource returns the managed resource at addr, or nil.
func (s *State) Resource(addr string) *Resource { return s.byAddr[addr] }

// ForgottenResource returns the latest forgotten record at addr, or nil.
func (s *State) ForgottenResource(addr string) *Resource {
	list := s.forgotten[addr]
	if len(list) == 0 {
		return nil
	}
	return list[len(list)-1]
}

// Len returns the number of managed resources.
func (s *State) Len() int { return len(s.byAddr) }

// List returns the managed resources sorted by address.
func (s *State) List() []*Resource {
	out := make([]*Resource, 0, len(s.byAddr))
	for _, r := range s.byAddr {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out
}

// ForgottenList returns every forgotten record, sorted by address and time.
func (s *State) ForgottenList() []*Resource {
	var out []*Resource
	for _, list := range s.forgotten {
		out = append(out, list...)
	}
	sortForgotten(out)
	return out
}

// Reserved reports whether a key was ever used.
func (s *State) Reserved(k KeyRef) bool { return s.reserved[k] }

// Consumed reports whether apply already started the plan.
func (s *State) Consumed(planID string) bool { return s.consumed[planID] }

// index builds the maps from the slices, after decoding.
func (s *State) index() {
	s.byAddr = make(map[string]*Resource, len(s.Resources))
	for _, r := range s.Resources {
		s.byAddr[r.Address] = r
	}
	s.forgotten = make(map[string][]*Resource, len(s.Forgotten))
	for _, r := range s.Forgotten {
		s.forgotten[r.Address] = append(s.forgotten[r.Address], r)
	}
	s.reserved = make(map[KeyRef]bool, len(s.ReservedKeys))
	for _, k := range s.ReservedKeys {
		s.reserved[k] = true
	}
	s.consumed = make(map[string]bool, len(s.ConsumedPlans))
	for _, id := range s.ConsumedPlans {
		s.consumed[id] = true
	}
}

// normalize rebuilds the slices from the maps, sorted, so that equal
// states are equal bytes.
func (s *State) normalize() {
	s.Resources = s.List()
	s.Forgotten = s.ForgottenList()
	if s.Forgotten == nil {
		s.Forgotten = []*Resource{}
	}
	s.ReservedKeys = s.ReservedKeyList()
	s.ConsumedPlans = s.ConsumedPlans[:0]
	for id := range s.consumed {
		s.ConsumedPlans = append(s.ConsumedPlans, id)
	}
	sort.Strings(s.ConsumedPlans)
}

func sortForgotten(list []*Resource) {
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.Address != b.Address {
			return a.Address < b.Address
		}
		return a.ForgottenAt.Before(b.ForgottenAt)
	})
}

func (s *State) reserve(k KeyRef) { s.reserved[k] = true }

// release frees a key that an attempt in doubt reserved, once the gateway
// is known to hold nothing under it (proven absent, refused, or an
// operator's resolve --not-created), unless a record still holds it.
func (s *State) release(k KeyRef) {
	if !s.reserved[k] {
		return
	}
	for _, r := range s.byAddr {
		if r.KeyRef() == k {
			return
		}
	}
	for _, list := range s.forgotten {
		for _, r := range list {
			if r.KeyRef() == k {
				return
			}
		}
	}
	delete(s.reserved, k)
}

func (s *State) consume(planID string) { s.consumed[planID] = true }

func (s *State) put(r *Resource) { s.byAddr[r.Address] = r }

func (s *State) remove(addr string) *Resource {
	r := s.byAddr[addr]
	delete(s.byAddr, addr)
	return r
}

func (s *State) addForgotten(r *Resource) {
	s.forgotten[r.Address] = append(s.forgotten[r.Address], r)
}

// takeForgotten removes and returns the latest forgotten record at addr.
func (s *State) takeForgotten(addr string) *Resource {
	list := s.forgotten[addr]
	if len(list) == 0 {
		return nil
	}
	r := list[len(list)-1]
	if len(list) == 1 {
		delete(s.forgotten, addr)
	} else {
		s.forgotten[addr] = list[:len(list)-1]
	}
	return r
}

// ReservedKeyList returns every reserved key, sorted.
func (s *State) ReservedKeyList() []KeyRef {
	out := make([]KeyRef, 0, len(s.reserved))
	for k := range s.reserved {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Provider != b.Provider {
			return a.Provider < b.Provider
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Key < b.Key
	})
	return out
}

// Each calls fn for every managed resource, in no particular order (List
// sorts; Each does not, for passes where order does not matter).
func (s *State) Each(fn func(*Resource)) {
	for _, r := range s.byAddr {
		fn(r)
	}
}

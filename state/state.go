package state

import (
	"fmt"
	"sort"
	"time"
)

// State is a workspace's state: what payform sent or took, what it
// stopped managing, and which merchant keys can never be used again. It is
// what replaying the journal from its first entry produces; the snapshot
// (snapshot.go) is a copy of it at one journal entry.
//
// The zero value is not usable; use New or a backend's Load.
type State struct {
	Lineage        string
	Serial         uint64
	PayformVersion string
	// JournalSeq and JournalHash name the last journal entry the state
	// includes; JournalAt is that entry's time. Replay starts after it,
	// and no later entry may be dated before it.
	JournalSeq  uint64
	JournalHash string
	JournalAt   time.Time
	// JournalOffset is the byte offset just after that entry in a local
	// journal file (a hint that makes loading O(new entries)).
	JournalOffset int64
	// Run is the plan the last apply entry started and who started it:
	// every later entry that names a plan must name this one, in this
	// actor's name.
	Run Run

	// In memory the maps are the truth; snapshots are written from them,
	// sorted.
	byAddr    map[string]*Resource
	forgotten map[string][]*Resource // oldest first
	reserved  map[KeyRef]bool
	consumed  map[string]bool
	replayed  int // journal entries applied on top of the snapshot at load
}

// Run is the apply under way, as the journal's last apply entry says.
type Run struct {
	PlanID string
	Actor  string
}

// KeyRef is a merchant key in its scope. Provider is the scope: the
// gateway realm where keys live (gateway|endpoint, Resource.Scope) for
// records written since realms are recorded, the provider block's name
// for older ones.
type KeyRef struct {
	Provider string `json:"provider"`
	Kind     string `json:"kind"`
	Key      string `json:"key"`
}

func (k KeyRef) String() string { return fmt.Sprintf("%s %s %q", k.Provider, k.Kind, k.Key) }

// Resource is one managed gateway object.
type Resource struct {
	Address  string
	Kind     string
	Provider string // as written in config: "wllxpay" or "wllxpay.eu"
	// Scope is the gateway realm the key was used at (gateway|endpoint):
	// the key is reserved there for every provider block, whatever its
	// alias or credentials. Empty for records older than realms.
	Scope   string
	Gateway string
	Key     string
	// Declared values, as sent. Amount is a canonical decimal string.
	Amount   string
	Currency string
	Attrs    map[string]string
	// What the gateway reported.
	ID        string
	Status    string
	RawStatus string
	Remote    map[string]string
	Note      string
	// Pending is set while an intent has no settled outcome: payform
	// cannot yet tell whether the object exists.
	Pending *Pending
	// Superseded lists earlier objects made for this resource and replaced
	// (e.g. a deposit address taken twice while in doubt).
	Superseded []Remote

	PlanID      string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ForgottenAt time.Time
}

// Pending records an unsettled intent.
type Pending struct {
	Seq      uint64 // the intent's journal entry
	At       time.Time
	PlanID   string
	Attempts int
	// Manual is set when automatic resolution is exhausted: an operator
	// must settle the item with `payform state resolve`.
	Manual bool
	Reason string
}

// Remote is a gateway object recorded beside a resource.
type Remote struct {
	ID     string
	Fields map[string]string
	At     time.Time
}

// KeyRef returns the resource's key in its scope.
func (r *Resource) KeyRef() KeyRef {
	return KeyRef{Provider: firstNonEmpty(r.Scope, r.Provider), Kind: r.Kind, Key: r.Key}
}

// InDoubt reports whether payform cannot tell if the object exists.
func (r *Resource) InDoubt() bool { return r.Pending != nil }

// New returns an empty state of the lineage.
func New(lineage, version string) *State {
	return &State{Lineage: lineage, PayformVersion: version,
		byAddr: map[string]*Resource{}, forgotten: map[string][]*Resource{}, reserved: map[KeyRef]bool{}, consumed: map[string]bool{}}
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

// ConsumedPlans lists every plan apply started, sorted.
func (s *State) ConsumedPlans() []string {
	out := make([]string, 0, len(s.consumed))
	for id := range s.consumed {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
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

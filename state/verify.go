package state

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Report is what Verify found.
type Report struct {
	// Entries is how many journal entries were replayed; Head is the last.
	Entries int
	Head    Head
	// Snapshot is the entry the snapshot is at; the state replayed up to
	// it equals the snapshot, field by field.
	Snapshot uint64
	// Sealed and Unsealed count entries with and without a seal;
	// SnapshotSealed says whether the snapshot is sealed. Seals are
	// checked only with an audit key (KeyChecked).
	Sealed, Unsealed int
	SnapshotSealed   bool
	KeyChecked       bool
	// Anchors are the heads checked against the journal: given ones and
	// those a HeadKeeper keeps.
	Anchors []Head
}

// Verify replays the whole journal from its first entry through the same
// state machine every load uses (a correctly chained entry that payform
// could not have written is refused, named), checks with key every seal,
// compares the state replayed up to the snapshot's head with the
// snapshot field by field, and checks that the journal still reaches
// every anchored head (the given ones, and those the backend keeps if it
// is a HeadKeeper). It is O(entries).
func Verify(ctx context.Context, b Backend, key Key, anchors []Head) (*Report, error) {
	p, ok := b.(Puller)
	if !ok {
		return nil, fmt.Errorf("%s cannot give its snapshot's bytes to check", b.Describe())
	}
	data, err := p.Pull(ctx)
	if err != nil {
		return nil, err
	}
	snap, sealed, err := decodeState(b.Describe(), data, key)
	if err != nil {
		return nil, err
	}
	rep := &Report{Snapshot: snap.JournalSeq, SnapshotSealed: sealed, KeyChecked: key != nil}
	if hk, ok := b.(HeadKeeper); ok {
		err := hk.Heads(ctx, func(h Head) error { anchors = append(anchors, h); return nil })
		if err != nil {
			return rep, err
		}
	}
	want := map[uint64]Head{}
	for _, h := range anchors {
		want[h.Seq] = h
	}
	seen := map[uint64]bool{}

	st := New(snap.Lineage, snap.PayformVersion)
	rp := NewReplayer(st, b.Describe()+" journal", key, false)
	touched := map[string]uint64{} // address → the last entry about it
	compared := snap.JournalSeq == 0
	if compared {
		if msg := diffStates(snap, st, touched); msg != "" {
			return rep, &CorruptError{What: b.Describe(), Reason: "the snapshot is not what the journal gives: " + msg}
		}
	}
	err = b.Entries(ctx, func(e *Entry) error {
		if err := rp.Add(e, 0); err != nil {
			return err
		}
		if e.MAC != "" {
			rep.Sealed++
		} else {
			rep.Unsealed++
		}
		touched[e.Address] = e.Seq
		if e.From != "" {
			touched[e.From] = e.Seq
		}
		if h, ok := want[e.Seq]; ok {
			if h.Hash != e.Hash {
				return &CorruptError{What: b.Describe() + " journal", Seq: e.Seq, Reason: fmt.Sprintf("it is not the entry anchored as %s: the journal was rewritten since that head was taken", h)}
			}
			seen[e.Seq] = true
		}
		if e.Seq == snap.JournalSeq {
			if e.Hash != snap.JournalHash {
				return &CorruptError{What: b.Describe(), Seq: e.Seq, Reason: "it differs from the entry the snapshot recorded as its head"}
			}
			if err := CheckHeadSeal(b.Describe(), key, sealed, e); err != nil {
				return err
			}
			if msg := diffStates(snap, st, touched); msg != "" {
				return &CorruptError{What: b.Describe(), Reason: "the snapshot is not what the journal gives: " + msg}
			}
			compared = true
		}
		return nil
	})
	rep.Entries = st.replayed
	rep.Head = Head{Seq: st.JournalSeq, Hash: st.JournalHash, At: st.JournalAt}
	if err != nil {
		return rep, err
	}
	if !compared {
		return rep, &CorruptError{What: b.Describe(), Reason: fmt.Sprintf("the snapshot's journal head (entry %d) is not on the journal's chain", snap.JournalSeq)}
	}
	for _, h := range anchors {
		if !seen[h.Seq] {
			return rep, &CorruptError{What: b.Describe() + " journal", Seq: h.Seq, Reason: fmt.Sprintf("the journal ends at entry %d and does not reach the anchored head %s: entries were removed", rep.Head.Seq, h)}
		}
	}
	rep.Anchors = anchors
	return rep, nil
}

// CheckSnapshot checks snapshot bytes against the backend's journal: the
// journal replayed up to the snapshot's head must give exactly that
// snapshot. Pushes and imports call it, so that a re-sealed edit of a
// snapshot is never accepted.
func CheckSnapshot(ctx context.Context, b Backend, data []byte, key Key) (*State, error) {
	return checkSnapshot(b.Describe(), data, key, func(fn func(*Entry) error) error {
		err := b.Entries(ctx, fn)
		if errors.Is(err, ErrNoState) {
			return nil
		}
		return err
	})
}

// ErrNoState is what a backend's Entries and Pull return (as a
// *NoStateError) when the workspace has no state at all.
var ErrNoState = errors.New("no state")

// NoStateError says a workspace has no state; it is ErrNoState.
type NoStateError struct{ What string }

func (e *NoStateError) Error() string        { return e.What + " has no state" }
func (e *NoStateError) Is(target error) bool { return target == ErrNoState }

func checkSnapshot(name string, data []byte, key Key, entries func(fn func(*Entry) error) error) (*State, error) {
	snap, err := DecodeSnapshot("the snapshot", data, key)
	if err != nil {
		return nil, err
	}
	st := New(snap.Lineage, snap.PayformVersion)
	rp := NewReplayer(st, name+" journal", key, false)
	touched := map[string]uint64{}
	if snap.JournalSeq == 0 {
		if msg := diffStates(snap, st, touched); msg != "" {
			return nil, fmt.Errorf("the snapshot is not what the journal gives: %s", msg)
		}
	}
	errDone := errors.New("done")
	found := snap.JournalSeq == 0
	err = entries(func(e *Entry) error {
		if e.Seq == 1 && e.Prev != GenesisHash(snap.Lineage) {
			return fmt.Errorf("the snapshot is of lineage %s, but %s's journal belongs to another lineage", snap.Lineage, name)
		}
		if snap.JournalSeq == 0 {
			return errDone // the journal's first entry exists: a fresh snapshot would orphan it
		}
		if err := rp.Add(e, 0); err != nil {
			return err
		}
		touched[e.Address] = e.Seq
		if e.From != "" {
			touched[e.From] = e.Seq
		}
		if e.Seq < snap.JournalSeq {
			return nil
		}
		if e.Hash != snap.JournalHash {
			return fmt.Errorf("the snapshot's journal head (entry %d) is not on %s's journal", snap.JournalSeq, name)
		}
		if msg := diffStates(snap, st, touched); msg != "" {
			return fmt.Errorf("the snapshot is not what the journal gives: %s", msg)
		}
		found = true
		return errDone
	})
	if err != nil && !errors.Is(err, errDone) {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("the snapshot's journal head (entry %d) is not on %s's journal: it would orphan or invent entries", snap.JournalSeq, name)
	}
	return snap, nil
}

// diffStates says how a snapshot differs from the state the journal
// gives ("" when it does not), naming the first difference and the last
// entry about it.
func diffStates(snap, got *State, touched map[string]uint64) string {
	entry := func(addr string) string {
		if seq := touched[addr]; seq != 0 {
			return fmt.Sprintf(" (journal entry %d)", seq)
		}
		return ""
	}
	switch {
	case snap.Lineage != got.Lineage:
		return fmt.Sprintf("lineage %s, the journal's %s", snap.Lineage, got.Lineage)
	case snap.JournalSeq != got.JournalSeq || snap.JournalHash != got.JournalHash:
		return fmt.Sprintf("it is at entry %d, the journal at %d", snap.JournalSeq, got.JournalSeq)
	case !snap.JournalAt.IsZero() && !snap.JournalAt.Equal(got.JournalAt):
		return fmt.Sprintf("its journal time is %s, the journal's %s", snap.JournalAt.Format(time.RFC3339Nano), got.JournalAt.Format(time.RFC3339Nano))
	case snap.Run != got.Run && snap.Run != (Run{}):
		return fmt.Sprintf("its apply under way is plan %s by %q, the journal's plan %s by %q", orNone(snap.Run.PlanID), snap.Run.Actor, orNone(got.Run.PlanID), got.Run.Actor)
	}
	if a, b := snap.ConsumedPlans(), got.ConsumedPlans(); !slices.Equal(a, b) {
		return fmt.Sprintf("its applied plans %s differ from the journal's %s", firstMissing(a, b), firstMissing(b, a))
	}
	if a, b := snap.ReservedKeyList(), got.ReservedKeyList(); !slices.Equal(a, b) {
		for _, k := range b {
			if !snap.reserved[k] {
				return fmt.Sprintf("it does not reserve %s, which the journal used", k)
			}
		}
		for _, k := range a {
			if !got.reserved[k] {
				return fmt.Sprintf("it reserves %s, which the journal never used", k)
			}
		}
	}
	for _, r := range got.List() {
		s := snap.byAddr[r.Address]
		if s == nil {
			return fmt.Sprintf("it lacks %s, which the journal records%s", r.Address, entry(r.Address))
		}
		if d := diffResources(s, r); d != "" {
			return fmt.Sprintf("%s: %s%s", r.Address, d, entry(r.Address))
		}
	}
	for _, r := range snap.List() {
		if got.byAddr[r.Address] == nil {
			return fmt.Sprintf("it holds %s, which the journal does not%s", r.Address, entry(r.Address))
		}
	}
	sf, gf := snap.ForgottenList(), got.ForgottenList()
	for i := 0; i < max(len(sf), len(gf)); i++ {
		switch {
		case i >= len(sf):
			return fmt.Sprintf("it lacks the forgotten record of %s%s", gf[i].Address, entry(gf[i].Address))
		case i >= len(gf):
			return fmt.Sprintf("it holds a forgotten record of %s the journal does not%s", sf[i].Address, entry(sf[i].Address))
		case sf[i].Address != gf[i].Address:
			return fmt.Sprintf("its forgotten records differ at %s%s", gf[i].Address, entry(gf[i].Address))
		}
		if d := diffResources(sf[i], gf[i]); d != "" {
			return fmt.Sprintf("forgotten %s: %s%s", gf[i].Address, d, entry(gf[i].Address))
		}
	}
	return ""
}

func firstMissing(a, b []string) string {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return x
		}
	}
	return "(none)"
}

// diffResources names the first field in which a snapshot's record
// differs from the journal's.
func diffResources(s, g *Resource) string {
	field := func(name, was, is string) string {
		return fmt.Sprintf("%s is %q in the snapshot, %q in the journal", name, was, is)
	}
	switch {
	case s.Kind != g.Kind:
		return field("kind", s.Kind, g.Kind)
	case s.Provider != g.Provider:
		return field("provider", s.Provider, g.Provider)
	case s.Scope != g.Scope:
		return field("scope", s.Scope, g.Scope)
	case s.Gateway != g.Gateway:
		return field("gateway", s.Gateway, g.Gateway)
	case s.Key != g.Key:
		return field("key", s.Key, g.Key)
	case s.Amount != g.Amount:
		return field("amount", s.Amount, g.Amount)
	case s.Currency != g.Currency:
		return field("currency", s.Currency, g.Currency)
	case !maps.Equal(s.Attrs, g.Attrs):
		return diffMaps("attribute", s.Attrs, g.Attrs)
	case s.ID != g.ID:
		return field("id", s.ID, g.ID)
	case s.Status != g.Status:
		return field("status", s.Status, g.Status)
	case s.RawStatus != g.RawStatus:
		return field("raw_status", s.RawStatus, g.RawStatus)
	case !maps.Equal(s.Remote, g.Remote):
		return diffMaps("remote field", s.Remote, g.Remote)
	case s.Note != g.Note:
		return field("note", s.Note, g.Note)
	case (s.Pending == nil) != (g.Pending == nil):
		return fmt.Sprintf("in doubt: %v in the snapshot, %v in the journal", s.Pending != nil, g.Pending != nil)
	case s.Pending != nil && *s.Pending != *g.Pending:
		return "its pending attempt differs"
	case len(s.Superseded) != len(g.Superseded):
		return fmt.Sprintf("%d superseded objects in the snapshot, %d in the journal", len(s.Superseded), len(g.Superseded))
	case s.PlanID != g.PlanID:
		return field("plan_id", s.PlanID, g.PlanID)
	case !s.CreatedAt.Equal(g.CreatedAt):
		return field("created_at", s.CreatedAt.Format(time.RFC3339Nano), g.CreatedAt.Format(time.RFC3339Nano))
	case !s.UpdatedAt.Equal(g.UpdatedAt):
		return field("updated_at", s.UpdatedAt.Format(time.RFC3339Nano), g.UpdatedAt.Format(time.RFC3339Nano))
	case !s.ForgottenAt.Equal(g.ForgottenAt):
		return field("forgotten_at", s.ForgottenAt.Format(time.RFC3339Nano), g.ForgottenAt.Format(time.RFC3339Nano))
	}
	for i := range s.Superseded {
		a, b := s.Superseded[i], g.Superseded[i]
		if a.ID != b.ID || !a.At.Equal(b.At) || !maps.Equal(a.Fields, b.Fields) {
			return fmt.Sprintf("superseded object %d differs", i+1)
		}
	}
	return ""
}

func diffMaps(what string, s, g map[string]string) string {
	for _, k := range slices.Sorted(maps.Keys(g)) {
		if v, ok := s[k]; !ok || v != g[k] {
			return fmt.Sprintf("%s %s is %q in the snapshot, %q in the journal", what, k, s[k], g[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(s)) {
		if _, ok := g[k]; !ok {
			return fmt.Sprintf("%s %s is %q in the snapshot, absent from the journal", what, k, s[k])
		}
	}
	return ""
}

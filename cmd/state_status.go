package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/payform/payform/inbox"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/state"
)

// statusNotes says, for state show, what payform can learn of a record's
// status: when its gateway cannot read it back, that only callbacks tell
// it (and whether any from its account ever came: if none, payform cannot
// learn it at all); and which callbacks about it wait in the inbox for
// the next plan, apply or refresh. Best effort: a configuration that does
// not load, or an inbox that cannot be read, gives no notes.
func (a *app) statusNotes(ctx context.Context, r *state.Resource) [][2]string {
	var notes [][2]string
	cfg, diags := a.loadSchema(varFlags{})
	if diags.HasErrors() {
		return nil
	}
	backend, err := a.openBackend(ctx, cfg)
	if err != nil {
		return nil
	}
	defer closeBackend(backend)
	box, err := inboxOf(backend, false)
	if err != nil {
		return nil
	}
	defer box.Close()
	b := cfg.Provider(r.Provider)
	if b == nil {
		return nil
	}
	final := providers.Status(r.Status).Final()
	if why := b.Gateway.StatusUnreadable(providers.Kind(r.Kind), b.Options); why != "" && !final && !r.InDoubt() {
		seen, _ := accountsSeen(ctx, box)
		note := "not read back: " + why + "; only callbacks tell it"
		if last, ok := seen[b.Account()]; ok {
			note += fmt.Sprintf(" (the last from this account was received %s)", last.UTC().Format(time.RFC3339))
		} else {
			note += ", and none from this account ever reached the callback inbox: payform cannot learn this status at all until one does (payform callback serve)"
		}
		notes = append(notes, [2]string{"status_source", note})
	}
	folded, err := box.Folded(ctx)
	if err != nil {
		return notes
	}
	waiting, last := 0, ""
	box.Items(ctx, folded, func(it *inbox.Item) error {
		if it.Verdict != inbox.Accepted || it.Account != b.Account() || it.Callback == nil || it.Callback.Object == nil {
			return nil
		}
		o := it.Callback.Object
		if o.Kind == r.Kind && (o.Key != "" && o.Key == r.Key || o.Key == "" && o.ID != "" && o.ID == r.ID) {
			waiting++
			last = fmt.Sprintf("%s (%s), received %s", o.Status, o.RawStatus, it.ReceivedAt.UTC().Format(time.RFC3339))
		}
		return nil
	})
	if waiting > 0 {
		notes = append(notes, [2]string{"callbacks_waiting", fmt.Sprintf("%d in the inbox, the last %s: the next plan, apply or refresh takes %s in", waiting, last, plural(waiting, "it", "them"))})
	}
	return notes
}

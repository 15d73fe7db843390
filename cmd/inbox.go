package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/payform/payform/inbox"
	"github.com/payform/payform/inbox/verifier"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// inboxOf returns the callback inbox beside a state backend: the local
// state's PATH.inbox, or the pg workspace's inbox table. write takes the
// local inbox's writer lock (callback serve, callback ingest); readers
// (plan, apply, refresh, state show) need none. Closing the store does
// not close the backend.
func inboxOf(b state.Backend, write bool) (inbox.Store, error) {
	switch b := b.(type) {
	case *state.Local:
		return inbox.OpenLocal(b.Path, write)
	case interface{ Inbox() inbox.Store }:
		return b.Inbox(), nil
	}
	return nil, fmt.Errorf("the %s backend keeps no callback inbox", b.Describe())
}

// receiver builds the inbox's HTTP side: a verifier for every provider
// block, by the gateway's mount name. Blocks with sandbox = true are
// left out: their emulator lives inside each payform command and sends
// no callbacks; what it would send comes from `payform sandbox serve`.
func (a *app) receiver(cfg *schema.Config, provs map[string]providers.Provider, box inbox.Store) (*inbox.Receiver, []string) {
	rv := &inbox.Receiver{Store: box, Gateways: map[string][]*inbox.Verifier{}, Now: a.now, Timeout: 30 * time.Second}
	for _, g := range a.gateways {
		rv.Known = append(rv.Known, g.Name)
	}
	var notes []string
	for _, p := range cfg.Providers {
		if p.Sandbox {
			notes = append(notes, fmt.Sprintf("provider %s has sandbox = true: its emulator runs inside each command and sends no callbacks; point the block at payform sandbox serve to receive them", p.Name()))
			continue
		}
		v := verifier.For(p.Name(), p.Account(), provs[p.Name()])
		if v == nil {
			notes = append(notes, fmt.Sprintf("provider %s: %s sends nothing payform can verify", p.Name(), p.Gateway.Title))
			continue
		}
		rv.Gateways[p.Gateway.Name] = append(rv.Gateways[p.Gateway.Name], v)
	}
	return rv, notes
}

// accountsSeen returns, for every gateway account the inbox holds an
// accepted callback from, when the last one came.
func accountsSeen(ctx context.Context, box inbox.Store) (map[string]time.Time, error) {
	seen := map[string]time.Time{}
	err := box.Items(ctx, 0, func(it *inbox.Item) error {
		if it.Verdict == inbox.Accepted && it.ReceivedAt.After(seen[it.Account]) {
			seen[it.Account] = it.ReceivedAt
		}
		return nil
	})
	return seen, err
}

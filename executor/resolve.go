package executor

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// ResolveAdopt settles an in-doubt item by an operator's word that the
// gateway object with id is the one: it reads the object from the gateway
// and adopts it only if its key and amount (where the gateway reports
// them) match the record. The entry names the operator (the store's
// actor).
func ResolveAdopt(ctx context.Context, store *state.Store, prov providers.Provider, addr, id string) (*state.Resource, error) {
	rec, err := inDoubt(store, addr)
	if err != nil {
		return nil, err
	}
	objs, err := prov.Refresh(ctx, []providers.Ref{{Kind: providers.Kind(rec.Kind), Key: rec.Key, ID: id, CreatedAt: rec.CreatedAt}})
	if errors.Is(err, providers.ErrUnsupported) {
		return nil, fmt.Errorf("%s cannot read its objects back, so payform cannot check %s; nothing was settled", rec.Provider, id)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s from %s: %w", id, rec.Provider, err)
	}
	var found *providers.Object
	for i := range objs {
		if objs[i].ID == id {
			found = &objs[i]
		}
	}
	keyAttr := schema.KeyAttr(providers.Kind(rec.Kind))
	if found == nil {
		return nil, fmt.Errorf("%s has no %s %s with %s %q; check the id (it must be the object made for this key)", rec.Provider, rec.Kind, id, keyAttr, rec.Key)
	}
	if found.Key != "" && found.Key != rec.Key {
		return nil, fmt.Errorf("%s %s has %s %q, but %s is %q: refused", rec.Provider, id, keyAttr, found.Key, addr, rec.Key)
	}
	if want, err := decimal.NewFromString(rec.Amount); err == nil && !found.Amount.IsZero() && !found.Amount.Equal(want) {
		return nil, fmt.Errorf("%s %s is for %s %s, but %s declares %s %s: refused", rec.Provider, id, found.Amount, rec.Currency, addr, want, rec.Currency)
	}
	note := "settled by an operator: the gateway's object " + id + " was checked"
	if found.Amount.IsZero() {
		note += " (the gateway does not report its amount: only the key could be checked)"
	}
	status := string(found.Status)
	if status == "" {
		status = string(providers.StatusSubmitted)
	}
	err = store.Record(&state.Entry{
		Op: state.OpResolve, Address: addr, Provider: rec.Provider, Key: rec.Key,
		Result: &state.Result{Outcome: state.OutcomeAdopted, ID: id, Status: status, RawStatus: found.RawStatus,
			Remote: remoteFields(providers.Kind(rec.Kind), *found), Note: note},
	}, true)
	if err != nil {
		return nil, err
	}
	return store.State().Resource(addr), nil
}

// ResolveNotCreated settles an in-doubt item by an operator's word that
// the gateway made nothing for it: the record goes, so the next apply
// sends the key again. The entry names the operator.
func ResolveNotCreated(store *state.Store, addr string) error {
	rec, err := inDoubt(store, addr)
	if err != nil {
		return err
	}
	return store.Record(&state.Entry{
		Op: state.OpResolve, Address: addr, Provider: rec.Provider, Key: rec.Key,
		Result: &state.Result{Outcome: state.OutcomeNotCreated, Note: "settled by an operator: the gateway made nothing for this key; the next apply sends it again"},
	}, true)
}

func inDoubt(store *state.Store, addr string) (*state.Resource, error) {
	rec := store.State().Resource(addr)
	switch {
	case rec == nil:
		return nil, fmt.Errorf("%s is not in the state", addr)
	case !rec.InDoubt():
		return nil, fmt.Errorf("%s is not in doubt (it is %s, id %s): there is nothing to settle", addr, rec.Status, orDash(rec.ID))
	}
	return rec, nil
}

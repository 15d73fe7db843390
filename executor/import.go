package executor

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/payform/payform/internal/shell"
	"github.com/payform/payform/planner"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// Import adopts the gateway object with id as the declared resource r,
// after reading it from the gateway and checking that it is the declared
// one (key, amount, currency, address). It makes no create call. The
// record is journaled as an adoption by the store's actor.
func Import(ctx context.Context, store *state.Store, prov providers.Provider, r *schema.Resource, id string) (*state.Resource, error) {
	addr := r.Addr.String()
	st := store.State()
	if st.Resource(addr) != nil {
		return nil, fmt.Errorf("%s is already managed; payform state show %s shows its record", addr, shell.Quote(addr))
	}
	c := planner.NewChange(r, planner.Adopt)
	if r.Kind != providers.DepositAddress {
		for _, list := range [][]*state.Resource{st.List(), st.ForgottenList()} {
			for _, o := range list {
				k := o.KeyRef()
				if (k.Provider == c.Scope || k.Provider == c.Provider) && k.Kind == string(c.Kind) && strings.EqualFold(k.Key, c.Key) && o.ID != id {
					return nil, fmt.Errorf("%s %q was already used by %s (id %s); merchant keys are single-use, so %s cannot be imported under it", schema.KeyAttr(r.Kind), r.Key, o.Address, orDash(o.ID), id)
				}
			}
		}
	}
	objs, err := prov.Refresh(ctx, []providers.Ref{{Kind: r.Kind, Key: r.Key, ID: id}})
	if errors.Is(err, providers.ErrUnsupported) {
		return nil, fmt.Errorf("%s cannot read its objects, so payform cannot check that %s is %s; nothing was imported", c.Provider, id, addr)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s from %s: %w", id, c.Provider, err)
	}
	var found *providers.Object
	for i, o := range objs {
		if o.ID == id || (o.ID == "" && o.Key == r.Key) {
			found = &objs[i]
		}
	}
	switch {
	case found == nil:
		return nil, fmt.Errorf("%s has no %s with id %s and %s %q", c.Provider, r.Kind, id, schema.KeyAttr(r.Kind), r.Key)
	case found.Key != "" && found.Key != r.Key:
		return nil, fmt.Errorf("%s's %s %s has %s %q, but %s declares %q", c.Provider, r.Kind, id, schema.KeyAttr(r.Kind), found.Key, addr, r.Key)
	}
	if diff := planner.Mismatch(c, *found, false); diff != "" {
		return nil, fmt.Errorf("%s's %s %s differs from %s: %s; nothing was imported", c.Provider, r.Kind, id, addr, diff)
	}
	if found.ID == "" {
		found.ID = id
	}
	status := string(found.Status)
	if status == "" {
		status = string(providers.StatusSubmitted)
	}
	err = store.Record(&state.Entry{
		Op: state.OpAdopt, Address: addr, Provider: c.Provider, Scope: c.Scope, Key: c.Key, Object: c.Declared(),
		Result: &state.Result{Outcome: state.OutcomeAdopted, ID: found.ID, Status: status, RawStatus: found.RawStatus,
			Remote: remoteFields(r.Kind, *found), Note: "imported with payform import; checked against the gateway"},
	}, true)
	if err != nil {
		return nil, err
	}
	return store.State().Resource(addr), nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

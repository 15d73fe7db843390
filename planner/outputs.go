package planner

import (
	"sort"

	"github.com/zclconf/go-cty/cty"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// OutputData returns what the state holds as values for output blocks:
// payout.NAME and deposit_address_pool.NAME, each an object per instance
// (a map by key for blocks with for_each). Deposit addresses carry their
// address and tag. Items in doubt are left out until they are settled: an
// application reading outputs must get only what exists. A block the
// configuration declares with nothing in the state yet is still there, so
// outputs that name it evaluate: a block with for_each as an empty map, one
// without as an object whose attributes are null.
func OutputData(st *state.State, declared []*schema.Resource) map[string]cty.Value {
	type block struct {
		keyed bool
		items map[string]cty.Value
	}
	byType := map[string]map[string]*block{}
	for _, r := range st.List() {
		if r.InDoubt() {
			continue
		}
		addr, err := schema.ParseAddr(r.Address)
		if err != nil {
			continue
		}
		names := byType[addr.Type]
		if names == nil {
			names = map[string]*block{}
			byType[addr.Type] = names
		}
		b := names[addr.Name]
		if b == nil {
			b = &block{keyed: addr.HasKey, items: map[string]cty.Value{}}
			names[addr.Name] = b
		}
		b.items[addr.Key] = resourceValue(r)
	}
	for _, d := range declared {
		names := byType[d.Addr.Type]
		if names == nil {
			names = map[string]*block{}
			byType[d.Addr.Type] = names
		}
		b := names[d.Addr.Name]
		if b == nil {
			b = &block{keyed: d.Addr.HasKey, items: map[string]cty.Value{}}
			names[d.Addr.Name] = b
		}
		if _, ok := b.items[""]; !b.keyed && !ok {
			b.items[""] = nullValue(d)
		}
	}
	out := map[string]cty.Value{}
	for typ, names := range byType {
		obj := map[string]cty.Value{}
		for name, b := range names {
			if !b.keyed {
				obj[name] = b.items[""]
				continue
			}
			obj[name] = cty.ObjectVal(b.items) // elements may differ in type; indexing works the same
		}
		out[typ] = cty.ObjectVal(obj)
	}
	// Blocks with nothing in state yet are empty maps, so outputs that
	// name them evaluate.
	for _, typ := range []string{"payout", "deposit_address_pool"} {
		if _, ok := out[typ]; !ok {
			out[typ] = cty.EmptyObjectVal
		}
	}
	return out
}

func resourceValue(r *state.Resource) cty.Value {
	str := func(s string) cty.Value {
		if s == "" {
			return cty.NullVal(cty.String)
		}
		return cty.StringVal(s)
	}
	if r.Kind == string(providers.DepositAddress) {
		return cty.ObjectVal(map[string]cty.Value{
			"foreign_id": str(r.Key), "currency": str(r.Currency),
			"address": str(r.Remote["address"]), "tag": str(r.Remote["tag"]),
			"id": str(r.ID), "status": str(r.Status),
		})
	}
	attrs := map[string]cty.Value{
		"key": str(r.Key), "amount": str(r.Amount), "currency": str(r.Currency),
		"id": str(r.ID), "status": str(r.Status),
	}
	names := make([]string, 0, len(r.Attrs))
	for k := range r.Attrs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		attrs[k] = str(r.Attrs[k])
	}
	if r.Kind == string(providers.Payout) {
		attrs["foreign_id"] = str(r.Key)
		if _, ok := attrs["tag"]; !ok {
			attrs["tag"] = cty.NullVal(cty.String)
		}
	}
	return cty.ObjectVal(attrs)
}

// nullValue is what an output sees of a block without for_each that the
// state does not hold yet: its attributes, each null.
func nullValue(d *schema.Resource) cty.Value {
	r := &state.Resource{Kind: string(d.Kind), Attrs: map[string]string{}}
	for k := range d.Attrs {
		r.Attrs[k] = ""
	}
	return resourceValue(r)
}

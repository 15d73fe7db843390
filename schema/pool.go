package schema

import (
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers"
)

var poolSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "currencies", Required: true},
	{Name: "foreign_ids", Required: true},
}}

// decodePool decodes a deposit_address_pool block: one resource per
// (foreign_id, currency) pair of every instance, addressed
// deposit_address_pool.NAME["FOREIGN_ID/CURRENCY"]. for_each only feeds
// the lists (e.g. customers from a CSV); its keys do not appear in
// addresses.
func (l *loader) decodePool(b *hcl.Block, meta *blockMeta, rest hcl.Body) {
	content, diags := rest.Content(poolSchema)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() || meta.provider == nil {
		return
	}
	attrs := content.Attributes
	ranges := map[string]hcl.Range{}
	for name, a := range attrs {
		ranges[name] = a.Expr.Range()
	}
	name := b.Labels[0]
	seen := map[string]string{} // pair → the instance that declared it
	for i := range meta.instances {
		inst := &meta.instances[i]
		where := inst.addr.String()
		ids, ok1 := l.evalStringList(attrs["foreign_ids"], inst.evalContext(), where)
		curs, ok2 := l.evalStringList(attrs["currencies"], inst.evalContext(), where)
		if !ok1 || !ok2 {
			continue
		}
		var good []money.Currency
		for _, c := range curs {
			cur, ok := l.checkCurrencyAt(c, attrs["currencies"].Expr.Range().Ptr(), meta.provider.Gateway, where)
			if !ok {
				continue
			}
			if cur.Fiat {
				l.errorf(attrs["currencies"].Expr.Range().Ptr(), "Fiat currency in a pool", "%s: %s is a fiat currency; deposit addresses exist only for crypto currencies.", where, cur.Code)
				continue
			}
			good = append(good, cur)
		}
		for _, id := range ids {
			if msg := keyCheck(id); msg != "" {
				l.errorf(attrs["foreign_ids"].Expr.Range().Ptr(), "Invalid foreign_id", "%s: foreign_id %s %s.", where, quote(id), msg)
				continue
			}
			for _, cur := range good {
				pair := id + "/" + cur.Code
				if prev, dup := seen[pair]; dup {
					if prev != where {
						l.errorf(attrs["foreign_ids"].Expr.Range().Ptr(), "Duplicate customer and currency",
							"%s: %s is also declared by %s. A customer gets one address per currency: declare each pair once.", where, pair, prev)
					}
					continue
				}
				seen[pair] = where
				l.cfg.Resources = append(l.cfg.Resources, &Resource{
					Addr:     Addr{Type: b.Type, Name: name, Key: pair, HasKey: true},
					Kind:     providers.DepositAddress,
					Provider: meta.provider, Key: id, Currency: cur.Code,
					Ranges: ranges, DeclRange: b.DefRange,
				})
			}
		}
	}
}

// evalStringList evaluates a list (or set, or tuple) of strings; a single
// string is a list of one.
func (l *loader) evalStringList(a *hcl.Attribute, ctx *hcl.EvalContext, inst string) ([]string, bool) {
	val, diags := eval(a.Expr, ctx)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() || !val.IsWhollyKnown() {
		return nil, false
	}
	rng := a.Expr.Range().Ptr()
	if val.ContainsMarked() {
		l.errorf(rng, "Sensitive value in "+a.Name, "%s%s is derived from a sensitive variable; it would be stored in the state.", prefix(inst), a.Name)
		return nil, false
	}
	if val.IsNull() {
		l.errorf(rng, "Missing value", "%s%s must not be null.", prefix(inst), a.Name)
		return nil, false
	}
	ty := val.Type()
	if ty == cty.String {
		return []string{val.AsString()}, true
	}
	if !(ty.IsListType() || ty.IsSetType() || ty.IsTupleType()) {
		l.errorf(rng, "Invalid "+a.Name, "%s%s must be a list of strings, not %s.", prefix(inst), a.Name, ty.FriendlyName())
		return nil, false
	}
	var out []string
	for it := val.ElementIterator(); it.Next(); {
		_, v := it.Element()
		if v.IsNull() || v.Type() != cty.String {
			l.errorf(rng, "Invalid "+a.Name, "%s%s must contain only strings.", prefix(inst), a.Name)
			return nil, false
		}
		out = append(out, v.AsString())
	}
	sort.Strings(out)
	return out, true
}

package schema

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/payform/payform/providers"
)

// metaSchema holds the attributes every resource block has; decoding
// takes them first, then the kind's own attributes from the rest.
var metaSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "for_each"}, {Name: "provider"}}}

// resourceKinds maps block types to kinds and their decoders, in the order
// they are decoded.
var resourceKinds = []struct {
	block  string
	kind   providers.Kind
	decode func(l *loader, b *hcl.Block, meta *blockMeta, rest hcl.Body)
}{
	{"payout", providers.Payout, (*loader).decodePayout},
	{"deposit_address_pool", providers.DepositAddress, (*loader).decodePool},
	{"invoice_batch", providers.Invoice, (*loader).decodeInvoiceBatch},
}

// blockMeta is the generic part of a resource block.
type blockMeta struct {
	provider  *Provider
	instances []instance
}

// instance is one for_each element (or the single instance of a block
// without for_each). An instance of a CSV for_each (each_csv.go) has its
// row instead of a context until one is needed: use evalContext.
type instance struct {
	addr   Addr
	ctx    *hcl.EvalContext
	rows   *eachRows
	fields []string
}

func (l *loader) decodeResources(byType map[string][]*hcl.Block) {
	ctx := l.evalContext()
	for _, rk := range resourceKinds {
		seen := map[string]*hcl.Block{}
		for _, b := range byType[rk.block] {
			name := b.Labels[0]
			if !hclsyntax.ValidIdentifier(name) {
				l.errorf(b.LabelRanges[0].Ptr(), "Invalid block name", "%q is not a valid name: use letters, digits, underscores and dashes, starting with a letter.", name)
				continue
			}
			if prev := seen[name]; prev != nil {
				l.errorf(b.DefRange.Ptr(), "Duplicate "+rk.block+" block", "%s.%s is also declared at %s; each block needs its own name.", rk.block, name, prev.DefRange)
				continue
			}
			seen[name] = b
			content, rest, diags := b.Body.PartialContent(metaSchema)
			l.diags = append(l.diags, diags...)
			meta := &blockMeta{provider: l.resolveProvider(b, content.Attributes["provider"], rk.kind)}
			meta.instances = l.expand(rk.block, name, content.Attributes["for_each"], ctx)
			rk.decode(l, b, meta, rest)
		}
	}
}

// resolveProvider finds the provider a block names (provider = wllxpay or
// wllxpay.eu), or the only provider block when it names none.
func (l *loader) resolveProvider(b *hcl.Block, a *hcl.Attribute, kind providers.Kind) *Provider {
	var p *Provider
	if a == nil {
		switch len(l.cfg.Providers) + len(l.failedProviders) {
		case 1:
			if len(l.cfg.Providers) == 0 {
				return nil // the provider block's own error says what to fix
			}
			p = l.cfg.Providers[0]
		case 0:
			l.errorf(b.DefRange.Ptr(), "No provider", "%s.%s needs a provider, and there is no provider block. Add one, e.g. provider \"wllxpay\" { sandbox = true }.", b.Type, b.Labels[0])
			return nil
		default:
			l.errorf(b.DefRange.Ptr(), "Missing provider", "%s.%s must say which provider sends it: there are %d provider blocks (%s). Add provider = NAME.",
				b.Type, b.Labels[0], len(l.cfg.Providers)+len(l.failedProviders), providerNames(l.cfg.Providers))
			return nil
		}
	} else {
		tr, diags := hcl.AbsTraversalForExpr(a.Expr)
		name := ""
		if !diags.HasErrors() {
			switch len(tr) {
			case 1:
				name = tr.RootName()
			case 2:
				if step, ok := tr[1].(hcl.TraverseAttr); ok {
					name = tr.RootName() + "." + step.Name
				}
			}
		}
		if name == "" {
			l.errorf(a.Expr.Range().Ptr(), "Invalid provider reference", "provider must be a provider name such as wllxpay or wllxpay.eu (without quotes).")
			return nil
		}
		p = l.cfg.Provider(name)
		if p == nil && l.failedProviders[tr.RootName()] {
			return nil // the provider block's own error says what to fix
		}
		if p == nil {
			l.errorf(a.Expr.Range().Ptr(), "Unknown provider", "there is no provider %q. Configured: %s.%s", name, providerNames(l.cfg.Providers), suggest(name, providerNameList(l.cfg.Providers)))
			return nil
		}
	}
	if _, ok := p.Gateway.Supports(kind); !ok {
		rng := b.DefRange
		if a != nil {
			rng = a.Expr.Range()
		}
		l.errorf(&rng, "Unsupported resource", "%s does not handle %s resources.", p.Gateway.Title, b.Type)
		return nil
	}
	return p
}

func providerNameList(ps []*Provider) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name()
	}
	return out
}

func providerNames(ps []*Provider) string {
	if len(ps) == 0 {
		return "none"
	}
	return strings.Join(providerNameList(ps), ", ")
}

// expand evaluates for_each into instances, each with `each.key` and
// `each.value` in its context.
func (l *loader) expand(blockType, name string, a *hcl.Attribute, ctx *hcl.EvalContext) []instance {
	if a == nil {
		return []instance{{addr: Addr{Type: blockType, Name: name}, ctx: ctx}}
	}
	if !l.hclOnly {
		if out, ok := l.expandCSV(blockType, name, a, ctx); ok {
			return out
		}
	}
	val, diags := a.Expr.Value(ctx)
	for _, d := range diags {
		if d.Summary == "Duplicate object key" {
			explainDuplicateKey(d, blockType+"."+name)
		}
	}
	hideSensitive(a.Expr, ctx, diags)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() || !val.IsWhollyKnown() {
		return nil
	}
	rng := a.Expr.Range()
	if val.IsMarked() {
		l.errorf(&rng, "Sensitive for_each", "for_each is derived from a sensitive variable; instance keys are stored in the state.")
		return nil
	}
	if val.IsNull() {
		l.errorf(&rng, "Invalid for_each", "for_each is null; give a map, or a set of strings.")
		return nil
	}
	ty := val.Type()
	isSet := ty.IsSetType()
	if !(ty.IsMapType() || ty.IsObjectType() || isSet) {
		hint := ""
		if ty.IsListType() || ty.IsTupleType() {
			hint = " Convert a list of strings with toset(...), or a list of objects with { for v in LIST : v.id => v }."
		}
		l.errorf(&rng, "Invalid for_each", "for_each must be a map or a set of strings, not %s.%s", ty.FriendlyName(), hint)
		return nil
	}
	if isSet && !ty.ElementType().Equals(cty.String) {
		l.errorf(&rng, "Invalid for_each", "for_each over a set needs a set of strings, not %s.", ty.FriendlyName())
		return nil
	}
	out := make([]instance, 0, val.LengthInt())
	for it := val.ElementIterator(); it.Next(); {
		k, v := it.Element()
		if isSet {
			if v.IsNull() {
				l.errorf(&rng, "Invalid for_each", "for_each set has a null element.")
				continue
			}
			k = v
		}
		key := k.AsString()
		child := ctx.NewChild()
		child.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": k, "value": v})}
		out = append(out, instance{addr: Addr{Type: blockType, Name: name, Key: key, HasKey: true}, ctx: child})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].addr.Key < out[j].addr.Key })
	return out
}

// explainDuplicateKey replaces the detail of HCL's "Duplicate object key"
// in a for_each, which suggests grouping by key with "...": for_each
// keys name instances, so a repeated one is a mistake in the data.
func explainDuplicateKey(d *hcl.Diagnostic, block string) {
	key := "the same key"
	if d.Expression != nil && d.EvalContext != nil {
		if k, diags := d.Expression.Value(d.EvalContext); !diags.HasErrors() && k.IsKnown() && !k.IsMarked() && k.Type() == cty.String && !k.IsNull() {
			key = "the key " + quote(k.AsString())
		}
	}
	d.Detail = fmt.Sprintf("Two items of this for_each produced %s, but each key names one instance of %s and must be unique. Remove or correct the repeated item, for example a CSV row listed twice.", key, block)
}

// keyCheck reports a merchant key that gateways may not take, or that
// could hide a duplicate: empty, too long, or outside printable ASCII.
func keyCheck(key string) string {
	if key == "" {
		return "is empty"
	}
	if len(key) > maxKeyLen {
		return fmt.Sprintf("is %d bytes long; merchant keys are limited to %d", len(key), maxKeyLen)
	}
	for _, r := range key {
		if r < 0x21 || r > 0x7e {
			if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
				return "contains whitespace; merchant keys are limited to printable ASCII without spaces"
			}
			return fmt.Sprintf("contains %q (U+%04X); merchant keys are limited to printable ASCII, so that look-alike characters cannot hide a duplicate", r, r)
		}
	}
	return ""
}

// maxKeyLen bounds merchant keys.
const maxKeyLen = 128

// checkDuplicateKeys refuses two instances with the same merchant key at
// the same provider, naming both, and keeps only the first.
func (l *loader) checkDuplicateKeys() {
	type scope struct {
		provider string
		kind     providers.Kind
		key      string
	}
	first := make(map[scope]*Resource, len(l.cfg.Resources))
	kept := l.cfg.Resources[:0]
	valid := len(l.cfg.Resources)
	all := l.cfg.Resources
	if len(l.refused) > 0 {
		all = append(slices.Clip(all), l.refused...)
	}
	for i, r := range all {
		// Keys are unique per realm, and without regard to case: a gateway
		// that compares keys case-insensitively would take the second as a
		// repeat of the first.
		s := scope{r.Provider.Realm(), r.Kind, strings.ToLower(UniqueKey(r.Kind, r.Key, r.Currency))}
		prev := first[s]
		if prev == nil {
			first[s] = r
			if i < valid {
				kept = append(kept, r)
			}
			continue
		}
		at := r.Provider.Name()
		if r.Kind == providers.DepositAddress {
			l.errorf(r.Range("foreign_ids").Ptr(), "Duplicate customer and currency",
				"%s: customer %q and %s are also declared by %s (%s). A customer gets one address per currency at %s: declare each pair once.",
				r.Addr, r.Key, r.Currency, prev.Addr, prev.Range("foreign_ids"), at)
			continue
		}
		attr := KeyAttr(r.Kind)
		if pn := prev.Provider.Name(); pn != at {
			at = fmt.Sprintf("one gateway endpoint (providers %s and %s point at the same one, where keys are shared)", pn, at)
		}
		if prev.Key != r.Key {
			l.errorf(r.Range(attr).Ptr(), "Duplicate "+attr,
				"%s %q of %s differs only in case from the %s %q of %s (%s). A gateway may compare keys without regard to case and take one for a repeat of the other: give each a key of its own.",
				attr, r.Key, r.Addr, attr, prev.Key, prev.Addr, prev.Range(attr))
			continue
		}
		l.errorf(r.Range(attr).Ptr(), "Duplicate "+attr,
			"%s %q of %s is also the %s of %s (%s). A %s identifies one %s at %s: give each its own.",
			attr, r.Key, r.Addr, attr, prev.Addr, prev.Range(attr), attr, r.Kind, at)
	}
	l.cfg.Resources = kept
	l.refused = nil
}

// UniqueKey is what must be unique per gateway account: the merchant key,
// or for deposit addresses the customer's foreign_id with the currency
// (one address per customer and currency; the foreign_id itself repeats).
func UniqueKey(kind providers.Kind, key, currency string) string {
	if kind == providers.DepositAddress {
		return key + "/" + currency
	}
	return key
}

package schema

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers"
)

var payoutSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "foreign_id", Required: true},
	{Name: "currency", Required: true},
	{Name: "amount", Required: true},
	{Name: "address", Required: true},
	{Name: "tag"},
}}

// decodePayout decodes a payout block into one Resource per instance.
func (l *loader) decodePayout(b *hcl.Block, meta *blockMeta, rest hcl.Body) {
	content, diags := rest.Content(payoutSchema)
	l.diags = append(l.diags, diags...)
	if meta.provider == nil {
		return
	}
	attrs := content.Attributes
	for _, a := range payoutSchema.Attributes {
		if a.Required && attrs[a.Name] == nil {
			return // its own error says which; nothing to check without it
		}
	}
	ranges := map[string]hcl.Range{}
	for name, a := range attrs {
		ranges[name] = a.Expr.Range()
	}
	// A block with an error of its own (an unsupported argument) still
	// has its values checked, so that every error comes in one run; none
	// of its instances is kept.
	bad := diags.HasErrors()
	for i := range meta.instances {
		r := l.decodePayoutInstance(b, meta.provider, &meta.instances[i], attrs, ranges)
		switch {
		case r == nil:
		case bad:
			l.refused = append(l.refused, r)
		default:
			l.cfg.Resources = append(l.cfg.Resources, r)
		}
	}
}

func (l *loader) decodePayoutInstance(b *hcl.Block, p *Provider, inst *instance, attrs hcl.Attributes, ranges map[string]hcl.Range) *Resource {
	name := inst.addr.String()
	ok := true
	key, kok := l.instString(inst, attrs["foreign_id"], true, name)
	if kok {
		if msg := keyCheck(key); msg != "" {
			l.errorf(attrs["foreign_id"].Expr.Range().Ptr(), "Invalid foreign_id", "%s: foreign_id %s %s.", name, quote(key), msg)
			kok = false
		}
	}
	cur, cok := l.evalCurrency(inst, attrs["currency"], p.Gateway, name)
	amount, aok := l.instAmount(inst, attrs["amount"], name)
	if aok && cok {
		if err := money.CheckPrecision(amount, cur); err != nil {
			l.errorf(attrs["amount"].Expr.Range().Ptr(), "Invalid amount", "%s: amount %s %s.", name, amount, err)
			aok = false
		}
	}
	address, dok := l.instString(inst, attrs["address"], true, name)
	if dok && cok {
		if err := money.ValidateAddress(cur.Code, address); err != nil {
			var ae *money.AddressError
			msg := err.Error()
			if errors.As(err, &ae) {
				msg = "is not a valid " + cur.Code + " address: " + ae.Reason + otherNetwork(cur, address, p.Gateway)
			}
			l.errorf(attrs["address"].Expr.Range().Ptr(), "Invalid address", "%s: address %s %s.", name, quote(address), msg)
			dok = false
		}
	}
	var tag string
	if a := attrs["tag"]; a != nil {
		t, set, tok := l.instOptionalString(inst, a, true, name)
		// An empty tag is no tag: a CSV with a tag column has one in
		// every row, empty where the chain takes none.
		set = set && t != ""
		switch {
		case !tok:
			ok = false
		case set && len(t) > maxTag:
			l.errorf(a.Expr.Range().Ptr(), "Invalid tag", "%s: tag is %d bytes; a destination tag or memo is limited to %d.", name, len(t), maxTag)
			ok = false
		case set && cok && cur.Tag == money.NoTag:
			l.errorf(a.Expr.Range().Ptr(), "Unexpected tag", "%s: %s addresses take no destination tag; remove tag (or set it to null).", name, cur.Code)
			ok = false
		case set && cok && cur.Chain == money.ChainRipple:
			if n, err := strconv.ParseUint(t, 10, 32); err != nil || strings.HasPrefix(t, "+") {
				l.errorf(a.Expr.Range().Ptr(), "Invalid tag", "%s: an XRP destination tag is a whole number from 0 to 4294967295, not %s.", name, quote(t))
				ok = false
			} else {
				t = strconv.FormatUint(n, 10)
			}
		}
		tag = t
	}
	if cok && cur.Tag == money.TagRequired && tag == "" && ok {
		l.warnf(attrs["address"].Expr.Range().Ptr(), "Payout without destination tag", "%s: %s payouts to exchanges and custodial wallets need a destination tag; without one the funds may be lost. Set tag if the recipient gave one.", name, cur.Code)
	}
	if !(ok && kok && cok && aok && dok) {
		if kok {
			l.refused = append(l.refused, &Resource{Addr: inst.addr, address: name, Kind: providers.Payout, Provider: p,
				Key: key, Currency: cur.Code, Ranges: ranges, DeclRange: b.DefRange})
		}
		return nil
	}
	r := &Resource{
		Addr: inst.addr, address: name, Kind: providers.Payout, Provider: p,
		Key: key, Amount: amount, Currency: cur.Code,
		Attrs:  map[string]string{"address": address},
		Ranges: ranges, DeclRange: b.DefRange,
	}
	if tag != "" {
		r.Attrs["tag"] = tag
	}
	return r
}

// evalCurrency evaluates an instance's currency code and checks the
// gateway takes it.
func (l *loader) evalCurrency(in *instance, a *hcl.Attribute, gw providers.Gateway, inst string) (money.Currency, bool) {
	code, ok := l.instString(in, a, true, inst)
	if !ok {
		return money.Currency{}, false
	}
	return l.checkCurrencyAt(code, a.Expr.Range().Ptr(), gw, inst)
}

// checkCurrencyAt checks a currency code written at rng: known to payform
// and taken by the gateway.
func (l *loader) checkCurrencyAt(code string, rng *hcl.Range, gw providers.Gateway, inst string) (money.Currency, bool) {
	cur, known := money.Lookup(code)
	if !known {
		hint := suggest(code, gw.Currencies)
		if up := strings.ToUpper(strings.TrimSpace(code)); up != code {
			if _, ok := money.Lookup(up); ok {
				what := "upper case"
				if strings.TrimSpace(code) != code {
					what = "upper case, without spaces"
				}
				hint = " Currency codes are " + what + ": did you mean \"" + up + "\"?"
			}
		}
		l.errorf(rng, "Unknown currency", "%s: currency %s is not one payform knows.%s", inst, quote(code), hint)
		return money.Currency{}, false
	}
	if !gw.HasCurrency(code) {
		l.errorf(rng, "Unsupported currency", "%s: %s does not handle %s. It handles: %s.", inst, gw.Title, code, strings.Join(gw.Currencies, ", "))
		return money.Currency{}, false
	}
	return cur, true
}

// maxTag bounds a destination tag or memo.
const maxTag = 128

// otherNetwork suggests the currency an address belongs to when it is the
// same token on another chain the gateway takes ("USDT" with a Tron
// address: did you mean "USDTT"?). Empty when there is none.
func otherNetwork(cur money.Currency, address string, gw providers.Gateway) string {
	family := func(c money.Currency) string {
		name, _, _ := strings.Cut(c.Name, " (")
		return name
	}
	var fits []string
	for _, code := range gw.Currencies {
		other, ok := money.Lookup(code)
		if !ok || code == cur.Code || other.Fiat || family(other) != family(cur) {
			continue
		}
		if money.ValidateAddress(code, address) == nil {
			fits = append(fits, code)
		}
	}
	switch len(fits) {
	case 0:
		return ""
	case 1:
		o, _ := money.Lookup(fits[0])
		return fmt.Sprintf(". It is a valid %s address: for %s on that chain, set currency = %q", o.Name, family(cur), fits[0])
	}
	return fmt.Sprintf(". It is a valid address for %s: set currency to the one meant", strings.Join(fits, ", "))
}

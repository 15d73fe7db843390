package schema

import (
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers"
)

// invoiceFields are the batch- and invoice-level attributes besides
// amount and currency; each gateway takes some of them
// (Gateway.InvoiceFields). completed_url is MilaCoins' name for
// success_url.
var invoiceFields = []string{
	providers.FieldTitle, providers.FieldDescription, providers.FieldCallbackURL, providers.FieldSuccessURL,
	providers.FieldCancelURL, providers.FieldPendingURL, providers.FieldWallet, providers.FieldPayCurrency, providers.FieldPayer,
	providers.FieldBlockchains, providers.FieldCustomerEmail, providers.FieldExpiresAt,
}

const completedURL = "completed_url"

func invoiceAttrSchema(withInvoices bool) *hcl.BodySchema {
	s := &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "currency"}, {Name: "amount"}, {Name: completedURL}}}
	for _, f := range invoiceFields {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: f})
	}
	if withInvoices {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: "invoices"})
		s.Blocks = []hcl.BlockHeaderSchema{{Type: "invoice", LabelNames: []string{"key"}}}
	}
	return s
}

// value is one attribute of an invoice: from the batch, a nested invoice
// block, or an entry of the invoices map.
type value struct {
	val cty.Value
	rng hcl.Range
}

// decodeInvoiceBatch decodes an invoice_batch block: one resource per
// invoice, addressed invoice_batch.NAME["KEY"], where KEY is the merchant
// key (order_id, externalID, refnum). Invoices come from nested invoice
// "KEY" {} blocks and from an invoices = { KEY = {...} } map; an invoice's
// values override the batch's.
func (l *loader) decodeInvoiceBatch(b *hcl.Block, meta *blockMeta, rest hcl.Body) {
	content, diags := rest.Content(invoiceAttrSchema(true))
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() || meta.provider == nil {
		return
	}
	if len(meta.instances) != 1 || meta.instances[0].addr.HasKey {
		l.errorf(b.DefRange.Ptr(), "for_each on an invoice batch", "invoice_batch.%s: give many invoices with invoices = { for r in ... : r.order_id => r } instead of for_each; each invoice is addressed by its own key.", b.Labels[0])
		return
	}
	ctx := meta.instances[0].evalContext()
	batch := l.evalInvoiceAttrs(content.Attributes, ctx, "invoice_batch."+b.Labels[0])
	if batch == nil {
		return
	}
	seen := map[string]hcl.Range{}
	add := func(key string, keyRng hcl.Range, attrs map[string]value) {
		if prev, dup := seen[key]; dup {
			l.errorf(&keyRng, "Duplicate invoice", "invoice_batch.%s: invoice %s is also declared at %s; each invoice key is one invoice.", b.Labels[0], quote(key), prev)
			return
		}
		seen[key] = keyRng
		merged := map[string]value{}
		for k, v := range batch {
			merged[k] = v
		}
		for k, v := range attrs {
			merged[k] = v
		}
		if r := l.invoiceResource(b, meta.provider, key, keyRng, merged); r != nil {
			l.cfg.Resources = append(l.cfg.Resources, r)
		}
	}
	for _, ib := range content.Blocks {
		ic, diags := ib.Body.Content(invoiceAttrSchema(false))
		l.diags = append(l.diags, diags...)
		if diags.HasErrors() {
			continue
		}
		inst := "invoice_batch." + b.Labels[0] + "[" + quote(ib.Labels[0]) + "]"
		if attrs := l.evalInvoiceAttrs(ic.Attributes, ctx, inst); attrs != nil {
			add(ib.Labels[0], ib.LabelRanges[0], attrs)
		}
	}
	if a := content.Attributes["invoices"]; a != nil {
		l.decodeInvoiceMap(a, ctx, b.Labels[0], add)
	}
}

// evalInvoiceAttrs evaluates the invoice attributes present; nil when one
// failed (it was reported).
func (l *loader) evalInvoiceAttrs(attrs hcl.Attributes, ctx *hcl.EvalContext, inst string) map[string]value {
	out := map[string]value{}
	ok := true
	for name, a := range attrs {
		if name == "invoices" {
			continue
		}
		val, diags := eval(a.Expr, ctx)
		l.diags = append(l.diags, diags...)
		if diags.HasErrors() || !val.IsWhollyKnown() {
			ok = false
			continue
		}
		if name == completedURL {
			name = providers.FieldSuccessURL
		}
		out[name] = value{val, a.Expr.Range()}
	}
	if !ok {
		return nil
	}
	return out
}

// decodeInvoiceMap reads invoices = { KEY = { amount = ..., ... } }.
func (l *loader) decodeInvoiceMap(a *hcl.Attribute, ctx *hcl.EvalContext, batch string, add func(string, hcl.Range, map[string]value)) {
	val, diags := eval(a.Expr, ctx)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() || !val.IsWhollyKnown() {
		return
	}
	rng := a.Expr.Range()
	if val.ContainsMarked() {
		l.errorf(&rng, "Sensitive invoices", "invoice_batch.%s: invoices holds a value derived from a sensitive variable; invoices are stored in the state.", batch)
		return
	}
	if val.IsNull() || !(val.Type().IsMapType() || val.Type().IsObjectType()) {
		l.errorf(&rng, "Invalid invoices", "invoice_batch.%s: invoices must be a map from invoice key to an object such as { amount = \"12.50\" }, not %s.", batch, val.Type().FriendlyName())
		return
	}
	allowed := map[string]bool{"currency": true, "amount": true, completedURL: true}
	for _, f := range invoiceFields {
		allowed[f] = true
	}
	type entry struct {
		key   string
		attrs map[string]value
	}
	var entries []entry
	for it := val.ElementIterator(); it.Next(); {
		k, v := it.Element()
		key := k.AsString()
		inst := "invoice_batch." + batch + "[" + quote(key) + "]"
		if v.IsNull() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
			l.errorf(&rng, "Invalid invoice", "%s: each invoice must be an object such as { amount = \"12.50\" }, not %s.", inst, v.Type().FriendlyName())
			continue
		}
		attrs := map[string]value{}
		bad := false
		for ai := v.ElementIterator(); ai.Next(); {
			an, av := ai.Element()
			name := an.AsString()
			if !allowed[name] {
				// A CSV row may have columns that are not invoice fields;
				// they are ignored only when empty.
				if av.IsNull() || (av.Type() == cty.String && av.AsString() == "") {
					continue
				}
				l.errorf(&rng, "Unknown invoice attribute", "%s: %q is not an invoice attribute. Known: amount, currency, %s.%s", inst, name, strings.Join(invoiceFields, ", "), suggest(name, append([]string{"amount", "currency"}, invoiceFields...)))
				bad = true
				continue
			}
			if name == completedURL {
				name = providers.FieldSuccessURL
			}
			attrs[name] = value{av, rng}
		}
		if !bad {
			entries = append(entries, entry{key, attrs})
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
	for _, e := range entries {
		add(e.key, rng, e.attrs)
	}
}

// invoiceResource checks one invoice's merged values and builds its
// resource.
func (l *loader) invoiceResource(b *hcl.Block, p *Provider, key string, keyRng hcl.Range, attrs map[string]value) *Resource {
	addr := Addr{Type: b.Type, Name: b.Labels[0], Key: key, HasKey: true}
	inst := addr.String()
	ok := true
	if msg := keyCheck(key); msg != "" {
		l.errorf(&keyRng, "Invalid invoice key", "%s: the invoice key (the merchant's order id) %s %s.", inst, quote(key), msg)
		ok = false
	}
	ranges := map[string]hcl.Range{"key": keyRng}
	for k, v := range attrs {
		ranges[k] = v.rng
	}
	str := func(name string) (string, bool) {
		v, present := attrs[name]
		if !present {
			return "", true
		}
		if v.val.ContainsMarked() {
			l.errorf(&v.rng, "Sensitive value in "+name, "%s: %s is derived from a sensitive variable; it would be stored in the state.", inst, name)
			return "", false
		}
		if v.val.IsNull() {
			return "", true
		}
		s, err := stringOf(v.val)
		if err != nil {
			l.errorf(&v.rng, "Invalid "+name, "%s: %s must be a string, not %s.", inst, name, v.val.Type().FriendlyName())
			return "", false
		}
		return s, true
	}
	code, cok := str("currency")
	if cok && code == "" {
		l.errorf(b.DefRange.Ptr(), "Missing currency", "%s: set currency on the batch or on the invoice.", inst)
		cok = false
	}
	var cur money.Currency
	if cok {
		rng := attrs["currency"].rng
		cur, cok = l.checkCurrencyAt(code, &rng, p.Gateway, inst)
	}
	av, has := attrs["amount"]
	if !has {
		l.errorf(&keyRng, "Missing amount", "%s: every invoice needs an amount.", inst)
		return nil
	}
	amount, aok := l.amountOf(av.val, av.rng, inst)
	if aok && cok {
		if err := money.CheckPrecision(amount, cur); err != nil {
			l.errorf(&av.rng, "Invalid amount", "%s: amount %s %s.", inst, amount, err)
			aok = false
		}
	}
	fields := map[string]string{}
	takes := map[string]bool{}
	for _, f := range p.Gateway.InvoiceFields {
		takes[f] = true
	}
	for _, f := range invoiceFields {
		s, fok := str(f)
		if !fok {
			ok = false
			continue
		}
		if s == "" {
			continue
		}
		if !takes[f] {
			rng := attrs[f].rng
			l.errorf(&rng, "Unsupported invoice field", "%s: %s does not take %s. It takes: %s.", inst, p.Gateway.Title, f, strings.Join(p.Gateway.InvoiceFields, ", "))
			ok = false
			continue
		}
		if limit := fieldLimit(f); len(s) > limit {
			rng := attrs[f].rng
			l.errorf(&rng, "Invalid "+f, "%s: %s is %d bytes; it is limited to %d, since it is recorded with the invoice in the journal and the state.", inst, f, len(s), limit)
			ok = false
			continue
		}
		if strings.HasSuffix(f, "_url") {
			u, err := url.Parse(s)
			if err == nil && u.User != nil {
				rng := attrs[f].rng
				l.errorf(&rng, "Invalid "+f, "%s: %s carries a user name or password (user:password@host); it is recorded in plans and the state. Remove them from the URL.", inst, f)
				ok = false
				continue
			}
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				rng := attrs[f].rng
				l.errorf(&rng, "Invalid "+f, "%s: %s %s is not an absolute http(s) URL.", inst, f, quote(s))
				ok = false
				continue
			}
		}
		fields[f] = s
	}
	if !(ok && cok && aok) {
		return nil
	}
	// The gateway's own rules, checked here rather than refused at apply.
	if check := p.Gateway.CheckInvoice; check != nil {
		problems := check(providers.Request{Kind: providers.Invoice, Key: key, Amount: amount, Currency: cur.Code, Fields: fields})
		for _, f := range slices.Sorted(maps.Keys(problems)) {
			rng := b.DefRange // a field the invoice lacks: the batch
			if v, ok := attrs[f]; ok {
				rng = v.rng
			}
			l.errorf(&rng, "Invalid "+f, "%s: %s.", inst, strings.TrimSuffix(problems[f], "."))
		}
		if len(problems) > 0 {
			return nil
		}
	}
	return &Resource{
		Addr: addr, Kind: providers.Invoice, Provider: p, Key: key, Amount: amount, Currency: cur.Code,
		Attrs: fields, Ranges: ranges, DeclRange: b.DefRange,
	}
}

// fieldLimit bounds an invoice field in bytes: whatever is declared is
// written to the journal with the intent, and one oversized entry must
// never be what makes a journal unreadable.
func fieldLimit(field string) int {
	switch {
	case strings.HasSuffix(field, "_url"):
		return 2048
	case field == providers.FieldDescription:
		return 4096
	}
	return 512
}

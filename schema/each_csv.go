package schema

import (
	"encoding/csv"
	"io"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// A batch from a CSV file is usually declared as
//
//	for_each = { for r in csvdecode(file("payouts.csv")) : r.foreign_id => r }
//
// with attributes such as amount = each.value.amount. Evaluated by HCL,
// that makes a cty object per row twice (csvdecode's list, then the for
// expression's object) and a context per instance, and reads every
// attribute through a traversal: at a million rows, most of a plan's time
// and memory. expandCSV recognises that shape and reads the rows itself,
// with the same encoding/csv reader and the same normalisation as
// csvdecode, so that each.key and each.value.COLUMN are plain strings; an
// instance's context, with each.value as csvdecode would have made it, is
// made only for an attribute written in another way. Anything it does not
// take exactly as HCL would (a parse error, a duplicate key, a missing
// key column, a sensitive or unknown argument) it leaves to HCL, so that
// errors are reported as they always were.

// eachRows is what the instances of one CSV for_each share.
type eachRows struct {
	base   *hcl.EvalContext // the block's context, without each
	header []string
	column map[string]int
	// source names the CSV in messages ("vendors.csv", or "the CSV"),
	// block the block's address, rows how many rows it has.
	source string
	block  string
	rows   int
	// reported marks the expressions whose missing column was reported:
	// once a block, not once a row.
	reported map[hcl.Expression]bool
	// access classifies each attribute expression once (see accessor).
	access map[hcl.Expression]accessor
}

// accessor says how an attribute expression reads an instance: as
// each.key, as one column of each.value, as the same string for every
// instance, or only by HCL in the instance's own context.
type accessor struct {
	kind   int
	column int
	value  string
}

const (
	accessHCL = iota
	accessKey
	accessColumn
	accessConst
	accessMissing // each.value.COLUMN of a column the CSV does not have
)

// expandCSV returns the instances of a for_each of the shape above, and
// false when the expression is not of it or HCL must evaluate it.
func (l *loader) expandCSV(blockType, name string, a *hcl.Attribute, ctx *hcl.EvalContext) ([]instance, bool) {
	fe, ok := a.Expr.(*hclsyntax.ForExpr)
	if !ok || fe.KeyVar != "" || fe.KeyExpr == nil || fe.CondExpr != nil || fe.Group {
		return nil, false
	}
	if v, ok := fe.ValExpr.(*hclsyntax.ScopeTraversalExpr); !ok || len(v.Traversal) != 1 || v.Traversal.RootName() != fe.ValVar {
		return nil, false
	}
	k, ok := fe.KeyExpr.(*hclsyntax.ScopeTraversalExpr)
	if !ok || len(k.Traversal) != 2 || k.Traversal.RootName() != fe.ValVar {
		return nil, false
	}
	keyName, ok := stepName(k.Traversal[1])
	if !ok {
		return nil, false
	}
	call, ok := fe.CollExpr.(*hclsyntax.FunctionCallExpr)
	if !ok || call.Name != "csvdecode" || len(call.Args) != 1 || call.ExpandFinal {
		return nil, false
	}
	arg, diags := call.Args[0].Value(ctx)
	if len(diags) > 0 || !arg.IsKnown() || arg.IsMarked() || arg.IsNull() || arg.Type() != cty.String {
		return nil, false
	}
	text := arg.AsString()
	cr := csv.NewReader(strings.NewReader(text))
	header, err := cr.Read()
	if err != nil {
		return nil, false
	}
	rows := &eachRows{base: ctx, header: header, column: make(map[string]int, len(header)), access: map[hcl.Expression]accessor{},
		source: csvSource(call.Args[0]), block: blockType + "." + name, reported: map[hcl.Expression]bool{}}
	for i, h := range header {
		if _, dup := rows.column[h]; dup {
			return nil, false
		}
		rows.column[h] = i
	}
	keyCol, ok := rows.column[keyName]
	if !ok {
		return nil, false
	}
	cr.FieldsPerRecord = len(header)
	out := make([]instance, 0, strings.Count(text, "\n")) // a row a line, but for quoted newlines
	for {
		fields, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, false
		}
		for i, f := range fields {
			fields[i] = normalString(f)
		}
		key := fields[keyCol]
		out = append(out, instance{addr: Addr{Type: blockType, Name: name, Key: key, HasKey: true}, rows: rows, fields: fields})
	}
	rows.rows = len(out)
	slices.SortFunc(out, func(x, y instance) int { return strings.Compare(x.addr.Key, y.addr.Key) })
	for i := 1; i < len(out); i++ {
		if out[i].addr.Key == out[i-1].addr.Key {
			return nil, false // HCL names the duplicate
		}
	}
	l.csvBlocks++
	return out, true
}

// stepName is the attribute a traversal step names: .NAME or ["NAME"].
func stepName(step hcl.Traverser) (string, bool) {
	switch s := step.(type) {
	case hcl.TraverseAttr:
		return s.Name, true
	case hcl.TraverseIndex:
		if s.Key.Type() == cty.String && s.Key.IsKnown() && !s.Key.IsNull() && !s.Key.IsMarked() {
			return s.Key.AsString(), true
		}
	}
	return "", false
}

// normalString is s as cty.StringVal keeps it (Unicode NFC), without a
// cty value for the ASCII strings that normalisation leaves alone.
func normalString(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return cty.StringVal(s).AsString()
		}
	}
	return s
}

// accessor classifies expr once for all rows.
func (r *eachRows) accessor(expr hcl.Expression) accessor {
	if acc, ok := r.access[expr]; ok {
		return acc
	}
	acc := accessor{kind: accessHCL}
	refs := expr.Variables()
	each := false
	for _, t := range refs {
		each = each || t.RootName() == "each"
	}
	switch st, ok := expr.(*hclsyntax.ScopeTraversalExpr); {
	case !each:
		// The same value for every instance: a plain string is read once;
		// anything else (a number, null, an error) HCL evaluates each time.
		if v, diags := expr.Value(r.base); len(diags) == 0 && v.IsKnown() && !v.IsMarked() && !v.IsNull() && v.Type() == cty.String {
			acc = accessor{kind: accessConst, value: v.AsString()}
		}
	case ok && len(st.Traversal) == 2:
		if n, ok := stepName(st.Traversal[1]); ok && n == "key" {
			acc = accessor{kind: accessKey}
		}
	case ok && len(st.Traversal) == 3:
		n, ok1 := stepName(st.Traversal[1])
		col, ok2 := stepName(st.Traversal[2])
		i, has := r.column[col]
		switch {
		case ok1 && ok2 && has && n == "value":
			acc = accessor{kind: accessColumn, column: i}
		case ok1 && ok2 && n == "value" && st.Traversal.RootName() == "each":
			acc = accessor{kind: accessMissing, value: col}
		}
	}
	r.access[expr] = acc
	return acc
}

// evalContext returns the context an instance's attributes are evaluated
// in: for a CSV row, made the first time it is needed, with each.value
// the object csvdecode makes of the row.
func (in *instance) evalContext() *hcl.EvalContext {
	if in.ctx != nil || in.rows == nil {
		return in.ctx
	}
	vals := make(map[string]cty.Value, len(in.fields))
	for i, f := range in.fields {
		vals[in.rows.header[i]] = cty.StringVal(f)
	}
	in.ctx = in.rows.base.NewChild()
	in.ctx.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(in.addr.Key), "value": cty.ObjectVal(vals)})}
	return in.ctx
}

// plainString returns the string a reads for a CSV row, when that needs
// no HCL evaluation: each.key, each.value.COLUMN or a constant string.
func (in *instance) plainString(a *hcl.Attribute) (string, bool) {
	if in.rows == nil || a == nil {
		return "", false
	}
	switch acc := in.rows.accessor(a.Expr); acc.kind {
	case accessKey:
		return in.addr.Key, true
	case accessColumn:
		return in.fields[acc.column], true
	case accessConst:
		return acc.value, true
	}
	return "", false
}

// csvSource names the CSV a csvdecode argument reads: the file of
// file("NAME"), else "the CSV".
func csvSource(arg hcl.Expression) string {
	if call, ok := arg.(*hclsyntax.FunctionCallExpr); ok && call.Name == "file" && len(call.Args) == 1 {
		if tpl, ok := call.Args[0].(*hclsyntax.TemplateExpr); ok && len(tpl.Parts) == 1 {
			if lit, ok := tpl.Parts[0].(*hclsyntax.LiteralValueExpr); ok && lit.Val.Type() == cty.String {
				return lit.Val.AsString()
			}
		}
	}
	return "the CSV"
}

// missingColumn reports, once for the block, an attribute that reads a
// column the CSV does not have (each.value.amount of a file without an
// amount column), naming the CSV, its header and the first instance, and
// says whether a reads one: its instances then fail without a
// diagnostic each, rather than with the same one a row.
func (l *loader) missingColumn(in *instance, a *hcl.Attribute) bool {
	if in.rows == nil || a == nil {
		return false
	}
	acc := in.rows.accessor(a.Expr)
	if acc.kind != accessMissing {
		return false
	}
	r := in.rows
	if !r.reported[a.Expr] {
		r.reported[a.Expr] = true
		l.errorf(a.Expr.Range().Ptr(), "Missing CSV column",
			"%s has no column %q, which %s reads for each of its rows (%d; the first is %s). Its columns are %s.%s Add the column to the file's header, or read another one.",
			r.source, acc.value, r.block, r.rows, in.addr, strings.Join(r.header, ", "), suggest(acc.value, r.header))
	}
	return true
}

package schema

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/agext/levenshtein"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// sensitiveMark marks values from sensitive variables, so they can be
// traced wherever they flow.
const sensitiveMark = "sensitive"

// EnvVarPrefix is the prefix of environment variables that set variables.
const EnvVarPrefix = "PAYFORM_VAR_"

var variableSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "type"}, {Name: "default"}, {Name: "description"}, {Name: "sensitive"},
}}

// varValue is a value given for a variable, before type conversion.
type varValue struct {
	val    cty.Value
	source string
	rng    *hcl.Range // where it was written, when in a file
}

// decodeVariables decodes variable blocks and settles each value, later
// sources winning: default < environment < --var-file (in order) < --var
// (in order).
func (l *loader) decodeVariables(blocks []*hcl.Block) {
	l.vars = map[string]cty.Value{}
	decls := map[string]*Variable{}
	badDefault := map[string]bool{} // already reported
	var order []string
	for _, b := range blocks {
		v, bad := l.decodeVariableBlock(b, decls)
		if v != nil {
			decls[v.Name] = v
			badDefault[v.Name] = bad
			order = append(order, v.Name)
		}
	}
	given := map[string]varValue{}
	for name, v := range decls {
		if raw, ok := l.env[EnvVarPrefix+name]; ok {
			if val, ok := l.parseRawVar(v, raw, "environment variable "+EnvVarPrefix+name); ok {
				given[name] = varValue{val: val, source: "environment"}
			}
		}
	}
	for _, path := range l.opts.VarFiles {
		l.readVarFile(path, decls, given)
	}
	for _, arg := range l.opts.Vars {
		name, raw, ok := strings.Cut(arg, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			l.errorf(nil, "Invalid --var", "--var %q must have the form NAME=VALUE.", arg)
			continue
		}
		v := decls[name]
		if v == nil {
			l.errorf(nil, "Undeclared variable", "--var sets %q, but no variable %q is declared. Declare it with a variable block, or check the spelling.%s", name, name, suggest(name, order))
			continue
		}
		if val, ok := l.parseRawVar(v, raw, "--var "+name); ok {
			given[name] = varValue{val: val, source: "--var"}
		}
	}
	for _, name := range order {
		v := decls[name]
		g, ok := given[name]
		if !ok {
			if badDefault[name] {
				l.vars[name] = cty.DynamicVal
				continue
			}
			if v.Value == cty.NilVal {
				rng := v.DeclRange
				l.errorf(&rng, "No value for required variable",
					"variable %q has no default. Set it with --var %s=VALUE, in a --var-file, or with the environment variable %s%s.", name, name, EnvVarPrefix, name)
				l.vars[name] = cty.DynamicVal
				continue
			}
			g = varValue{val: v.Value, source: "default"}
		}
		val, err := convert.Convert(g.val, v.Type)
		if err != nil {
			rng := g.rng
			if rng == nil { // --var or the environment: point at the type
				rng = v.DeclRange.Ptr()
			}
			l.errorf(rng, "Invalid value for variable", "variable %q (from %s): %s. Give a value of type %s.", name, g.source, err, v.Type.FriendlyNameForConstraint())
			l.vars[name] = cty.DynamicVal
			continue
		}
		v.Value, v.Source = val, g.source
		if v.Sensitive {
			val = val.Mark(sensitiveMark)
		}
		l.vars[name] = val
		l.cfg.Variables = append(l.cfg.Variables, v)
	}
	sort.Slice(l.cfg.Variables, func(i, j int) bool { return l.cfg.Variables[i].Name < l.cfg.Variables[j].Name })
}

// decodeVariableBlock decodes a variable block; badDefault says its
// default was refused (and reported).
func (l *loader) decodeVariableBlock(b *hcl.Block, decls map[string]*Variable) (v *Variable, badDefault bool) {
	name := b.Labels[0]
	if !hclsyntax.ValidIdentifier(name) {
		rng := b.LabelRanges[0]
		l.errorf(&rng, "Invalid variable name", "%q is not a valid name: use letters, digits, underscores and dashes, starting with a letter.", name)
		return nil, false
	}
	if prev := decls[name]; prev != nil {
		rng := b.DefRange
		l.errorf(&rng, "Duplicate variable", "variable %q is also declared at %s. Remove one, or rename it.", name, prev.DeclRange)
		return nil, false
	}
	content, diags := b.Body.Content(variableSchema)
	l.diags = append(l.diags, diags...)
	v = &Variable{Name: name, Type: cty.DynamicPseudoType, DeclRange: b.DefRange}
	if a := content.Attributes["type"]; a != nil {
		ty, diags := typeexpr.TypeConstraint(a.Expr)
		l.diags = append(l.diags, diags...)
		if !diags.HasErrors() {
			v.Type = ty
		}
	}
	if a := content.Attributes["description"]; a != nil {
		if s, ok := l.literalString(a); ok {
			v.Description = s
		}
	}
	if a := content.Attributes["sensitive"]; a != nil {
		l.sensitiveVars = true
		val, diags := a.Expr.Value(nil)
		l.diags = append(l.diags, diags...)
		if val, err := convert.Convert(val, cty.Bool); err == nil && val.IsKnown() && !val.IsNull() {
			v.Sensitive = val.True()
		} else if !diags.HasErrors() {
			l.errorf(a.Expr.Range().Ptr(), "Invalid sensitive", "sensitive must be true or false.")
		}
	}
	if a := content.Attributes["default"]; a != nil {
		val, diags := a.Expr.Value(nil)
		l.diags = append(l.diags, diags...)
		badDefault = diags.HasErrors()
		if !diags.HasErrors() {
			if _, err := convert.Convert(val, v.Type); err != nil {
				l.errorf(a.Expr.Range().Ptr(), "Invalid default value", "the default for variable %q does not match its type: %s.", name, err)
				badDefault = true
			} else {
				v.Value = val
			}
		}
	}
	return v, badDefault
}

// parseRawVar turns a --var or environment value into a cty value: taken
// literally for primitive types, parsed as an HCL expression otherwise.
func (l *loader) parseRawVar(v *Variable, raw, what string) (cty.Value, bool) {
	if v.Type.IsPrimitiveType() || v.Type == cty.DynamicPseudoType {
		return cty.StringVal(raw), true
	}
	if d := checkNesting(what, []byte(raw)); d != nil {
		d.Subject = nil // a command-line value has no file
		l.diags = append(l.diags, d)
		return cty.NilVal, false
	}
	expr, diags := hclsyntax.ParseExpression([]byte(raw), what, hcl.Pos{Line: 1, Column: 1})
	if !diags.HasErrors() {
		var vdiags hcl.Diagnostics
		val, vdiags := expr.Value(nil)
		diags = append(diags, vdiags...)
		if !diags.HasErrors() {
			return val, true
		}
	}
	l.errorf(v.DeclRange.Ptr(), "Invalid value for variable", "%s: cannot parse the value for variable %q (%s): %s", what, v.Name, v.Type.FriendlyName(), diags.Error())
	return cty.NilVal, false
}

// readVarFile reads a --var-file: HCL attributes, or JSON when the name
// ends in .json.
func (l *loader) readVarFile(path string, decls map[string]*Variable, given map[string]varValue) {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		l.errorf(nil, "Cannot read variable file", "--var-file %s: %v. Check the path.", path, unwrapPathError(err))
		return
	case fi.IsDir():
		l.errorf(nil, "Cannot read variable file", "--var-file %s is a directory; give a file of NAME = VALUE lines (or JSON, ending in .json).", path)
		return
	case fi.Size() > maxConfigFile:
		l.errorf(nil, "Variable file too large", "--var-file %s is %d bytes; variable files are limited to %d. Put bulk data in a CSV or JSON file and read it with file().", path, fi.Size(), maxConfigFile)
		return
	}
	src, err := os.ReadFile(path)
	if err != nil {
		l.errorf(nil, "Cannot read variable file", "--var-file %s: %v. Check the path.", path, unwrapPathError(err))
		return
	}
	if d := checkNesting(path, src); d != nil {
		l.diags = append(l.diags, d)
		return
	}
	var f *hcl.File
	var diags hcl.Diagnostics
	if strings.HasSuffix(path, ".json") {
		f, diags = l.parser.ParseJSON(src, path)
	} else {
		f, diags = l.parser.ParseHCL(src, path)
	}
	l.diags = append(l.diags, diags...)
	if f == nil || diags.HasErrors() {
		return
	}
	attrs, diags := f.Body.JustAttributes()
	l.diags = append(l.diags, diags...)
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	sort.Strings(names)
	declared := make([]string, 0, len(decls))
	for n := range decls {
		declared = append(declared, n)
	}
	for _, name := range names {
		a := attrs[name]
		rng := a.NameRange
		if decls[name] == nil {
			l.errorf(&rng, "Undeclared variable", "%s sets %q, but no variable %q is declared.%s", path, name, name, suggest(name, declared))
			continue
		}
		val, diags := a.Expr.Value(nil)
		l.diags = append(l.diags, diags...)
		if diags.HasErrors() {
			continue
		}
		vr := a.Expr.Range()
		given[name] = varValue{val: val, source: "--var-file " + path, rng: &vr}
	}
}

// literalString evaluates an attribute that must be a constant string.
func (l *loader) literalString(a *hcl.Attribute) (string, bool) {
	val, diags := a.Expr.Value(nil)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() {
		return "", false
	}
	val, err := convert.Convert(val, cty.String)
	if err != nil || val.IsNull() {
		l.errorf(a.Expr.Range().Ptr(), "Invalid "+a.Name, "%s must be a string.", a.Name)
		return "", false
	}
	return val.AsString(), true
}

// suggest returns " Did you mean "x"?" for a close name, or "".
func suggest(name string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := levenshtein.Distance(strings.ToLower(name), strings.ToLower(c), nil); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" Did you mean %q?", best)
}

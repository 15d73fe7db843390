package schema

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Output is an output block: a value computed from variables, locals and
// what the state holds (payout.NAME, deposit_address_pool.NAME), for the
// applications that need it (e.g. the one that shows customers their
// deposit address).
type Output struct {
	Name        string
	Description string
	Sensitive   bool
	Expr        hcl.Expression
	DeclRange   hcl.Range
}

var outputSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "value", Required: true}, {Name: "description"}, {Name: "sensitive"},
}}

func (l *loader) decodeOutputs(blocks []*hcl.Block) {
	seen := map[string]*Output{}
	for _, b := range blocks {
		name := b.Labels[0]
		if prev := seen[name]; prev != nil {
			l.errorf(b.DefRange.Ptr(), "Duplicate output", "output %q is also declared at %s; give each output its own name.", name, prev.DeclRange)
			continue
		}
		content, diags := b.Body.Content(outputSchema)
		l.diags = append(l.diags, diags...)
		if diags.HasErrors() {
			continue
		}
		o := &Output{Name: name, Expr: content.Attributes["value"].Expr, DeclRange: b.DefRange}
		if a := content.Attributes["description"]; a != nil {
			o.Description, _ = l.literalString(a)
		}
		if a := content.Attributes["sensitive"]; a != nil {
			v, diags := a.Expr.Value(nil)
			l.diags = append(l.diags, diags...)
			if !diags.HasErrors() && v.Type() == cty.Bool && !v.IsNull() {
				o.Sensitive = v.True()
			} else if !diags.HasErrors() {
				l.errorf(a.Expr.Range().Ptr(), "Invalid sensitive", "sensitive must be true or false.")
			}
		}
		for _, tr := range o.Expr.Variables() {
			switch root := tr.RootName(); root {
			case "var", "local", "payout", "deposit_address_pool", "invoice_batch":
			default:
				l.errorf(tr.SourceRange().Ptr(), "Unknown reference", "output %q refers to %q; outputs may use var.*, local.* and resources (payout.NAME, deposit_address_pool.NAME).", name, root)
			}
		}
		seen[name] = o
		l.cfg.Outputs = append(l.cfg.Outputs, o)
	}
	if len(l.cfg.Outputs) > 0 {
		// Only outputs need the context after Load; it holds the loader,
		// and with it every file file() read.
		l.cfg.evalCtx = l.evalContext()
	}
}

// EvalOutput evaluates an output with resources, the values of what the
// state holds by block type and name (see planner.OutputData).
func (c *Config) EvalOutput(o *Output, resources map[string]cty.Value) (cty.Value, hcl.Diagnostics) {
	ctx := c.evalCtx.NewChild()
	ctx.Variables = resources
	val, diags := eval(o.Expr, ctx)
	sanitizeDiags(diags)
	if !diags.HasErrors() {
		if val.ContainsMarked() && !o.Sensitive {
			rng := o.Expr.Range()
			return cty.NilVal, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Output refers to a sensitive value",
				Detail:   fmt.Sprintf("output %q uses a sensitive variable; set sensitive = true in the output block to show it on request.", o.Name),
				Subject:  &rng,
			}}
		}
		val, _ = val.UnmarkDeep()
	}
	return val, diags
}

// Output returns the output named name, or nil.
func (c *Config) Output(name string) *Output {
	for _, o := range c.Outputs {
		if o.Name == name {
			return o
		}
	}
	return nil
}

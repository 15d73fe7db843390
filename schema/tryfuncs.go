package schema

import (
	"github.com/hashicorp/hcl/v2/ext/customdecode"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// can and try are HCL's, except that their result is sensitive when any
// expression they were given refers to a sensitive value. HCL's own
// return an unmarked value: whether regex(..., var.secret) succeeds is a
// fact about the secret, and a loop of can(regex(...)) would read it out
// one character at a time into a plan, the state and the gateway.

var canFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "expression", Type: customdecode.ExpressionClosureType}},
	Type:   function.StaticReturnType(cty.Bool),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v, err := tryfunc.CanFunc.Call(args)
		if err != nil {
			return v, err
		}
		return markIfSensitive(v, args), nil
	},
})

var tryFunc = function.New(&function.Spec{
	VarParam: &function.Parameter{Name: "expressions", Type: customdecode.ExpressionClosureType},
	Type: func(args []cty.Value) (cty.Type, error) {
		v, err := tryfunc.TryFunc.Call(args)
		if err != nil {
			return cty.NilType, err
		}
		return v.Type(), nil
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v, err := tryfunc.TryFunc.Call(args)
		if err != nil {
			return v, err
		}
		return markIfSensitive(v, args), nil
	},
})

// markIfSensitive marks v sensitive when any of the expression closures
// in args refers to a sensitive value.
func markIfSensitive(v cty.Value, args []cty.Value) cty.Value {
	for _, arg := range args {
		closure := customdecode.ExpressionClosureFromVal(arg)
		if sensitive, _ := inspectRefs(closure.Expression, closure.EvalContext); sensitive {
			return v.Mark(sensitiveMark)
		}
	}
	return v
}

package schema

import (
	"fmt"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Limits on what a diagnostic may make the CLI print. A hostile or
// mistaken configuration can build a 10 MB string (with format(), a
// variable file or file()); the message about it must stay readable.
const (
	maxDetail     = 2000 // bytes of a diagnostic's detail
	maxShownValue = 200  // bytes of a string the renderer prints beside an expression
)

// eval evaluates expr, hiding the details of its diagnostics when it
// refers to a sensitive value.
func eval(expr hcl.Expression, ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	val, diags := expr.Value(ctx)
	hideSensitive(expr, ctx, diags)
	return val, diags
}

// hideSensitive replaces the details of diags, which evaluating expr
// produced, when expr refers to a sensitive value. HCL's messages may
// quote the values they failed on, and the variables of a for expression
// over a sensitive collection are not marked, so sanitizeDiags cannot
// tell from a diagnostic alone.
func hideSensitive(expr hcl.Expression, ctx *hcl.EvalContext, diags hcl.Diagnostics) {
	if len(diags) == 0 || ctx == nil {
		return
	}
	if sensitive, _ := inspectRefs(expr, ctx); !sensitive {
		return
	}
	for _, d := range diags {
		d.Detail, d.EvalContext = sensitiveDetail, nil
	}
}

const sensitiveDetail = "The expression uses a value derived from a sensitive variable, so the details are not shown. Check that value's type and format."

// sanitizeDiags makes diagnostics safe to print. HCL's own diagnostics
// may quote the values they failed on (a function's error message) and
// the text renderer prints every string an expression refers to in full
// ("with var.x as ..."). So: the detail of a diagnostic about an
// expression that uses a sensitive value is replaced, the evaluation
// context of one that refers to a long string is dropped, and every
// detail is bounded.
func sanitizeDiags(diags hcl.Diagnostics) {
	for _, d := range diags {
		if d.Expression != nil && d.EvalContext != nil {
			sensitive, long := inspectRefs(d.Expression, d.EvalContext)
			if sensitive {
				d.Detail = sensitiveDetail
			}
			if long {
				d.EvalContext = nil
			}
		}
		if len(d.Detail) > maxDetail {
			d.Detail = fmt.Sprintf("%s…(%d bytes)", truncate(d.Detail, maxDetail), len(d.Detail))
		}
	}
}

// inspectRefs reports whether expr refers to a sensitive value, or to a
// string longer than maxShownValue.
func inspectRefs(expr hcl.Expression, ctx *hcl.EvalContext) (sensitive, long bool) {
	for _, tr := range expr.Variables() {
		val, diags := tr.TraverseAbs(ctx)
		if diags.HasErrors() {
			continue
		}
		if val.ContainsMarked() {
			sensitive = true
			continue
		}
		if val.IsKnown() && !val.IsNull() && val.Type() == cty.String && len(val.AsString()) > maxShownValue {
			long = true
		}
	}
	return sensitive, long
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

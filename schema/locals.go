package schema

import (
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// decodeLocals evaluates every locals block's attributes in dependency
// order. A cycle or a reference to an undefined local is an error; a local
// that fails becomes unknown, so that what depends on it is skipped rather
// than reported again.
func (l *loader) decodeLocals(blocks []*hcl.Block) {
	l.locals = map[string]cty.Value{}
	attrs := map[string]*hcl.Attribute{}
	for _, b := range blocks {
		battrs, diags := b.Body.JustAttributes()
		l.diags = append(l.diags, diags...)
		for name, a := range battrs {
			if prev := attrs[name]; prev != nil {
				l.errorf(a.NameRange.Ptr(), "Duplicate local value", "local.%s is also defined at %s. Each local value is defined once: remove one, or rename it.", name, prev.NameRange)
				continue
			}
			attrs[name] = a
		}
	}
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	sort.Strings(names)

	const (
		unvisited = iota
		visiting
		done
	)
	status := map[string]int{}
	var stack []string
	var visit func(name string)
	visit = func(name string) {
		switch status[name] {
		case done:
			return
		case visiting:
			i := 0
			for stack[i] != name {
				i++
			}
			cycle := append(append([]string{}, stack[i:]...), name)
			a := attrs[name]
			l.errorf(a.NameRange.Ptr(), "Cycle in local values",
				"local values refer to each other in a loop: local.%s. Break the loop so that each value can be computed from the ones before it.",
				strings.Join(cycle, " → local."))
			for _, n := range cycle {
				l.locals[n] = cty.DynamicVal
				status[n] = done
			}
			return
		}
		status[name] = visiting
		stack = append(stack, name)
		a := attrs[name]
		for _, tr := range a.Expr.Variables() {
			if tr.RootName() != "local" || len(tr) < 2 {
				continue
			}
			step, ok := tr[1].(hcl.TraverseAttr)
			if !ok {
				continue
			}
			if attrs[step.Name] == nil {
				l.errorf(tr.SourceRange().Ptr(), "Reference to undeclared local value",
					"there is no local value %q. Declare it in a locals block, or check the spelling.%s", step.Name, suggest(step.Name, names))
				l.locals[name] = cty.DynamicVal
				continue
			}
			visit(step.Name)
		}
		stack = stack[:len(stack)-1]
		if status[name] == done { // set by a cycle found below
			return
		}
		status[name] = done
		if _, failed := l.locals[name]; failed {
			return
		}
		val, diags := eval(a.Expr, l.evalContext())
		l.diags = append(l.diags, diags...)
		if diags.HasErrors() {
			val = cty.DynamicVal
		}
		l.locals[name] = val
	}
	for _, name := range names {
		visit(name)
	}
}

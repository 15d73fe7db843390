package planner

// Action is what apply will do for one resource instance. The vocabulary
// is small and closed:
//
//	action   glyph  gateway call        Before            After
//	create   +      create (send)       nil               the declared object
//	adopt    <=     none                nil               the declared object; Found is what the gateway has
//	restore  <=     none                the record, From  the declared object: a recorded deposit address back under management
//	resolve  ?      per InDoubt rule    the pending record the declared object
//	forget   -      none                the state record  nil
//	no-op           none                the state record  the declared object (equal)
//
// Nothing is ever destroyed, refunded or replaced: removing a block only
// forgets it, and a sent object that differs from its block is a plan
// error, not an action.
type Action string

const (
	Create  Action = "create"
	Adopt   Action = "adopt"
	Restore Action = "restore"
	Resolve Action = "resolve"
	Forget  Action = "forget"
	NoOp    Action = "no-op"
)

// Glyph is the one-character marker renderings put before an address.
func (a Action) Glyph() string {
	switch a {
	case Create:
		return "+"
	case Adopt, Restore:
		return "<="
	case Resolve:
		return "?"
	case Forget:
		return "-"
	}
	return " "
}

// Calls reports whether the action may call the gateway.
func (a Action) Calls() bool { return a == Create || a == Resolve }

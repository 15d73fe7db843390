package state

// Outcome is what became of one item: the outcome a journal entry's
// result records, and what apply reports for each change. The vocabulary
// is small and closed; each outcome has its event name (apply --json)
// and its words (the human rendering) here and nowhere else:
//
//	outcome      event       the gateway holds             the key
//	created      sent        the object payform made       reserved
//	adopted      adopted     an object found or settled     reserved
//	rejected     failed      nothing (it refused)           released
//	not-created  not_sent    nothing (never reached it)     released
//	in-doubt     in_doubt    unknown; a later run settles   reserved
//	unknown      unknown     unknown; an operator settles   reserved
//	superseded   superseded  maybe an extra object, beside  reserved
//	forgotten    forgotten   unchanged (no call)            reserved
//	restored     restored    unchanged (no call)            reserved
//	refreshed    refreshed   a status read back             reserved
type Outcome string

const (
	// OutcomeCreated: the gateway made the object.
	OutcomeCreated Outcome = "created"
	// OutcomeAdopted: the object exists; payform did not make it in this
	// call (found by key, a duplicate answer, an import or an operator).
	OutcomeAdopted Outcome = "adopted"
	// OutcomeRejected: the gateway refused; nothing exists.
	OutcomeRejected Outcome = "rejected"
	// OutcomeNotCreated: the request never reached the gateway, or an
	// operator or a lookup proved that nothing exists.
	OutcomeNotCreated Outcome = "not-created"
	// OutcomeInDoubt: still in doubt; a later run settles it by the
	// gateway's rule.
	OutcomeInDoubt Outcome = "in-doubt"
	// OutcomeUnknown: nothing can be proven automatically; an operator
	// settles it with `payform state resolve`.
	OutcomeUnknown Outcome = "unknown"
	// OutcomeSuperseded: an attempt whose outcome is unknown is replaced
	// by a new one (a deposit address taken again), or another object was
	// found under the same key; whatever it made is recorded beside the
	// resource.
	OutcomeSuperseded Outcome = "superseded"
	// OutcomeForgotten: the resource left management (no call).
	OutcomeForgotten Outcome = "forgotten"
	// OutcomeRestored: a forgotten deposit address came back (no call).
	OutcomeRestored Outcome = "restored"
	// OutcomeRefreshed: a status read from the gateway was recorded.
	OutcomeRefreshed Outcome = "refreshed"
)

// Outcomes lists every outcome, in the order renderings count them.
var Outcomes = []Outcome{
	OutcomeCreated, OutcomeAdopted, OutcomeRestored, OutcomeForgotten, OutcomeRefreshed,
	OutcomeRejected, OutcomeNotCreated, OutcomeInDoubt, OutcomeUnknown, OutcomeSuperseded,
}

// Valid reports whether o is one of the outcomes above.
func (o Outcome) Valid() bool {
	for _, x := range Outcomes {
		if o == x {
			return true
		}
	}
	return false
}

// Event is the outcome's event type in apply's JSON stream.
func (o Outcome) Event() string {
	switch o {
	case OutcomeCreated:
		return "sent"
	case OutcomeRejected:
		return "failed"
	case OutcomeNotCreated:
		return "not_sent"
	case OutcomeInDoubt:
		return "in_doubt"
	}
	return string(o)
}

// Words is how a person is told the outcome: "refused by the gateway".
func (o Outcome) Words() string {
	switch o {
	case OutcomeCreated:
		return "created"
	case OutcomeAdopted:
		return "adopted"
	case OutcomeRejected:
		return "refused by the gateway"
	case OutcomeNotCreated:
		return "not sent"
	case OutcomeInDoubt:
		return "still in doubt"
	case OutcomeUnknown:
		return "unknown (needs an operator)"
	case OutcomeSuperseded:
		return "superseded"
	case OutcomeForgotten:
		return "forgotten"
	case OutcomeRestored:
		return "restored"
	case OutcomeRefreshed:
		return "status updated"
	}
	return string(o)
}

// Failed reports whether an item that ended so needs attention: it was
// refused, not sent, or is still (or definitively) in doubt.
func (o Outcome) Failed() bool {
	switch o {
	case OutcomeRejected, OutcomeNotCreated, OutcomeUnknown, OutcomeInDoubt:
		return true
	}
	return false
}

// Exists reports whether the outcome means the gateway holds the object.
func (o Outcome) Exists() bool { return o == OutcomeCreated || o == OutcomeAdopted }

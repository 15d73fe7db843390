package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/payform/payform/state"
)

// The report's words for the model's values, shared by the HTML and the
// CSV.

// CategoryTitle is a category's heading.
func CategoryTitle(c string) string {
	switch c {
	case CategoryFailed:
		return "Failed"
	case CategoryCancelled:
		return "Cancelled"
	case CategoryUnderpaid:
		return "Underpaid"
	case CategoryInDoubt:
		return "In doubt"
	case CategoryRefused:
		return "Refused: nothing was sent"
	}
	return c
}

// Summary says what an event recorded, in a few words.
func (e Event) Summary() string {
	status := e.Status
	if e.RawStatus != "" && e.RawStatus != e.Status {
		status += " (" + e.RawStatus + ")"
	}
	var s string
	switch state.Op(e.Op) {
	case state.OpIntent:
		s = "intent: about to call the gateway"
	case state.OpOutcome, state.OpResolve:
		verb := "outcome"
		if e.Op == string(state.OpResolve) {
			verb = "resolved by an operator"
		}
		switch e.Outcome {
		case string(state.OutcomeCreated), string(state.OutcomeAdopted):
			s = fmt.Sprintf("%s: %s, %s", verb, e.Outcome, status)
		case string(state.OutcomeRejected):
			s = verb + ": refused by the gateway"
		case string(state.OutcomeInDoubt):
			s = verb + ": in doubt, to be resolved"
		case string(state.OutcomeNotCreated):
			s = verb + ": not created"
		default:
			s = verb + ": " + e.Outcome
		}
	case state.OpAdopt:
		s = "adopted (found at the gateway): " + status
	case state.OpRefresh:
		s = "status: " + status
	case state.OpCallback:
		switch e.Outcome {
		case string(state.OutcomeAdopted):
			s = "in doubt, settled by a verified callback: adopted, " + status
		case string(state.OutcomeUnknown):
			s = "in doubt, a verified callback shows an object that differs: unknown, for an operator"
		default:
			s = "status from a verified callback: " + status
		}
	case state.OpForget:
		s = "forgotten: no longer managed, key still reserved"
	case state.OpRestore:
		s = "managed again"
		if e.From != "" {
			s += ", from " + e.From
		}
	case state.OpMove:
		s = "moved from " + e.From
	default:
		s = e.Op
	}
	if e.Text != "" {
		s += ": " + e.Text
	}
	return s
}

// Line is an event with its time and actor, as the CSV's history shows
// it.
func (e Event) Line() string {
	s := fmt.Sprintf("#%d %s %s %s", e.Seq, rfc3339(e.At), e.Actor, e.Summary())
	if e.PlanID != "" {
		s += " [plan " + e.PlanID + "]"
	}
	return s
}

// Trail is the item's statuses in the order it had them, "unknown →
// submitted → confirmed".
func (it *Item) Trail() string {
	var trail []string
	push := func(s string) {
		if s != "" && (len(trail) == 0 || trail[len(trail)-1] != s) {
			trail = append(trail, s)
		}
	}
	for _, e := range it.History {
		switch {
		case e.Status != "":
			push(e.Status)
		case e.Outcome == string(state.OutcomeRejected), e.Outcome == string(state.OutcomeNotCreated):
			push(e.Outcome)
		case e.Op == string(state.OpIntent), e.Outcome == string(state.OutcomeUnknown), e.Outcome == string(state.OutcomeInDoubt):
			push("unknown")
		}
	}
	if len(trail) == 0 {
		push(it.Status)
	}
	return strings.Join(trail, " → ")
}

// Timestamp is how the report writes a time: UTC, to the second.
func Timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// rfc3339 is a time for machines (the CSV): UTC, RFC 3339.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// MoneyText is a list of amounts, "0.5 BTC · 12 ETH", or "—".
func MoneyText(list []Money) string {
	if len(list) == 0 {
		return "—"
	}
	parts := make([]string, len(list))
	for i, m := range list {
		parts[i] = m.Amount.String() + " " + m.Currency
	}
	return strings.Join(parts, " · ")
}

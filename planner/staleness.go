package planner

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// StaleError says why a plan file may not be applied. What was reviewed is
// what runs: anything that changed since the plan refuses it.
type StaleError struct {
	Reason string // short: "already applied", "state changed", ...
	Detail string
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("the plan cannot be applied: %s. %s", e.Reason, e.Detail)
}

const remake = "Run `payform plan --out FILE` again, review it, and apply the new plan."

// CheckStale refuses a plan that was already applied, that was made
// against another state (lineage, serial, journal), whose configuration
// files or variables changed since, or that expired. cfg is the
// configuration as it is now, with the variables given now.
func CheckStale(p *Plan, st *state.State, cfg *schema.Config, now time.Time) error {
	if st.Consumed(p.PlanID) {
		return &StaleError{"already applied",
			fmt.Sprintf("plan %s was applied before (the state records it); a plan runs once. %s", p.PlanID, remake)}
	}
	if p.StateLineage != "" && p.StateLineage != st.Lineage {
		return &StaleError{"it belongs to another state",
			fmt.Sprintf("it was made against state lineage %s, but this state's lineage is %s (a different workspace or a replaced state file). %s", p.StateLineage, st.Lineage, remake)}
	}
	if p.StateSerial != st.Serial || p.StateJournalSeq != st.JournalSeq {
		return &StaleError{"the state changed since the plan was made",
			fmt.Sprintf("the plan was made at state serial %d (journal entry %d); the state is now at serial %d (journal entry %d), so the plan may no longer describe what is needed. %s",
				p.StateSerial, p.StateJournalSeq, st.Serial, st.JournalSeq, remake)}
	}
	if !now.Before(p.ExpiresAt) {
		return &StaleError{"it expired",
			fmt.Sprintf("it was made at %s and expired at %s. %s", p.CreatedAt.Format(time.RFC3339), p.ExpiresAt.Format(time.RFC3339), remake)}
	}
	if p.ConfigDigest != cfg.Digest {
		return &StaleError{"the configuration changed since the plan was made",
			fmt.Sprintf("the configuration files (or a file they read) are not the ones the plan was made from. %s", remake)}
	}
	vars, err := Variables(cfg, p.PlanID)
	if err != nil {
		return err
	}
	if diff := diffVariables(p.Variables, vars); diff != "" {
		return &StaleError{"the variables changed since the plan was made", diff + " " + remake}
	}
	return nil
}

func diffVariables(was, now map[string]PlanVariable) string {
	names := map[string]bool{}
	for k := range was {
		names[k] = true
	}
	for k := range now {
		names[k] = true
	}
	var changed []string
	for k := range names {
		a, hadA := was[k]
		b, hadB := now[k]
		if hadA != hadB || a.Sensitive != b.Sensitive || a.Digest != b.Digest || !bytes.Equal(a.Value, b.Value) {
			changed = append(changed, k)
		}
	}
	if len(changed) == 0 {
		return ""
	}
	sort.Strings(changed)
	return fmt.Sprintf("Different now: var.%s.", strings.Join(changed, ", var."))
}

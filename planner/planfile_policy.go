package planner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/payform/payform/approval"
	"github.com/payform/payform/policy"
)

// policyWire is the plan file's "policy" member: the policies' sections,
// the approvals the plan needs (each with the allowed_signers it is
// counted against, so that `payform show` and `payform approve` can check
// signatures with the plan file alone; apply checks them against the
// configuration's), and the findings of plan-wide rules (per_plan,
// rolling, always), which the changes' verdicts name by their index
// rather than repeat.
type policyWire struct {
	Sections  []*policy.Section `json:"sections"`
	Approvals []requirementWire `json:"approvals"`
	Shared    []*policy.Finding `json:"shared"`
}

type requirementWire struct {
	policy.Requirement
	// AllowedSigners is the signers file's content.
	AllowedSigners string `json:"allowed_signers"`
}

// verdictWire is a change's verdict: its findings are objects, or the
// index of a shared finding.
type verdictWire struct {
	Decision policy.Decision `json:"decision"`
	Findings []findingWire   `json:"findings,omitempty"`
}

type findingWire struct {
	shared int
	f      *policy.Finding
}

func (w findingWire) MarshalJSON() ([]byte, error) {
	if w.f == nil {
		return strconv.AppendInt(nil, int64(w.shared), 10), nil
	}
	return json.Marshal(w.f)
}

func (w *findingWire) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] != '{' {
		n, err := strconv.Atoi(string(b))
		if err != nil || n < 0 {
			return fmt.Errorf("a finding is an object or the index of a shared one, not %s", b)
		}
		w.shared, w.f = n, nil
		return nil
	}
	w.f = &policy.Finding{}
	return json.Unmarshal(b, w.f)
}

// planWide reports whether a finding is shared by the items it covers.
func planWide(f *policy.Finding) bool {
	return f.Rule == policy.RulePerPlan || f.Rule == policy.RuleRolling || f.Rule == policy.RuleAlways
}

func toPolicyWire(p *Policy) (*policyWire, map[*policy.Finding]int) {
	if p == nil {
		return nil, map[*policy.Finding]int{}
	}
	w := &policyWire{Sections: p.Sections, Approvals: make([]requirementWire, len(p.Approvals)), Shared: []*policy.Finding{}}
	for i, r := range p.Approvals {
		w.Approvals[i] = requirementWire{Requirement: *r}
		if r.Signers != nil {
			w.Approvals[i].AllowedSigners = string(r.Signers.Source())
		}
	}
	if w.Sections == nil {
		w.Sections = []*policy.Section{}
	}
	return w, map[*policy.Finding]int{}
}

func toVerdictWire(v *policy.Verdict, shared map[*policy.Finding]int) *verdictWire {
	w := &verdictWire{Decision: v.Decision}
	if len(v.Findings) > 0 {
		w.Findings = make([]findingWire, len(v.Findings))
	}
	for i, f := range v.Findings {
		if !planWide(f) {
			w.Findings[i] = findingWire{f: f}
			continue
		}
		n, ok := shared[f]
		if !ok {
			n = len(shared)
			shared[f] = n
		}
		w.Findings[i] = findingWire{shared: n}
	}
	return w
}

// sharedList returns the shared findings in index order.
func sharedList(shared map[*policy.Finding]int) []*policy.Finding {
	out := make([]*policy.Finding, len(shared))
	for f, n := range shared {
		out[n] = f
	}
	return out
}

func (w *policyWire) model() (*Policy, []*policy.Finding, error) {
	if w == nil {
		return nil, nil, nil
	}
	p := &Policy{Sections: w.Sections, Approvals: make([]*policy.Requirement, len(w.Approvals))}
	if p.Sections == nil {
		p.Sections = []*policy.Section{}
	}
	for i := range w.Approvals {
		r := w.Approvals[i].Requirement
		s, errs := approval.ParseAllowedSigners([]byte(w.Approvals[i].AllowedSigners))
		if len(errs) > 0 {
			return nil, nil, fmt.Errorf("the allowed_signers of policy %s: %v", r.Policy, errs[0])
		}
		r.Signers = s
		p.Approvals[i] = &r
	}
	return p, w.Shared, nil
}

func (w *verdictWire) model(shared []*policy.Finding) (*policy.Verdict, error) {
	v := &policy.Verdict{Decision: w.Decision}
	if len(w.Findings) > 0 {
		v.Findings = make([]*policy.Finding, len(w.Findings))
	}
	for i, f := range w.Findings {
		switch {
		case f.f != nil:
			v.Findings[i] = f.f
		case f.shared < len(shared):
			v.Findings[i] = shared[f.shared]
		default:
			return nil, fmt.Errorf("its verdict names shared finding %d, and the plan has %d", f.shared, len(shared))
		}
	}
	return v, nil
}

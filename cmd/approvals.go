package cmd

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/payform/payform/approval"
	"github.com/payform/payform/internal/shell"
	"github.com/payform/payform/planner"
	"github.com/payform/payform/policy"
	"github.com/payform/payform/state"
)

// approvalCheck is what the signatures beside a plan say about one
// policy's approvals.
type approvalCheck struct {
	Req    *policy.Requirement
	Report *approval.Report
}

// verifyApprovals checks the plan file's signatures (those beside it and
// the extra files) against each requirement, leaving out the author.
func verifyApprovals(planPath string, data []byte, reqs []*policy.Requirement, extra []string, author string, now time.Time) ([]approvalCheck, error) {
	files, err := approval.Collect(planPath, extra)
	if err != nil {
		return nil, err
	}
	out := make([]approvalCheck, len(reqs))
	for i, r := range reqs {
		out[i] = approvalCheck{Req: r, Report: approval.Verify(data, files, r.Options([]string{author}, now))}
	}
	return out, nil
}

// renderApprovals lists, per policy, the approvals found and whether they
// suffice.
func (a *app) renderApprovals(w io.Writer, checks []approvalCheck) {
	for _, c := range checks {
		rep := c.Report
		status := a.ios.Paint(green, "enough")
		if !rep.OK() {
			status = a.ios.Paint(yellow, fmt.Sprintf("%d missing", rep.Missing))
		}
		fmt.Fprintf(w, "Approvals for policy %s: %d of %d from %s, %s.\n", c.Req.Policy, len(rep.Approvals), rep.Required, c.Req.SignersFile, status)
		for _, ap := range rep.Approvals {
			fmt.Fprintf(w, "  %s %s  %s %s  %s\n", a.ios.Paint(green, "✓"), ap.Principal, ap.KeyType, ap.Fingerprint, ap.File)
		}
		for _, x := range rep.Rejections {
			who := x.Principal
			if who == "" {
				who = x.Fingerprint
			}
			if who != "" {
				who += "  "
			}
			fmt.Fprintf(w, "  %s %s  %snot counted: %s\n", a.ios.Paint(red, "✗"), x.File, who, rejectionWords(x))
		}
	}
}

// approvalsMissing is apply's refusal of a plan whose approvals do not
// suffice.
func approvalsMissing(p *planner.Plan, planPath string, checks []approvalCheck) error {
	var parts []string
	for _, c := range checks {
		if !c.Report.OK() {
			parts = append(parts, fmt.Sprintf("policy %s %s: %s", c.Req.Policy, needsApprovals(c.Req), c.Report.Summary()))
		}
	}
	return fmt.Errorf("plan %s cannot be applied without its approvals: %s. Each approver signs %s (payform approve %s --key KEY, or ssh-keygen -Y sign -n payform -f KEY %s) and puts %s.NAME.sig beside it, or passes it with --approval FILE; the plan's author (%s) does not count: make plans with PAYFORM_ACTOR set to your principal. Nothing was sent",
		p.PlanID, strings.Join(parts, "; "), planPath, shell.Quote(planPath), shell.Quote(planPath), planPath, p.Author)
}

// journaledApprovals lists the approvals that counted, for the apply
// entry.
func journaledApprovals(checks []approvalCheck) []state.Approval {
	var out []state.Approval
	for _, c := range checks {
		for _, ap := range c.Report.Approvals {
			out = append(out, state.Approval{Policy: c.Req.Policy, Principal: ap.Principal, Fingerprint: ap.Fingerprint})
		}
	}
	return out
}

// approvalsForUnsavedPlan is apply's refusal of a plan it made itself
// when the plan needs approvals: approvals sign a saved plan file.
func approvalsForUnsavedPlan(p *planner.Plan) error {
	var parts []string
	for _, r := range p.Approvals() {
		parts = append(parts, "policy "+r.Policy+" "+needsApprovals(r))
	}
	return fmt.Errorf("this plan needs approvals (%s), and approvals sign a saved plan: run payform plan --out PLANFILE, have approvers sign it (payform approve PLANFILE --key KEY, or ssh-keygen -Y sign -n payform -f KEY PLANFILE, each putting PLANFILE.NAME.sig beside it), then payform apply PLANFILE. Nothing was sent",
		strings.Join(parts, "; "))
}

// renderApproved says who approved the plan apply runs.
func renderApproved(w io.Writer, approvals []state.Approval) {
	if len(approvals) == 0 {
		return
	}
	byPolicy := map[string][]string{}
	var order []string
	for _, ap := range approvals {
		if _, ok := byPolicy[ap.Policy]; !ok {
			order = append(order, ap.Policy)
		}
		byPolicy[ap.Policy] = append(byPolicy[ap.Policy], ap.Principal)
	}
	for _, pol := range order {
		fmt.Fprintf(w, "Approved for policy %s by %s.\n", pol, strings.Join(byPolicy[pol], ", "))
	}
}

// showPlan is `payform show PLANFILE`: the plan as plan showed it and the
// approvals found, checked against the allowed_signers the plan carries.
func (a *app) showPlan(path string, asJSON bool, extra []string) error {
	key, err := a.auditKey()
	if err != nil {
		return err
	}
	p, data, err := planner.ReadFileBytes(path, key)
	if err != nil {
		return err
	}
	var checks []approvalCheck
	if reqs := p.Approvals(); len(reqs) > 0 {
		if checks, err = verifyApprovals(path, data, reqs, extra, p.Author, a.now()); err != nil {
			return err
		}
	}
	if asJSON {
		out := toJSONPlan(p)
		for _, c := range checks {
			out.ApprovalStatus = append(out.ApprovalStatus, jsonApprovalStatus{Policy: c.Req.Policy, OK: c.Report.OK(), Report: c.Report})
		}
		return writeJSON(a.ios.Out, out)
	}
	fmt.Fprintf(a.ios.Out, "Plan %s, made %s by %s against state serial %d, valid until %s.\n\n",
		p.PlanID, formatTime(p.CreatedAt), orDash(p.Author), p.StateSerial, formatTime(p.ExpiresAt))
	a.renderPlan(a.ios.Out, p)
	if len(checks) > 0 {
		fmt.Fprintln(a.ios.Out)
		a.renderApprovals(a.ios.Out, checks)
		ok := true
		for _, c := range checks {
			ok = ok && c.Report.OK()
		}
		if ok {
			fmt.Fprintf(a.ios.Out, "The approvals suffice: payform apply %s checks them again against the configuration's allowed_signers.\n", shell.Quote(path))
		} else {
			fmt.Fprintf(a.ios.Out, "The approvals do not suffice yet: %s.\n", strings.ReplaceAll(signHint, "PLANFILE", shell.Quote(path)))
		}
	}
	return nil
}

// rejectionWords says why one signature does not count.
func rejectionWords(x approval.Rejection) string {
	s := x.Reason.Words()
	if x.Detail != "" {
		s += " (" + x.Detail + ")"
	}
	return s
}

package cmd

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/ssh"
	"golang.org/x/term"

	"github.com/payform/payform/approval"
	"github.com/payform/payform/internal/shell"
	"github.com/payform/payform/planner"
	"github.com/payform/payform/state"
)

type approveOptions struct {
	planFile string
	key      string
}

func newApproveCmd(a *app, runF func(*approveOptions) error) *cobra.Command {
	opts := &approveOptions{}
	cmd := &cobra.Command{
		Use:   "approve PLANFILE --key KEY",
		Short: "Approve a saved plan: sign it with your SSH key, for apply to count",
		Long: `Sign a plan file (from "payform plan --out") with an SSH key, as an approval that
the plan's policies count: an SSH signature (SSHSIG, namespace "payform") over the
file's exact bytes, written beside it as PLANFILE.PRINCIPAL.sig. "payform apply
PLANFILE" verifies every PLANFILE.*.sig against the policies' allowed_signers and
counts distinct signers; the plan's author is not counted.

--key is a private key file, or a public key (.pub) or certificate (-cert.pub)
whose private key ssh-agent holds (SSH_AUTH_SOCK). An encrypted key the agent
does not hold asks for its passphrase. approve refuses to write a signature that
would not count: a key allowed_signers does not list (or not for namespace
"payform", or not now), or the key of the plan's author.

Review the plan before you sign it (payform show PLANFILE): what you sign is
exactly what apply runs. No payform is needed to approve: the signature of
  ssh-keygen -Y sign -n payform -f KEY PLANFILE
(renamed to PLANFILE.NAME.sig) counts the same.

Exit codes: 0 signed; 1 error (nothing written).`,
		Example: `  payform show november.plan                      # review it first
  payform approve november.plan --key ~/.ssh/payform_ed25519
  payform approve november.plan --key ~/.ssh/payform_ed25519.pub   # the key in ssh-agent
  ssh-keygen -Y sign -n payform -f ~/.ssh/payform_ed25519 november.plan && mv november.plan.sig november.plan.alice.sig`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.planFile = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runApprove(a, opts)
		},
	}
	cmd.Flags().StringVar(&opts.key, "key", "", "the SSH key to sign with: a private key `FILE`, or its .pub (or -cert.pub) with the key in ssh-agent")
	return cmd
}

func runApprove(a *app, opts *approveOptions) error {
	if opts.key == "" {
		return errors.New("give the key to sign with: --key ~/.ssh/payform_ed25519 (a private key, or its .pub with the key in ssh-agent)")
	}
	key, err := a.auditKey()
	if err != nil {
		return err
	}
	p, data, err := planner.ReadFileBytes(opts.planFile, key)
	if err != nil {
		return fmt.Errorf("%w. Nothing was signed", err)
	}
	now := a.now()
	reqs := p.Approvals()
	switch {
	case len(reqs) == 0:
		return fmt.Errorf("plan %s needs no approvals: no policy asks for them (payform show %s). Nothing was signed", p.PlanID, shell.Quote(opts.planFile))
	case !now.Before(p.ExpiresAt):
		return fmt.Errorf("plan %s expired at %s: apply would refuse it, approved or not. Make a new plan with payform plan --out FILE. Nothing was signed", p.PlanID, formatTime(p.ExpiresAt))
	}
	signer, closeAgent, err := approval.LoadSigner(opts.key, approval.KeyOptions{
		AgentSocket: envValue(a.env, "SSH_AUTH_SOCK"), Passphrase: a.passphrase(opts.key),
	})
	if err != nil {
		return fmt.Errorf("--key %s: %w", opts.key, err)
	}
	defer closeAgent()
	pub := signer.PublicKey()
	fp := ssh.FingerprintSHA256(pub)
	principal := ""
	var why []string
	for _, r := range reqs {
		who, err := r.Signers.Signer(pub, now)
		if err != nil {
			why = append(why, fmt.Sprintf("policy %s (%s): %v", r.Policy, r.SignersFile, err))
			continue
		}
		if principal == "" {
			principal = who
		}
	}
	if principal == "" {
		return fmt.Errorf("key %s (%s) cannot approve plan %s: %s. Approve with a key the policy's allowed_signers lists (a code owner adds its .pub in a reviewed change). Nothing was signed",
			opts.key, fp, p.PlanID, strings.Join(why, "; "))
	}
	sig, err := approval.Sign(data, signer)
	if err != nil {
		return fmt.Errorf("signing with %s: %w", opts.key, err)
	}
	// Write only a signature that counts for at least one policy.
	counts, author := false, false
	var notCounted []string
	for _, r := range reqs {
		rep := approval.Verify(data, []approval.File{{Name: opts.key, Data: sig}}, r.Options([]string{p.Author}, now))
		if len(rep.Approvals) == 1 {
			counts = true
			continue
		}
		for _, x := range rep.Rejections {
			author = author || x.Reason == approval.Author
			notCounted = append(notCounted, fmt.Sprintf("policy %s: %s", r.Policy, rejectionWords(x)))
		}
	}
	switch {
	case !counts && author:
		return fmt.Errorf("you made plan %s (its author is %s), and an author's approval does not count: the approvals must come from others. Nothing was signed", p.PlanID, p.Author)
	case !counts:
		return fmt.Errorf("your approval of plan %s would not count: %s. Nothing was signed", p.PlanID, strings.Join(notCounted, "; "))
	}
	path := approval.SignatureName(opts.planFile, principal)
	if err := state.WriteFileAtomic(path, sig); err != nil {
		return fmt.Errorf("writing the approval: %w", err)
	}
	fmt.Fprintf(a.ios.Out, "Approved plan %s as %s (%s %s): wrote %s.\n", p.PlanID, principal, pub.Type(), fp, path)
	checks, err := verifyApprovals(opts.planFile, data, reqs, nil, p.Author, now)
	if err != nil {
		return err
	}
	a.renderApprovals(a.ios.Out, checks)
	return nil
}

// passphrase asks for an encrypted key's passphrase: on the terminal
// without echo, else as a line of standard input.
func (a *app) passphrase(key string) func() ([]byte, error) {
	return func() ([]byte, error) {
		fmt.Fprintf(a.ios.ErrOut, "Enter passphrase for %s: ", key)
		defer fmt.Fprintln(a.ios.ErrOut)
		if f, ok := a.ios.In.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			return term.ReadPassword(int(f.Fd()))
		}
		line, err := a.ios.ReadLine()
		if err != nil {
			return nil, fmt.Errorf("no passphrase for %s: %v", key, err)
		}
		return []byte(line), nil
	}
}

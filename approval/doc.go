// Package approval signs and verifies approvals of plan files: SSH
// signatures (SSHSIG, namespace "payform") over the plan file's exact
// bytes, checked offline against an OpenSSH allowed_signers file. A
// signature made with stock `ssh-keygen -Y sign -n payform -f KEY
// PLANFILE` is an approval, and one made by Sign verifies with
// `ssh-keygen -Y verify`.
//
// Verify counts distinct signers (lines sharing a principal are one
// signer), leaves out the plan's author, and says of every signature that
// does not count why (Reason). Which plans need approvals, and how many,
// is package policy's to say; reading signatures beside a plan file is
// Collect; the command line is cmd's.
package approval

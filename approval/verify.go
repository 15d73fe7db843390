package approval

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
)

// Namespace is the SSHSIG namespace of every payform approval: a
// signature made for git, files or anything else never counts.
const Namespace = "payform"

// Reason says why a signature does not count. The vocabulary is closed;
// Words gives each its phrase.
type Reason string

const (
	// Malformed: not an armored SSH signature.
	Malformed Reason = "malformed"
	// WrongNamespace: signed for another purpose than payform.
	WrongNamespace Reason = "wrong-namespace"
	// OtherFile: the signature is over other bytes: another plan, or this
	// plan before it was edited.
	OtherFile Reason = "other-file"
	// NotListed: the key is not in allowed_signers.
	NotListed Reason = "not-listed"
	// NamespaceNotAllowed: allowed_signers limits the key to other
	// namespaces.
	NamespaceNotAllowed Reason = "namespace-not-allowed"
	// NotYetValid and Expired: outside the key's valid-after/valid-before,
	// or its certificate's validity.
	NotYetValid Reason = "not-yet-valid"
	Expired     Reason = "expired"
	// BadCertificate: a certificate its authority did not issue, or that
	// does not name exactly one principal the authority's line accepts.
	BadCertificate Reason = "bad-certificate"
	// Author: the plan's own author, who cannot approve their own plan.
	Author Reason = "author"
	// Duplicate: a signer already counted.
	Duplicate Reason = "duplicate"
)

// Words returns the reason as a phrase for messages.
func (r Reason) Words() string {
	switch r {
	case Malformed:
		return "not an SSH signature"
	case WrongNamespace:
		return "signed for another namespace than \"payform\""
	case OtherFile:
		return "signed over other bytes (another plan, or this plan before an edit)"
	case NotListed:
		return "key not listed in allowed_signers"
	case NamespaceNotAllowed:
		return "allowed_signers does not allow this key the \"payform\" namespace"
	case NotYetValid:
		return "key not yet valid"
	case Expired:
		return "key expired"
	case BadCertificate:
		return "certificate not accepted"
	case Author:
		return "the plan's author"
	case Duplicate:
		return "signer already counted"
	}
	return string(r)
}

// File is one signature file's name and contents.
type File struct {
	Name string
	Data []byte
}

// Options are what Verify checks signatures against.
type Options struct {
	Signers *AllowedSigners
	// Required is how many distinct signers must approve.
	Required int
	// Authors identify who made the plan: principals, or key fingerprints
	// ("SHA256:..."). A signer matching one does not count; a signer
	// listed only by a wildcard pattern that the author matches does not
	// count either.
	Authors []string
	// Now is when validity periods are checked.
	Now time.Time
}

// Approval is one signer that counts.
type Approval struct {
	Principal   string `json:"principal"`
	Fingerprint string `json:"fingerprint"` // SHA256:... of the signing key
	KeyType     string `json:"key_type"`
	File        string `json:"file"`
}

// Rejection is a signature that does not count, and why.
type Rejection struct {
	File        string `json:"file"`
	Principal   string `json:"principal,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
	Reason      Reason `json:"reason"`
	Detail      string `json:"detail,omitempty"`
}

// Report is what Verify found: who approved, which signatures do not
// count and why, and how many approvals are missing.
type Report struct {
	Required   int         `json:"required"`
	Approvals  []Approval  `json:"approvals"`
	Rejections []Rejection `json:"rejections"`
	Missing    int         `json:"missing"`
}

// OK reports whether enough distinct signers approved.
func (r *Report) OK() bool { return r.Missing == 0 }

// Summary says in one sentence who approved and what is missing.
func (r *Report) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d required approvals", len(r.Approvals), r.Required)
	if len(r.Approvals) > 0 {
		names := make([]string, len(r.Approvals))
		for i, a := range r.Approvals {
			names[i] = a.Principal
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(names, ", "))
	}
	if r.Missing > 0 {
		fmt.Fprintf(&b, "; %d missing", r.Missing)
	}
	if n := len(r.Rejections); n > 0 {
		parts := make([]string, n)
		for i, x := range r.Rejections {
			who := x.Principal
			if who == "" {
				who = x.Fingerprint
			}
			if who != "" {
				who += ", "
			}
			parts[i] = fmt.Sprintf("%s (%s%s)", x.File, who, x.Reason.Words())
		}
		fmt.Fprintf(&b, "; not counted: %s", strings.Join(parts, "; "))
	}
	return b.String()
}

// Verify checks each signature file against the plan file's exact bytes
// and the allowed signers, and counts distinct signers. A file may hold
// one armored signature. Files are considered in name order, so the
// report does not depend on the order they were found in.
func Verify(plan []byte, files []File, o Options) *Report {
	r := &Report{Required: o.Required, Approvals: []Approval{}, Rejections: []Rejection{}}
	files = slices.Clone(files)
	sort.SliceStable(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	counted := map[string]bool{}
	for _, f := range files {
		a, rej := check(plan, f, o)
		if rej != nil {
			r.Rejections = append(r.Rejections, *rej)
			continue
		}
		if counted[a.Principal] {
			r.Rejections = append(r.Rejections, Rejection{File: f.Name, Principal: a.Principal, Fingerprint: a.Fingerprint, Reason: Duplicate})
			continue
		}
		counted[a.Principal] = true
		r.Approvals = append(r.Approvals, a)
	}
	r.Missing = max(0, o.Required-len(r.Approvals))
	return r
}

// check verifies one signature file; it returns the approval, or why the
// file does not count.
func check(plan []byte, f File, o Options) (Approval, *Rejection) {
	reject := func(reason Reason, detail string) (Approval, *Rejection) {
		return Approval{}, &Rejection{File: f.Name, Reason: reason, Detail: detail}
	}
	if !bytes.Contains(f.Data, []byte("-----BEGIN "+sshsig.PEMType+"-----")) {
		return reject(Malformed, "no -----BEGIN SSH SIGNATURE----- block")
	}
	sig, err := sshsig.Unarmor(f.Data)
	if err != nil {
		return reject(Malformed, err.Error())
	}
	fp := ssh.FingerprintSHA256(sig.PublicKey)
	rej := func(reason Reason, principal, detail string) (Approval, *Rejection) {
		return Approval{}, &Rejection{File: f.Name, Principal: principal, Fingerprint: fp, Reason: reason, Detail: detail}
	}
	if sig.Namespace != Namespace {
		return rej(WrongNamespace, "", fmt.Sprintf("namespace %q; sign with ssh-keygen -Y sign -n payform", sig.Namespace))
	}
	if err := sshsig.Verify(bytes.NewReader(plan), sig, sig.PublicKey, sig.HashAlgorithm, Namespace); err != nil {
		return rej(OtherFile, "", "")
	}
	if o.Signers == nil {
		return rej(NotListed, "", "no allowed_signers")
	}
	a, rejection := o.Signers.authorize(sig.PublicKey, o.Now)
	if rejection != nil {
		rejection.File, rejection.Fingerprint = f.Name, fp
		return Approval{}, rejection
	}
	a.File, a.Fingerprint = f.Name, fp
	if author := o.Signers.authorOf(a, sig.PublicKey, o.Authors); author != "" {
		return rej(Author, a.Principal, fmt.Sprintf("%s made the plan", author))
	}
	return a, nil
}

// Signer returns the signer a key (or certificate) signs as at now, or
// why its signatures would not count: what `payform approve` checks
// before it writes a signature nobody could use.
func (s *AllowedSigners) Signer(key ssh.PublicKey, now time.Time) (string, error) {
	a, rej := s.authorize(key, now)
	if rej != nil {
		if rej.Detail != "" {
			return "", fmt.Errorf("%s: %s", rej.Reason.Words(), rej.Detail)
		}
		return "", errors.New(rej.Reason.Words())
	}
	return a.Principal, nil
}

// authorize finds the lines that accept key for the payform namespace at
// now. When none does, the rejection is the first line's reason (or
// NotListed when no line lists the key).
func (s *AllowedSigners) authorize(key ssh.PublicKey, now time.Time) (Approval, *Rejection) {
	cert, isCert := key.(*ssh.Certificate)
	var first *Rejection
	for _, l := range s.lines {
		var principal string
		switch {
		case l.CertAuthority && isCert:
			if !bytes.Equal(cert.SignatureKey.Marshal(), l.Key.Marshal()) {
				continue
			}
			p, rej := l.certPrincipal(cert, now)
			if rej != nil {
				first = cmpOr(first, rej)
				continue
			}
			principal = s.certSigner(p)
		case !l.CertAuthority && !isCert:
			if !bytes.Equal(key.Marshal(), l.Key.Marshal()) {
				continue
			}
			principal = s.signerName(l)
		default:
			continue
		}
		if rej := l.allows(principal, now); rej != nil {
			first = cmpOr(first, rej)
			continue
		}
		return Approval{Principal: principal, KeyType: key.Type()}, nil
	}
	if first == nil {
		first = &Rejection{Reason: NotListed}
		if isCert {
			first.Detail = "no cert-authority line lists the key that issued the certificate"
		}
	}
	return Approval{}, first
}

func cmpOr(a, b *Rejection) *Rejection {
	if a != nil {
		return a
	}
	return b
}

// allows checks a line's namespaces and validity options.
func (l *Line) allows(principal string, now time.Time) *Rejection {
	if l.Namespaces != nil && matchList(Namespace, l.Namespaces) != 1 {
		return &Rejection{Principal: principal, Reason: NamespaceNotAllowed, Detail: fmt.Sprintf("line %d allows namespaces=%q", l.Number, strings.Join(l.Namespaces, ","))}
	}
	if !l.ValidAfter.IsZero() && now.Before(l.ValidAfter) {
		return &Rejection{Principal: principal, Reason: NotYetValid, Detail: fmt.Sprintf("line %d: valid after %s", l.Number, l.ValidAfter.UTC().Format(time.RFC3339))}
	}
	if !l.ValidBefore.IsZero() && !now.Before(l.ValidBefore) {
		return &Rejection{Principal: principal, Reason: Expired, Detail: fmt.Sprintf("line %d: valid before %s", l.Number, l.ValidBefore.UTC().Format(time.RFC3339))}
	}
	return nil
}

// certPrincipal checks a user certificate issued by the line's authority
// and returns the one principal it certifies that the line accepts.
func (l *Line) certPrincipal(cert *ssh.Certificate, now time.Time) (string, *Rejection) {
	bad := func(reason Reason, format string, args ...any) (string, *Rejection) {
		return "", &Rejection{Reason: reason, Detail: fmt.Sprintf("certificate %q: ", cert.KeyId) + fmt.Sprintf(format, args...)}
	}
	if cert.CertType != ssh.UserCert {
		return bad(BadCertificate, "a host certificate, not a user certificate")
	}
	var accepted []string
	for _, p := range cert.ValidPrincipals {
		if matchList(p, l.Principals) == 1 {
			accepted = append(accepted, p)
		}
	}
	switch len(accepted) {
	case 0:
		return bad(BadCertificate, "none of its principals (%s) matches line %d (%s)", strings.Join(cert.ValidPrincipals, ","), l.Number, strings.Join(l.Principals, ","))
	case 1:
	default:
		return bad(BadCertificate, "it certifies several principals line %d accepts (%s); payform counts one signer per signature, so issue approval certificates for one principal", l.Number, strings.Join(accepted, ","))
	}
	unix := uint64(now.Unix())
	if unix < cert.ValidAfter {
		return bad(NotYetValid, "valid from %s", time.Unix(int64(cert.ValidAfter), 0).UTC().Format(time.RFC3339))
	}
	if cert.ValidBefore != ssh.CertTimeInfinity && unix >= cert.ValidBefore {
		return bad(Expired, "valid until %s", time.Unix(int64(cert.ValidBefore), 0).UTC().Format(time.RFC3339))
	}
	checker := &ssh.CertChecker{
		Clock: func() time.Time { return now },
		IsUserAuthority: func(auth ssh.PublicKey) bool {
			return bytes.Equal(auth.Marshal(), l.Key.Marshal())
		},
	}
	if err := checker.CheckCert(accepted[0], cert); err != nil {
		return bad(BadCertificate, "%v", err)
	}
	return accepted[0], nil
}

// certSigner names the signer a certified principal is: the signer a
// plain line lists it under, or the principal itself.
func (s *AllowedSigners) certSigner(p string) string {
	if id, ok := s.byPrincipal[p]; ok {
		return s.signers[id][0]
	}
	return p
}

// authorOf returns the author a signer is, or "".
func (s *AllowedSigners) authorOf(a Approval, key ssh.PublicKey, authors []string) string {
	names := []string{a.Principal}
	if id, ok := s.byPrincipal[a.Principal]; ok {
		names = s.signers[id]
	}
	for _, author := range authors {
		if author == "" {
			continue
		}
		if author == a.Fingerprint {
			return author
		}
		if cert, ok := key.(*ssh.Certificate); ok && author == ssh.FingerprintSHA256(cert.Key) {
			return author
		}
		for _, n := range names {
			if !strings.HasPrefix(n, "!") && matchPattern(author, n) {
				return author
			}
		}
	}
	return ""
}

package approval

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// certify issues a user certificate for key with ssh-keygen -s and
// returns the certificate's path (KEY-cert.pub).
func certify(t *testing.T, ca, key, id, principals, validity string, extra ...string) string {
	t.Helper()
	args := append([]string{"-q", "-s", ca, "-I", id, "-n", principals, "-V", validity}, extra...)
	run(t, nil, "ssh-keygen", append(args, key+".pub")...)
	return key + "-cert.pub"
}

// TestCertAuthority: a cert-authority line accepts signatures made with
// the user certificates it issued, in both directions with ssh-keygen.
func TestCertAuthority(t *testing.T) {
	needSSHKeygen(t)
	dir := t.TempDir()
	ca := keygen(t, dir, "ca", "ed25519")
	other := keygen(t, dir, "other-ca", "ed25519")
	signers := `"*@example.com" cert-authority ` + pub(t, ca) + "\n" +
		"bob@example.com " + pub(t, keygen(t, dir, "bob-plain", "ed25519")) + "\n"
	plan := []byte(`{"plan_id":"p-1"}` + "\n")
	planPath := filepath.Join(dir, "plan.json")
	write(t, planPath, plan)
	parsed := mustParse(t, signers)

	// Each key gets its own certificate; ssh-keygen signs with -f KEY-cert.pub.
	cases := []struct {
		name, key, typ, caKey, principals, validity string
		host                                        bool
		want                                        string // principal, or the rejection
	}{
		{name: "valid", key: "alice", typ: "ed25519", caKey: ca, principals: "alice@example.com", validity: "always:forever", want: "alice@example.com"},
		{name: "rsa", key: "bob", typ: "rsa", caKey: ca, principals: "bob@example.com", validity: "always:forever", want: "bob@example.com"},
		{name: "expired", key: "carol", typ: "ed25519", caKey: ca, principals: "carol@example.com", validity: "20250101:20250201",
			want: `expired: certificate "carol": valid until 2025-02-01T00:00:00Z`},
		{name: "not yet valid", key: "erin", typ: "ed25519", caKey: ca, principals: "erin@example.com", validity: "20270101:20280101",
			want: `not-yet-valid: certificate "erin": valid from 2027-01-01T00:00:00Z`},
		{name: "several principals", key: "dave", typ: "ed25519", caKey: ca, principals: "dave@example.com,ops@example.com", validity: "always:forever",
			want: `bad-certificate: certificate "dave": it certifies several principals line 1 accepts (dave@example.com,ops@example.com); payform counts one signer per signature, so issue approval certificates for one principal`},
		{name: "principal outside the pattern", key: "frank", typ: "ed25519", caKey: ca, principals: "frank@elsewhere.example", validity: "always:forever",
			want: `bad-certificate: certificate "frank": none of its principals (frank@elsewhere.example) matches line 1 (*@example.com)`},
		{name: "host certificate", key: "host", typ: "ed25519", caKey: ca, principals: "host@example.com", validity: "always:forever", host: true,
			want: `bad-certificate: certificate "host": a host certificate, not a user certificate`},
		{name: "another authority", key: "mallory", typ: "ed25519", caKey: other, principals: "mallory@example.com", validity: "always:forever",
			want: "not-listed: no cert-authority line lists the key that issued the certificate"},
	}
	// A certificate is not a key to list: its authority is.
	aliceCert := certify(t, ca, keygen(t, dir, "listed", "ed25519"), "listed", "listed@example.com", "always:forever")
	_, errs := ParseAllowedSigners([]byte("listed@example.com " + pub(t, strings.TrimSuffix(aliceCert, ".pub")) + "\n"))
	if len(errs) != 1 || errs[0].Error() != "line 1: the key is a certificate; list the certificate authority's key with the cert-authority option instead" {
		t.Errorf("a certificate in allowed_signers: %v", errs)
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key := keygen(t, dir, tc.key, tc.typ)
			var extra []string
			if tc.host {
				extra = append(extra, "-h")
			}
			cert := certify(t, tc.caKey, key, tc.key, tc.principals, tc.validity, extra...)
			stock := stockSign(t, cert, planPath, Namespace)
			signer, closeFn, err := LoadSigner(cert, KeyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer closeFn()
			ours, err := Sign(plan, signer)
			if err != nil {
				t.Fatal(err)
			}
			for _, sig := range []struct {
				by   string
				data []byte
			}{{"ssh-keygen", stock}, {"Sign", ours}} {
				r := Verify(plan, []File{{Name: "s.sig", Data: sig.data}}, Options{Signers: parsed, Required: 1, Now: now})
				got := ""
				switch {
				case len(r.Approvals) == 1:
					got = r.Approvals[0].Principal
				case len(r.Rejections) == 1:
					got = fmt.Sprintf("%s: %s", r.Rejections[0].Reason, r.Rejections[0].Detail)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("signed by %s: Verify (-want +got):\n%s", sig.by, diff)
				}
			}
			if tc.name == "valid" || tc.name == "rsa" {
				out, err := stockVerify(dir, signers, tc.principals, ours, plan)
				if err != nil {
					t.Errorf("ssh-keygen -Y verify refused Sign's certificate signature: %v\n%s", err, out)
				}
			}
		})
	}
}

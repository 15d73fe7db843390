package approval

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"
)

// team is a set of real keys made with ssh-keygen and an allowed_signers
// file listing them.
type team struct {
	dir     string
	keys    map[string]string // name → private key path
	signers string            // allowed_signers text
	plan    []byte
	other   []byte
}

func newTeam(t *testing.T) *team {
	t.Helper()
	needSSHKeygen(t)
	dir := t.TempDir()
	tm := &team{dir: dir, keys: map[string]string{}}
	for _, k := range []struct{ name, typ string }{
		{"alice", "ed25519"}, {"alice-yubikey", "ed25519"}, {"bob", "rsa"}, {"carol", "ecdsa"},
		{"dave", "ed25519"}, {"erin", "ed25519"}, {"frank", "ed25519"}, {"mallory", "ed25519"},
	} {
		tm.keys[k.name] = keygen(t, dir, k.name, k.typ)
	}
	tm.signers = strings.Join([]string{
		"# treasury approvers",
		"alice@example.com " + pub(t, tm.keys["alice"]),
		"", // blank lines are fine
		`"alice@corp.example,alice@example.com" ` + pub(t, tm.keys["alice-yubikey"]),
		"bob@example.com " + pub(t, tm.keys["bob"]),
		"carol@example.com " + pub(t, tm.keys["carol"]),
		`dave@example.com valid-before="20260101Z" ` + pub(t, tm.keys["dave"]),
		`erin@example.com valid-after="20270101Z" ` + pub(t, tm.keys["erin"]),
		`frank@example.com namespaces="git,file" ` + pub(t, tm.keys["frank"]),
		"",
	}, "\n")
	tm.plan = []byte(`{"format_version":1,"plan_id":"p-1","changes":[{"address":"payout.x","amount":"0.5"}]}` + "\n")
	tm.other = []byte(`{"format_version":1,"plan_id":"p-2","changes":[]}` + "\n")
	write(t, filepath.Join(dir, "plan.json"), tm.plan)
	write(t, filepath.Join(dir, "other.json"), tm.other)
	return tm
}

// sign signs the named file of the team's directory with ssh-keygen.
func (tm *team) sign(t *testing.T, key, file, namespace string) File {
	t.Helper()
	return File{Name: key + "@" + file + ".sig", Data: stockSign(t, tm.keys[key], filepath.Join(tm.dir, file), namespace)}
}

func (tm *team) fp(t *testing.T, key string) string { return fingerprint(t, tm.keys[key]) }

// TestVerifyStockSignatures: approvals made with stock ssh-keygen, and
// every way one can fail to count.
func TestVerifyStockSignatures(t *testing.T) {
	tm := newTeam(t)
	signers := mustParse(t, tm.signers)
	plan := func(key string) File { return tm.sign(t, key, "plan.json", Namespace) }
	approval := func(key, principal, typ string) Approval {
		return Approval{Principal: principal, Fingerprint: tm.fp(t, key), KeyType: typ, File: key + "@plan.json.sig"}
	}
	rejection := func(key, file, principal string, reason Reason, detail string) Rejection {
		return Rejection{File: key + "@" + file + ".sig", Principal: principal, Fingerprint: tm.fp(t, key), Reason: reason, Detail: detail}
	}
	alice, bob, carol := plan("alice"), plan("bob"), plan("carol")
	edited := append([]byte{}, tm.plan...)
	edited[len(edited)-3] = '1' // the amount's last digit: "0.5" → "0.1"

	for _, tc := range []struct {
		name     string
		plan     []byte
		files    []File
		required int
		authors  []string
		want     *Report
	}{{
		name: "one of two", required: 2, files: []File{alice},
		want: &Report{Required: 2, Approvals: []Approval{approval("alice", "alice@example.com", "ssh-ed25519")}, Rejections: []Rejection{}, Missing: 1},
	}, {
		name: "two distinct, three key types", required: 2, files: []File{carol, alice, bob},
		want: &Report{Required: 2, Approvals: []Approval{
			approval("alice", "alice@example.com", "ssh-ed25519"),
			approval("bob", "bob@example.com", "ssh-rsa"),
			approval("carol", "carol@example.com", "ecdsa-sha2-nistp256"),
		}, Rejections: []Rejection{}},
	}, {
		name: "same signer twice, by two keys", required: 2, files: []File{alice, plan("alice-yubikey")},
		// Files are taken in name order: alice-yubikey@ sorts first.
		want: &Report{Required: 2, Approvals: []Approval{{Principal: "alice@example.com", Fingerprint: tm.fp(t, "alice-yubikey"), KeyType: "ssh-ed25519", File: "alice-yubikey@plan.json.sig"}},
			Rejections: []Rejection{rejection("alice", "plan.json", "alice@example.com", Duplicate, "")}, Missing: 1},
	}, {
		name: "same signature file twice", required: 2, files: []File{alice, {Name: "copy.sig", Data: alice.Data}},
		want: &Report{Required: 2, Approvals: []Approval{approval("alice", "alice@example.com", "ssh-ed25519")},
			Rejections: []Rejection{{File: "copy.sig", Principal: "alice@example.com", Fingerprint: tm.fp(t, "alice"), Reason: Duplicate}}, Missing: 1},
	}, {
		name: "the author does not count, by principal", required: 2, files: []File{alice, bob}, authors: []string{"bob@example.com"},
		want: &Report{Required: 2, Approvals: []Approval{approval("alice", "alice@example.com", "ssh-ed25519")},
			Rejections: []Rejection{rejection("bob", "plan.json", "bob@example.com", Author, "bob@example.com made the plan")}, Missing: 1},
	}, {
		name: "the author does not count, by another principal of the signer", required: 1, files: []File{plan("alice-yubikey")}, authors: []string{"alice@corp.example"},
		want: &Report{Required: 1, Approvals: []Approval{},
			Rejections: []Rejection{rejection("alice-yubikey", "plan.json", "alice@example.com", Author, "alice@corp.example made the plan")}, Missing: 1},
	}, {
		name: "the author does not count, by fingerprint", required: 1, files: []File{carol}, authors: []string{"ci@example.com", tm.fp(t, "carol")},
		want: &Report{Required: 1, Approvals: []Approval{},
			Rejections: []Rejection{rejection("carol", "plan.json", "carol@example.com", Author, tm.fp(t, "carol")+" made the plan")}, Missing: 1},
	}, {
		name: "a signature over another plan", required: 1, files: []File{tm.sign(t, "alice", "other.json", Namespace)},
		want: &Report{Required: 1, Approvals: []Approval{}, Rejections: []Rejection{rejection("alice", "other.json", "", OtherFile, "")}, Missing: 1},
	}, {
		name: "a plan edited after signing", plan: edited, required: 1, files: []File{alice},
		want: &Report{Required: 1, Approvals: []Approval{}, Rejections: []Rejection{rejection("alice", "plan.json", "", OtherFile, "")}, Missing: 1},
	}, {
		name: "a signature for git", required: 1, files: []File{tm.sign(t, "alice", "plan.json", "git")},
		want: &Report{Required: 1, Approvals: []Approval{}, Rejections: []Rejection{{File: "alice@plan.json.sig", Fingerprint: tm.fp(t, "alice"), Reason: WrongNamespace,
			Detail: `namespace "git"; sign with ssh-keygen -Y sign -n payform`}}, Missing: 1},
	}, {
		name: "a key not listed", required: 1, files: []File{plan("mallory")},
		want: &Report{Required: 1, Approvals: []Approval{}, Rejections: []Rejection{rejection("mallory", "plan.json", "", NotListed, "")}, Missing: 1},
	}, {
		name: "expired, not yet valid, other namespaces", required: 1, files: []File{plan("dave"), plan("erin"), plan("frank")},
		want: &Report{Required: 1, Approvals: []Approval{}, Rejections: []Rejection{
			rejection("dave", "plan.json", "dave@example.com", Expired, "line 7: valid before 2026-01-01T00:00:00Z"),
			rejection("erin", "plan.json", "erin@example.com", NotYetValid, "line 8: valid after 2027-01-01T00:00:00Z"),
			rejection("frank", "plan.json", "frank@example.com", NamespaceNotAllowed, `line 9 allows namespaces="git,file"`),
		}, Missing: 1},
	}, {
		name: "not a signature", required: 1, files: []File{{Name: "notes.sig", Data: []byte("LGTM\n")}, {Name: "broken.sig", Data: []byte("-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n")}},
		want: &Report{Required: 1, Approvals: []Approval{}, Rejections: []Rejection{
			{File: "broken.sig", Reason: Malformed, Detail: "ssh: short read"},
			{File: "notes.sig", Reason: Malformed, Detail: "no -----BEGIN SSH SIGNATURE----- block"},
		}, Missing: 1},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.plan
			if p == nil {
				p = tm.plan
			}
			got := Verify(p, tc.files, Options{Signers: signers, Required: tc.required, Authors: tc.authors, Now: now})
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Verify (-want +got):\n%s", diff)
			}
			if got.OK() != (tc.want.Missing == 0) {
				t.Errorf("OK() = %v with %d missing", got.OK(), got.Missing)
			}
		})
	}
}

// TestSignVerifiesWithSSHKeygen: what Sign makes, stock ssh-keygen
// accepts, for each key type.
func TestSignVerifiesWithSSHKeygen(t *testing.T) {
	tm := newTeam(t)
	for _, k := range []struct{ key, principal, typ string }{
		{"alice", "alice@example.com", "ED25519"}, {"bob", "bob@example.com", "RSA"}, {"carol", "carol@example.com", "ECDSA"},
	} {
		t.Run(k.key, func(t *testing.T) {
			signer, closeFn, err := LoadSigner(tm.keys[k.key], KeyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer closeFn()
			sig, err := Sign(tm.plan, signer)
			if err != nil {
				t.Fatal(err)
			}
			out, err := stockVerify(tm.dir, tm.signers, k.principal, sig, tm.plan)
			want := fmt.Sprintf("Good %q signature for %s with %s key %s\n", Namespace, k.principal, k.typ, tm.fp(t, k.key))
			if err != nil || out != want {
				t.Errorf("ssh-keygen -Y verify: %v\n got: %q\nwant: %q", err, out, want)
			}
			// And ssh-keygen refuses it over other bytes.
			if out, err := stockVerify(tm.dir, tm.signers, k.principal, sig, tm.other); err == nil {
				t.Errorf("ssh-keygen -Y verify accepted the signature over another plan: %s", out)
			}
			// payform's own check agrees.
			r := Verify(tm.plan, []File{{Name: "s.sig", Data: sig}}, Options{Signers: mustParse(t, tm.signers), Required: 1, Now: now})
			if !r.OK() || r.Approvals[0].Principal != k.principal {
				t.Errorf("Verify: %s", r.Summary())
			}
		})
	}
}

func TestSummary(t *testing.T) {
	r := &Report{Required: 2, Approvals: []Approval{{Principal: "alice@example.com"}},
		Rejections: []Rejection{{File: "p.bob.sig", Principal: "bob@example.com", Reason: Author}, {File: "p.x.sig", Fingerprint: "SHA256:abc", Reason: NotListed}, {File: "p.y.sig", Reason: Malformed}},
		Missing:    1}
	want := "1 of 2 required approvals (alice@example.com); 1 missing; not counted: p.bob.sig (bob@example.com, the plan's author); p.x.sig (SHA256:abc, key not listed in allowed_signers); p.y.sig (not an SSH signature)"
	if got := r.Summary(); got != want {
		t.Errorf("Summary:\n got %q\nwant %q", got, want)
	}
}

func TestCollect(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"payform.plan", "payform.plan.sig", "payform.plan.alice.sig", "payform.plan.bob@example.com.sig",
		"payform.plan..sig", "payform.plan.txt", "payform.planx.sig", "other.plan.alice.sig", "elsewhere.sig"} {
		write(t, filepath.Join(dir, name), []byte(name))
	}
	if err := os.Mkdir(filepath.Join(dir, "payform.plan.dir.sig"), 0o755); err != nil {
		t.Fatal(err)
	}
	plan := filepath.Join(dir, "payform.plan")
	files, err := Collect(plan, []string{filepath.Join(dir, "elsewhere.sig"), filepath.Join(dir, "payform.plan.alice.sig")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, strings.TrimPrefix(f.Name, dir+"/")+"="+string(f.Data))
	}
	want := []string{
		"payform.plan.alice.sig=payform.plan.alice.sig",
		"payform.plan.bob@example.com.sig=payform.plan.bob@example.com.sig",
		"payform.plan.sig=payform.plan.sig",
		"elsewhere.sig=elsewhere.sig",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Collect (-want +got):\n%s", diff)
	}
	if _, err := Collect(plan, []string{filepath.Join(dir, "missing.sig")}); err == nil || !strings.Contains(err.Error(), "missing.sig") {
		t.Errorf("Collect with a missing explicit file: %v", err)
	}
	if got, want := SignatureName("out/payform.plan", "Alice Smith <a@x>"), "out/payform.plan.Alice_Smith__a@x_.sig"; got != want {
		t.Errorf("SignatureName = %q, want %q", got, want)
	}
}

// TestSigner: what approve checks before it signs.
func TestSigner(t *testing.T) {
	tm := newTeam(t)
	signers := mustParse(t, tm.signers)
	for key, want := range map[string]string{
		"alice-yubikey": "alice@example.com",
		"bob":           "bob@example.com",
		"mallory":       "error: key not listed in allowed_signers",
		"dave":          "error: key expired: line 7: valid before 2026-01-01T00:00:00Z",
	} {
		data, err := os.ReadFile(tm.keys[key] + ".pub")
		if err != nil {
			t.Fatal(err)
		}
		k, _, _, _, err := ssh.ParseAuthorizedKey(data)
		if err != nil {
			t.Fatal(err)
		}
		got, err := signers.Signer(k, now)
		if err != nil {
			got = "error: " + err.Error()
		}
		if got != want {
			t.Errorf("Signer(%s) = %q, want %q", key, got, want)
		}
	}
	// Without allowed_signers nothing counts.
	r := Verify(tm.plan, []File{tm.sign(t, "alice", "plan.json", Namespace)}, Options{Required: 1, Now: now})
	if r.OK() || len(r.Rejections) != 1 || r.Rejections[0].Reason != NotListed {
		t.Errorf("Verify without signers: %s", r.Summary())
	}
}

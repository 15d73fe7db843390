package approval

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// now is when every test checks validity.
var now = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

// needSSHKeygen skips the test where ssh-keygen is not installed.
func needSSHKeygen(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Skip("ssh-keygen is not installed")
	}
	return path
}

// run runs a command and fails the test when it fails.
func run(t testing.TB, stdin []byte, name string, args ...string) string {
	t.Helper()
	out, err := runErr(stdin, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func runErr(stdin []byte, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK=")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// keygen makes a key pair with ssh-keygen: typ is ed25519, rsa or ecdsa.
func keygen(t testing.TB, dir, name, typ string, extra ...string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	args := append([]string{"-q", "-t", typ, "-N", "", "-C", name, "-f", path}, extra...)
	run(t, nil, "ssh-keygen", args...)
	return path
}

// pub reads a key's public half, as one allowed_signers key field.
func pub(t testing.TB, keyPath string) string {
	t.Helper()
	data, err := os.ReadFile(keyPath + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(data))
}

// fingerprint returns a key file's SHA256 fingerprint.
func fingerprint(t testing.TB, keyPath string) string {
	t.Helper()
	data, err := os.ReadFile(keyPath + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	k, _, _, _, err := ssh.ParseAuthorizedKey(data)
	if err != nil {
		t.Fatal(err)
	}
	return ssh.FingerprintSHA256(k)
}

// stockSign signs file with `ssh-keygen -Y sign` and returns the
// signature's bytes; ssh-keygen writes FILE.sig, which is moved away.
func stockSign(t testing.TB, key, file, namespace string) []byte {
	t.Helper()
	run(t, nil, "ssh-keygen", "-Y", "sign", "-n", namespace, "-f", key, file)
	sig, err := os.ReadFile(file + ".sig")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(file + ".sig"); err != nil {
		t.Fatal(err)
	}
	return sig
}

// stockVerify checks a signature with `ssh-keygen -Y verify`.
func stockVerify(dir string, signers, principal string, sig, data []byte) (string, error) {
	sf := filepath.Join(dir, "check.sig")
	af := filepath.Join(dir, "check_signers")
	if err := os.WriteFile(sf, sig, 0o600); err != nil {
		return "", err
	}
	if err := os.WriteFile(af, []byte(signers), 0o600); err != nil {
		return "", err
	}
	return runErr(data, "ssh-keygen", "-Y", "verify", "-f", af, "-I", principal, "-n", Namespace, "-s", sf)
}

func write(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func mustParse(t testing.TB, text string) *AllowedSigners {
	t.Helper()
	s, errs := ParseAllowedSigners([]byte(text))
	if len(errs) > 0 {
		t.Fatalf("ParseAllowedSigners: %v", errs)
	}
	return s
}

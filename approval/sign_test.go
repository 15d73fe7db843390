package approval

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startAgent runs a real ssh-agent on a socket in dir for the test.
func startAgent(t *testing.T, dir string) string {
	t.Helper()
	if _, err := exec.LookPath("ssh-agent"); err != nil {
		t.Skip("ssh-agent is not installed")
	}
	sock := filepath.Join(dir, "agent.sock")
	cmd := exec.Command("ssh-agent", "-D", "-a", sock)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for range 100 {
		if _, err := os.Stat(sock); err == nil {
			return sock
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("ssh-agent did not create its socket")
	return ""
}

// sshAdd adds a key to the agent; pass is its passphrase, given through
// SSH_ASKPASS.
func sshAdd(t *testing.T, sock, key, pass string) {
	t.Helper()
	askpass := filepath.Join(filepath.Dir(key), "askpass.sh")
	write(t, askpass, []byte(fmt.Sprintf("#!/bin/sh\necho %s\n", pass)))
	if err := os.Chmod(askpass, 0o700); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ssh-add", key)
	cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock, "SSH_ASKPASS="+askpass, "SSH_ASKPASS_REQUIRE=force", "DISPLAY=:0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ssh-add: %v\n%s", err, out)
	}
}

// TestLoadSigner: the key files ssh-keygen -Y sign -f takes, through an
// agent or a passphrase; each signature verifies with ssh-keygen.
func TestLoadSigner(t *testing.T) {
	needSSHKeygen(t)
	dir := t.TempDir()
	plain := keygen(t, dir, "plain", "ed25519")
	secret := keygen(t, dir, "secret", "ecdsa", "-N", "correct horse")
	rsaPEM := keygen(t, dir, "rsa-pem", "rsa", "-N", "battery staple", "-m", "PEM")
	agentOnly := keygen(t, dir, "agent-only", "rsa")
	sock := startAgent(t, dir)
	sshAdd(t, sock, secret, "'correct horse'")
	sshAdd(t, sock, agentOnly, "unused")
	if err := os.Remove(agentOnly); err != nil { // only the agent holds it now
		t.Fatal(err)
	}
	signers := ""
	for _, k := range []string{plain, secret, rsaPEM, agentOnly} {
		signers += filepath.Base(k) + "@example.com " + pub(t, k) + "\n"
	}
	plan := []byte(`{"plan_id":"p-1"}` + "\n")
	passphrase := func(p string) func() ([]byte, error) {
		return func() ([]byte, error) { return []byte(p), nil }
	}

	for _, tc := range []struct {
		name, path, principal string
		opts                  KeyOptions
	}{
		{"private key", plain, "plain@example.com", KeyOptions{}},
		{"encrypted key held by the agent", secret, "secret@example.com", KeyOptions{AgentSocket: sock}},
		{"encrypted key with its passphrase", secret, "secret@example.com", KeyOptions{Passphrase: passphrase("correct horse")}},
		{"encrypted PEM key with its passphrase", rsaPEM, "rsa-pem@example.com", KeyOptions{Passphrase: passphrase("battery staple")}},
		{"public key held by the agent", agentOnly + ".pub", "agent-only@example.com", KeyOptions{AgentSocket: sock}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			signer, closeFn, err := LoadSigner(tc.path, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer closeFn()
			sig, err := Sign(plan, signer)
			if err != nil {
				t.Fatal(err)
			}
			if out, err := stockVerify(dir, signers, tc.principal, sig, plan); err != nil || !strings.HasPrefix(out, "Good \"payform\" signature for "+tc.principal) {
				t.Errorf("ssh-keygen -Y verify: %v: %s", err, out)
			}
		})
	}

	for _, tc := range []struct {
		name, path string
		opts       KeyOptions
		want       string
	}{
		{"encrypted, no agent, no passphrase", secret, KeyOptions{}, secret + " is encrypted: add the key to ssh-agent (ssh-add " + secret + "), or enter its passphrase"},
		{"wrong passphrase", secret, KeyOptions{Passphrase: passphrase("wrong")}, secret + ": x509: decryption password incorrect"},
		{"public key, no agent", plain + ".pub", KeyOptions{}, plain + ".pub holds no private key and no ssh-agent is running (SSH_AUTH_SOCK is not set): add the key to ssh-agent, or give the private key file"},
		{"public key the agent lacks", plain + ".pub", KeyOptions{AgentSocket: sock}, "ssh-agent does not hold the key of " + plain + ".pub (" + fingerprint(t, plain) + "): add the key to ssh-agent (ssh-add), or give the private key file"},
		{"not a key", filepath.Join(dir, "askpass.sh"), KeyOptions{}, filepath.Join(dir, "askpass.sh") + " is not an SSH private key, public key or certificate: ssh: no key found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := LoadSigner(tc.path, tc.opts)
			if err == nil || err.Error() != tc.want {
				t.Errorf("LoadSigner error:\n got %v\nwant %s", err, tc.want)
			}
		})
	}
	if _, _, err := LoadSigner(filepath.Join(dir, "missing"), KeyOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadSigner of a missing file: %v", err)
	}
}

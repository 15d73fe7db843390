package approval

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// Sign returns an armored SSH signature of the plan file's bytes in the
// payform namespace, hashed with SHA-512 as ssh-keygen -Y sign does: the
// same file `ssh-keygen -Y sign -n payform -f KEY PLANFILE` writes.
func Sign(plan []byte, signer ssh.Signer) ([]byte, error) {
	sig, err := sshsig.Sign(bytes.NewReader(plan), rsaSHA512(signer), sshsig.HashSHA512, Namespace)
	if err != nil {
		return nil, err
	}
	return sshsig.Armor(sig), nil
}

// KeyOptions say where LoadSigner may find a key's private half.
type KeyOptions struct {
	// AgentSocket is ssh-agent's socket (SSH_AUTH_SOCK); "" uses no agent.
	AgentSocket string
	// Passphrase, when set, is asked for the passphrase of an encrypted
	// key that the agent does not hold.
	Passphrase func() ([]byte, error)
}

// LoadSigner returns a signer for path as `ssh-keygen -Y sign -f path`
// takes it:
//
//   - a private key file (OpenSSH, PEM or PKCS#8); an encrypted one is
//     used through the agent when it holds the key, else with Passphrase;
//   - a public key file (.pub) whose private key the agent holds;
//   - a certificate (KEY-cert.pub), whose private key is KEY or in the
//     agent: the signature then carries the certificate, for
//     allowed_signers lines with cert-authority.
//
// close releases the agent connection, if one was opened.
func LoadSigner(path string, o KeyOptions) (signer ssh.Signer, close func() error, err error) {
	data, err := readSmall(path, 1<<20)
	if err != nil {
		return nil, nil, err
	}
	noop := func() error { return nil }
	if pub, _, _, _, perr := ssh.ParseAuthorizedKey(data); perr == nil {
		cert, isCert := pub.(*ssh.Certificate)
		if !isCert {
			return fromAgent(o.AgentSocket, pub, path)
		}
		keyPath := strings.TrimSuffix(path, "-cert.pub")
		var base ssh.Signer
		if keyPath != path {
			if _, serr := os.Stat(keyPath); serr == nil {
				if s, c, err := LoadSigner(keyPath, o); err == nil {
					base, close = s, c
				} else if !errors.Is(err, errNeedsAgent) {
					return nil, nil, err
				}
			}
		}
		if base == nil {
			if base, close, err = fromAgent(o.AgentSocket, cert.Key, path); err != nil {
				return nil, nil, err
			}
		}
		if !bytes.Equal(base.PublicKey().Marshal(), cert.Key.Marshal()) {
			close()
			return nil, nil, fmt.Errorf("%s certifies another key than %s", path, keyPath)
		}
		cs, err := ssh.NewCertSigner(cert, base)
		if err != nil {
			close()
			return nil, nil, err
		}
		return cs, close, nil
	}
	raw, err := ssh.ParseRawPrivateKey(data)
	var missing *ssh.PassphraseMissingError
	switch {
	case err == nil:
		s, err := ssh.NewSignerFromKey(raw)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", path, err)
		}
		return s, noop, nil
	case errors.As(err, &missing):
		pub := missing.PublicKey
		if pub == nil {
			pub = publicBeside(path)
		}
		if pub != nil && o.AgentSocket != "" {
			if s, c, aerr := fromAgent(o.AgentSocket, pub, path); aerr == nil {
				return s, c, nil
			}
		}
		if o.Passphrase == nil {
			return nil, nil, fmt.Errorf("%s is encrypted: %w (ssh-add %s), or enter its passphrase", path, errNeedsAgent, path)
		}
		pass, err := o.Passphrase()
		if err != nil {
			return nil, nil, err
		}
		s, err := ssh.ParsePrivateKeyWithPassphrase(data, pass)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", path, err)
		}
		return s, noop, nil
	}
	return nil, nil, fmt.Errorf("%s is not an SSH private key, public key or certificate: %v", path, err)
}

// errNeedsAgent says a key's private half must come from ssh-agent.
var errNeedsAgent = errors.New("add the key to ssh-agent")

// fromAgent finds the agent's signer for pub.
func fromAgent(socket string, pub ssh.PublicKey, path string) (ssh.Signer, func() error, error) {
	if socket == "" {
		return nil, nil, fmt.Errorf("%s holds no private key and no ssh-agent is running (SSH_AUTH_SOCK is not set): %w, or give the private key file", path, errNeedsAgent)
	}
	conn, err := net.Dial("unix", socket)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot reach ssh-agent at %s: %v", socket, err)
	}
	signers, err := agent.NewClient(conn).Signers()
	if err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("ssh-agent: %v", err)
	}
	want := pub.Marshal()
	for _, s := range signers {
		if bytes.Equal(s.PublicKey().Marshal(), want) {
			return s, conn.Close, nil
		}
	}
	conn.Close()
	return nil, nil, fmt.Errorf("ssh-agent does not hold the key of %s (%s): %w (ssh-add), or give the private key file", path, ssh.FingerprintSHA256(pub), errNeedsAgent)
}

// publicBeside reads KEY.pub for an encrypted PEM key, whose public half
// the file does not carry.
func publicBeside(path string) ssh.PublicKey {
	data, err := readSmall(path+".pub", 1<<16)
	if err != nil {
		return nil
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey(data)
	if err != nil {
		return nil
	}
	return pub
}

// readSmall reads a file of at most limit bytes.
func readSmall(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return data, nil
}

// rsaSHA512 makes a signer over an RSA certificate sign with
// rsa-sha2-512, which SSHSIG requires; sshsig does so by itself only for
// plain RSA keys.
func rsaSHA512(s ssh.Signer) ssh.Signer {
	cert, ok := s.PublicKey().(*ssh.Certificate)
	if !ok || cert.Key.Type() != ssh.KeyAlgoRSA {
		return s
	}
	as, ok := s.(ssh.AlgorithmSigner)
	if !ok {
		return s
	}
	return rsaCertSigner{as}
}

type rsaCertSigner struct{ ssh.AlgorithmSigner }

func (r rsaCertSigner) Sign(rand io.Reader, data []byte) (*ssh.Signature, error) {
	return r.SignWithAlgorithm(rand, data, ssh.KeyAlgoRSASHA512)
}

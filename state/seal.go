package state

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// Key is an audit key (PAYFORM_AUDIT_KEY): a secret payform never stores.
// With it, every journal entry and snapshot is sealed with an HMAC-SHA256
// that only a holder of the key can compute, so that an edit by someone
// with write access to the state but not the key is detected even when
// every hash was recomputed. A nil Key seals nothing.
type Key []byte

// AuditKeyEnv is the environment variable the audit key comes from.
const AuditKeyEnv = "PAYFORM_AUDIT_KEY"

// minKeyLen is the shortest audit key accepted.
const minKeyLen = 16

// ParseKey takes an audit key from the environment variable's value: ""
// gives no key.
func ParseKey(s string) (Key, error) {
	if s == "" {
		return nil, nil
	}
	if len(s) < minKeyLen {
		return nil, errors.New(AuditKeyEnv + " is shorter than 16 characters; use a long random value (e.g. openssl rand -hex 32)")
	}
	return Key(s), nil
}

// macLen is the length of a seal: hex of an HMAC-SHA256.
const macLen = 2 * sha256.Size

func (k Key) mac(parts ...[]byte) string {
	m := hmac.New(sha256.New, k)
	for _, p := range parts {
		m.Write(p)
	}
	return hex.EncodeToString(m.Sum(nil))
}

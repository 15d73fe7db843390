// Package shell quotes the words of the commands payform suggests, so
// that each pastes into a POSIX shell as one word: an address such as
// payout.vendor["po-1"] holds characters the shell would take.
package shell

import "strings"

// Quote returns s as one shell word: unchanged when every character is
// safe, else in single quotes (a single quote becomes '\”).
func Quote(s string) string {
	if s != "" && strings.IndexFunc(s, unsafe) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func unsafe(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	}
	return !strings.ContainsRune("-_./:=@%+,", r)
}

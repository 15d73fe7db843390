package approval

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// AllowedSigners is a parsed OpenSSH allowed_signers file (ssh-keygen(1),
// ALLOWED SIGNERS): one line per key,
//
//	principals [options] keytype base64-key [comment]
//
// where principals is a comma-separated pattern list (quoted when it
// holds spaces) and options are cert-authority, namespaces="LIST",
// valid-after="TIME" and valid-before="TIME" (YYYYMMDD[HHMM[SS]], "Z" for
// UTC, local time otherwise). Empty lines and lines starting with # are
// ignored.
//
// payform counts approvals per signer, not per key: lines whose principal
// lists share a principal belong to one signer (a person's laptop key and
// security key), and one plain key may not be listed for two signers.
type AllowedSigners struct {
	lines []*Line
	// signers holds each signer's principals, by signer id; plain lines
	// point into it.
	signers [][]string
	// byPrincipal maps a principal written on a plain line to its signer.
	byPrincipal map[string]int
	// source is the file as parsed.
	source []byte
}

// Line is one allowed_signers entry.
type Line struct {
	Number int
	// Principals are the patterns of the first field, as written.
	Principals []string
	// CertAuthority: Key is a CA; signatures must be made with a user
	// certificate it issued for one principal the patterns accept.
	CertAuthority bool
	// Namespaces, when set, is the namespaces="..." pattern list.
	Namespaces []string
	// ValidAfter and ValidBefore bound when the key may sign; zero means
	// unbounded.
	ValidAfter, ValidBefore time.Time
	Key                     ssh.PublicKey
	signer                  int // plain lines: the signer id
}

// LineError is a line of an allowed_signers file payform cannot use.
type LineError struct {
	Line int
	Msg  string
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// maxSignersFile bounds an allowed_signers file.
const maxSignersFile = 1 << 20

// ParseAllowedSigners parses an allowed_signers file. It reports every line
// it cannot use; the result is nil when there is any.
func ParseAllowedSigners(data []byte) (*AllowedSigners, []*LineError) {
	if len(data) > maxSignersFile {
		return nil, []*LineError{{0, fmt.Sprintf("the file is %d bytes; an allowed_signers file is limited to %d", len(data), maxSignersFile)}}
	}
	var (
		lines []*Line
		errs  []*LineError
	)
	for i, raw := range bytes.Split(data, []byte("\n")) {
		text := strings.TrimSpace(strings.TrimSuffix(string(raw), "\r"))
		if text == "" || text[0] == '#' {
			continue
		}
		l, err := parseLine(text)
		if err != "" {
			errs = append(errs, &LineError{i + 1, err})
			continue
		}
		l.Number = i + 1
		lines = append(lines, l)
	}
	s := &AllowedSigners{lines: lines, source: bytes.Clone(data)}
	errs = append(errs, s.groupSigners()...)
	if len(errs) > 0 {
		return nil, errs
	}
	return s, nil
}

func parseLine(text string) (*Line, string) {
	principals, rest, ok := cutField(text)
	if !ok {
		return nil, "a line needs principals and a key: PRINCIPALS [OPTIONS] KEYTYPE BASE64-KEY"
	}
	l := &Line{}
	for _, p := range strings.Split(principals, ",") {
		if p == "" {
			return nil, fmt.Sprintf("principals %q has an empty entry", principals)
		}
		l.Principals = append(l.Principals, p)
	}
	key, _, options, _, err := ssh.ParseAuthorizedKey([]byte(rest))
	if err != nil {
		return nil, "no public key after the principals and options; a key looks like \"ssh-ed25519 AAAA...\", as in a .pub file"
	}
	if _, isCert := key.(*ssh.Certificate); isCert {
		return nil, "the key is a certificate; list the certificate authority's key with the cert-authority option instead"
	}
	l.Key = key
	seen := map[string]bool{}
	for _, opt := range options {
		name, value, hasValue := strings.Cut(opt, "=")
		name = strings.ToLower(name)
		if seen[name] {
			return nil, fmt.Sprintf("option %s is given twice", name)
		}
		seen[name] = true
		if hasValue {
			v, ok := unquote(value)
			if !ok {
				return nil, fmt.Sprintf("option %s needs a double-quoted value, as in %s=\"...\"", name, name)
			}
			value = v
		}
		switch {
		case name == "cert-authority" && !hasValue:
			l.CertAuthority = true
		case name == "namespaces" && hasValue:
			l.Namespaces = strings.Split(value, ",")
		case (name == "valid-after" || name == "valid-before") && hasValue:
			t, err := parseTime(value)
			if err != "" {
				return nil, fmt.Sprintf("%s %q %s", name, value, err)
			}
			if name == "valid-after" {
				l.ValidAfter = t
			} else {
				l.ValidBefore = t
			}
		default:
			return nil, fmt.Sprintf("option %q is not one payform understands: use cert-authority, namespaces=\"...\", valid-after=\"...\" or valid-before=\"...\"", opt)
		}
	}
	if !l.ValidAfter.IsZero() && !l.ValidBefore.IsZero() && !l.ValidBefore.After(l.ValidAfter) {
		return nil, "valid-before is not after valid-after"
	}
	return l, ""
}

// cutField splits off the first whitespace-separated field; a field that
// starts with a double quote runs to the closing quote.
func cutField(s string) (field, rest string, ok bool) {
	if strings.HasPrefix(s, `"`) {
		end := strings.IndexByte(s[1:], '"')
		if end < 0 {
			return "", "", false
		}
		field, rest = s[1:end+1], s[end+2:]
		if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
			return "", "", false
		}
	} else {
		i := strings.IndexAny(s, " \t")
		if i < 0 {
			return "", "", false
		}
		field, rest = s[:i], s[i:]
	}
	rest = strings.TrimLeft(rest, " \t")
	return field, rest, field != "" && rest != ""
}

func unquote(v string) (string, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	return v[1 : len(v)-1], true
}

// parseTime reads OpenSSH's absolute time: YYYYMMDD, YYYYMMDDHHMM or
// YYYYMMDDHHMMSS, in UTC with a trailing Z and in local time without.
func parseTime(s string) (time.Time, string) {
	loc := time.Local
	if rest, ok := strings.CutSuffix(s, "Z"); ok {
		s, loc = rest, time.UTC
	}
	var layout string
	switch len(s) {
	case 8:
		layout = "20060102"
	case 12:
		layout = "200601021504"
	case 14:
		layout = "20060102150405"
	default:
		return time.Time{}, "is not a time such as 20270101, 202701011200 or 20270101120000Z"
	}
	t, err := time.ParseInLocation(layout, s, loc)
	if err != nil {
		return time.Time{}, "is not a valid date and time"
	}
	return t, ""
}

// groupSigners joins plain lines that share a principal into one signer,
// and refuses a plain key listed for two signers.
func (s *AllowedSigners) groupSigners() []*LineError {
	parent := make([]int, len(s.lines))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	firstLine := map[string]int{} // principal → first plain line
	for i, l := range s.lines {
		if l.CertAuthority {
			continue
		}
		for _, p := range l.Principals {
			if j, ok := firstLine[p]; ok {
				parent[find(i)] = find(j)
			} else {
				firstLine[p] = i
			}
		}
	}
	s.byPrincipal = map[string]int{}
	ids := map[int]int{} // root line → signer id
	for i, l := range s.lines {
		if l.CertAuthority {
			continue
		}
		root := find(i)
		id, ok := ids[root]
		if !ok {
			id = len(s.signers)
			ids[root] = id
			s.signers = append(s.signers, nil)
		}
		l.signer = id
		for _, p := range l.Principals {
			if !slices.Contains(s.signers[id], p) {
				s.signers[id] = append(s.signers[id], p)
			}
			s.byPrincipal[p] = id
		}
	}
	var errs []*LineError
	byKey := map[string]*Line{}
	for _, l := range s.lines {
		if l.CertAuthority {
			continue
		}
		k := string(l.Key.Marshal())
		if prev, ok := byKey[k]; ok && prev.signer != l.signer {
			errs = append(errs, &LineError{l.Number, fmt.Sprintf("this key is also listed on line %d for %s; one key identifies one signer, so that one signature cannot count twice",
				prev.Number, strings.Join(s.signers[prev.signer], ","))})
			continue
		}
		byKey[k] = l
	}
	return errs
}

// Source returns the file's bytes as parsed: a plan file carries them,
// so that its approvals can be checked against the signers it was made
// with (payform show, payform approve).
func (s *AllowedSigners) Source() []byte { return s.source }

// Lines returns the entries, in file order.
func (s *AllowedSigners) Lines() []*Line { return s.lines }

// Signers returns the principals of each signer listed with a plain key,
// so that a configuration can check that enough signers exist.
func (s *AllowedSigners) Signers() [][]string { return s.signers }

// HasCertAuthority reports whether any line is a certificate authority,
// which can certify any number of signers.
func (s *AllowedSigners) HasCertAuthority() bool {
	return slices.ContainsFunc(s.lines, func(l *Line) bool { return l.CertAuthority })
}

// signerName names a plain line's signer: its first principal.
func (s *AllowedSigners) signerName(l *Line) string { return s.signers[l.signer][0] }

// matchList is OpenSSH's match_pattern_list: 1 when s matches a pattern of
// the list and no negated one, -1 when it matches a negated one ("!p"), 0
// otherwise.
func matchList(s string, patterns []string) int {
	got := 0
	for _, p := range patterns {
		if neg, ok := strings.CutPrefix(p, "!"); ok {
			if matchPattern(s, neg) {
				return -1
			}
			continue
		}
		if matchPattern(s, p) {
			got = 1
		}
	}
	return got
}

// matchPattern matches s against a pattern of * (any run) and ? (any one
// character), case-sensitively.
func matchPattern(s, p string) bool {
	// Iterative wildcard matching with backtracking to the last star.
	si, pi, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			si++
			pi++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

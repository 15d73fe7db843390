package approval

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const (
	keyA = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtHtk/ox2aTTGXEnR7YYb5jB0nqZbnazoafbOXVF8oe a"
	keyB = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHm6tHxQuMOzv9zOr2tfnc3/FHkVdjp72hrVuYQWHoW9 b"
)

func TestParseAllowedSigners(t *testing.T) {
	s := mustParse(t, strings.Join([]string{
		"  # comment",
		`alice@example.com ` + keyA,
		`"bob@example.com,robert@example.com" namespaces="payform,git",valid-after="20260101",VALID-BEFORE="202701011230Z" ` + keyB,
		`*@example.com,!mallory@example.com cert-authority ` + keyB + "\r",
	}, "\n"))
	type line struct {
		Number                  int
		Principals, Namespaces  []string
		CertAuthority           bool
		ValidAfter, ValidBefore time.Time
		Key                     string
	}
	var got []line
	for _, l := range s.Lines() {
		got = append(got, line{l.Number, l.Principals, l.Namespaces, l.CertAuthority, l.ValidAfter, l.ValidBefore, l.Key.Type()})
	}
	want := []line{
		{Number: 2, Principals: []string{"alice@example.com"}, Key: "ssh-ed25519"},
		{Number: 3, Principals: []string{"bob@example.com", "robert@example.com"}, Namespaces: []string{"payform", "git"},
			ValidAfter: time.Date(2026, 1, 1, 0, 0, 0, 0, time.Local), ValidBefore: time.Date(2027, 1, 1, 12, 30, 0, 0, time.UTC), Key: "ssh-ed25519"},
		{Number: 4, Principals: []string{"*@example.com", "!mallory@example.com"}, CertAuthority: true, Key: "ssh-ed25519"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]string{{"alice@example.com"}, {"bob@example.com", "robert@example.com"}}, s.Signers()); diff != "" {
		t.Errorf("Signers (-want +got):\n%s", diff)
	}
	if !s.HasCertAuthority() {
		t.Error("HasCertAuthority is false")
	}
}

// TestSignersGrouping: lines sharing a principal are one signer, through
// any chain of shared principals.
func TestSignersGrouping(t *testing.T) {
	keys := []string{keyA, keyB, strings.Replace(keyA, "IOtH", "IOtI", 1)}
	s, errs := ParseAllowedSigners([]byte(
		"a@x,b@x " + keys[0] + "\n" +
			"c@x " + keys[1] + "\n" +
			"b@x,c@x " + keys[2] + "\n"))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if diff := cmp.Diff([][]string{{"a@x", "b@x", "c@x"}}, s.Signers()); diff != "" {
		t.Errorf("Signers (-want +got):\n%s", diff)
	}
}

func TestParseAllowedSignersErrors(t *testing.T) {
	text := strings.Join([]string{
		"alice@example.com",                                            // 1: no key
		"alice@example.com ssh-ed25519 AAAA-not-base64",                // 2
		`alice@example.com namespaces=payform ` + keyA,                 // 3: unquoted value
		`alice@example.com valid-after="2026-01-01" ` + keyA,           // 4
		`alice@example.com valid-after="20261301" ` + keyA,             // 5
		`alice@example.com restrict ` + keyA,                           // 6
		`alice@example.com cert-authority,cert-authority ` + keyA,      // 7
		`a@x valid-after="20270101Z",valid-before="20260101Z" ` + keyA, // 8
		`"unclosed ` + keyA,                                            // 9
		`a@x,,b@x ` + keyA,                                             // 10
		`a@x ` + keyA,                                                  // 11
		`b@x ` + keyA,                                                  // 12: the same key for another signer
	}, "\n")
	_, errs := ParseAllowedSigners([]byte(text))
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	want := []string{
		"line 1: a line needs principals and a key: PRINCIPALS [OPTIONS] KEYTYPE BASE64-KEY",
		`line 2: no public key after the principals and options; a key looks like "ssh-ed25519 AAAA...", as in a .pub file`,
		`line 3: option namespaces needs a double-quoted value, as in namespaces="..."`,
		`line 4: valid-after "2026-01-01" is not a time such as 20270101, 202701011200 or 20270101120000Z`,
		`line 5: valid-after "20261301" is not a valid date and time`,
		`line 6: option "restrict" is not one payform understands: use cert-authority, namespaces="...", valid-after="..." or valid-before="..."`,
		"line 7: option cert-authority is given twice",
		"line 8: valid-before is not after valid-after",
		"line 9: a line needs principals and a key: PRINCIPALS [OPTIONS] KEYTYPE BASE64-KEY",
		`line 10: principals "a@x,,b@x" has an empty entry`,
		"line 12: this key is also listed on line 11 for a@x; one key identifies one signer, so that one signature cannot count twice",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

func TestMatchList(t *testing.T) {
	for _, tc := range []struct {
		s        string
		patterns string
		want     int
	}{
		{"alice@example.com", "alice@example.com", 1},
		{"alice@example.com", "*@example.com", 1},
		{"alice@example.com", "*@example.org", 0},
		{"alice@example.com", "*@example.com,!alice@*", -1},
		{"bob@example.com", "*@example.com,!alice@*", 1},
		{"Alice@example.com", "alice@example.com", 0},
		{"a@x", "?@x", 1},
		{"ab@x", "?@x", 0},
		{"payform", "git,file", 0},
		{"payform", "*", 1},
		{"", "*", 1},
		{"abc", "a*b*c", 1},
		{"abxc", "a*b*c", 1},
		{"abcx", "a*b*c", 0},
	} {
		if got := matchList(tc.s, strings.Split(tc.patterns, ",")); got != tc.want {
			t.Errorf("matchList(%q, %q) = %d, want %d", tc.s, tc.patterns, got, tc.want)
		}
	}
}

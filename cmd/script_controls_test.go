package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// allowedsigners FILE PRINCIPAL=PUBFILE...: write an allowed_signers file
// listing each public key (made by ssh-keygen in the script) under its
// principal.
func cmdAllowedSigners(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || neg {
		ts.Fatalf("usage: allowedsigners FILE PRINCIPAL=PUBFILE...")
	}
	var b strings.Builder
	for _, arg := range args[1:] {
		principal, file, ok := strings.Cut(arg, "=")
		if !ok {
			ts.Fatalf("allowedsigners: %q is not PRINCIPAL=PUBFILE", arg)
		}
		data, err := os.ReadFile(ts.MkAbs(file))
		ts.Check(err)
		fields := strings.Fields(string(data))
		if len(fields) < 2 {
			ts.Fatalf("allowedsigners: %s is not a public key", file)
		}
		fmt.Fprintf(&b, "%s %s %s\n", principal, fields[0], fields[1])
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(b.String()), 0o644))
}

// keep NAME: remember what the sandbox holds (as ledgerdump writes it)
// and the bytes of the state file and its journal; unchanged NAME fails
// unless all three are still exactly that: nothing was sent, recorded or
// rewritten in between.
func cmdKeep(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: keep NAME")
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]+".kept"), snapshotOf(ts), 0o644))
}

func cmdUnchanged(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: unchanged NAME")
	}
	want, err := os.ReadFile(ts.MkAbs(args[0] + ".kept"))
	ts.Check(err)
	if got := snapshotOf(ts); !bytes.Equal(got, want) {
		ts.Fatalf("the ledger, the state or the journal changed since keep %s:\nwas:\n%s\nnow:\n%s", args[0], want, got)
	}
}

func snapshotOf(ts *testscript.TestScript) []byte {
	var b bytes.Buffer
	var lines []string
	for _, o := range fetchLedger(ts, ts.Getenv("SANDBOX_ADDR")) {
		lines = append(lines, fmt.Sprintf("%s %s %s id=%s create_requests=%d\n", o.Gateway, o.Kind, o.Key, o.ID, o.CreateRequests))
	}
	sort.Strings(lines)
	b.WriteString("ledger:\n" + strings.Join(lines, ""))
	for _, f := range []string{"payform.state.json", "payform.state.json.journal"} {
		data, err := os.ReadFile(ts.MkAbs(f))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			fmt.Fprintf(&b, "%s: absent\n", f)
		case err != nil:
			ts.Fatalf("%v", err)
		default:
			fmt.Fprintf(&b, "%s (%d bytes):\n%s\n", f, len(data), data)
		}
	}
	return b.Bytes()
}

// fingerprint VAR PUBFILE: set $VAR to the key's SHA-256 fingerprint as
// ssh-keygen -l prints it, quoted for a regular expression.
func cmdFingerprint(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: fingerprint VAR PUBFILE")
	}
	out, err := exec.Command("ssh-keygen", "-l", "-E", "sha256", "-f", ts.MkAbs(args[1])).Output()
	ts.Check(err)
	fields := strings.Fields(string(out))
	if len(fields) < 2 || !strings.HasPrefix(fields[1], "SHA256:") {
		ts.Fatalf("ssh-keygen -l printed %q", out)
	}
	ts.Setenv(args[0], regexp.QuoteMeta(fields[1]))
}

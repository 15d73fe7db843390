package cmd

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/state"
)

// payformBin is the payform binary the end-to-end tests run, built once
// by TestMain.
var payformBin string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "payform-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	payformBin = filepath.Join(dir, "payform")
	build := exec.Command("go", "build", "-o", payformBin, "github.com/payform/payform")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building payform:", err)
		return 1
	}
	return m.Run()
}

// TestScripts runs testdata/script/*.txtar against the built binary, with
// a sandbox address free for each script and the repository's examples
// copied into $WORK/examples.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", filepath.Dir(payformBin)+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("SANDBOX_ADDR", freeAddr(env.T().(testing.TB)))
			env.Setenv("INBOX_ADDR", freeAddr(env.T().(testing.TB)))
			env.Setenv("PAYFORM_ACTOR", "ci@test")
			for _, k := range []string{"WLLXPAY_API_KEY", "WLLXPAY_SECRET_KEY"} {
				env.Setenv(k, "")
			}
			return copyDir("../examples", filepath.Join(env.WorkDir, "examples"))
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"waitsandbox": cmdWaitSandbox,
			"exits":       cmdExits,
			"ledger":      cmdLedger,
			"gencsv":      cmdGenCSV,
			"sandboxapi":  cmdSandboxAPI,
			"hookserver":  cmdHookServer,
			"tamper":      cmdTamper,
			"waitfile":    cmdWaitFile,
			"genorders":   cmdGenOrders,
			"ledgerkeys":  cmdLedgerKeys,
			"ledgerdump":  cmdLedgerDump,
			"jsonenv":     cmdJSONEnv,
			"plancat":     cmdPlanCat,
			"planforge":   cmdPlanForge,
			"planedit":    cmdPlanEdit,
			"resealsnap":  cmdResealSnapshot,
			"snapdrop":    cmdSnapDrop,
			"forgeentry":  cmdForgeEntry,
			"forgeentryfile": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: forgeentryfile JOURNAL FILE")
				}
				cmdForgeEntry(ts, neg, []string{args[0], strings.TrimSpace(string(readMaybeGzip(ts, args[1])))})
			},
			"waitlines": cmdWaitLines,
			// script_controls_test.go
			"allowedsigners": cmdAllowedSigners,
			"keep":           cmdKeep,
			"unchanged":      cmdUnchanged,
			"fingerprint":    cmdFingerprint,
			// script_gaps_test.go
			"ledgerid": cmdLedgerID,
			"reqproxy": cmdReqProxy,
			"milalogs": cmdMilaLogs,
		},
	})
}

// waitsandbox: wait until the sandbox at $SANDBOX_ADDR answers.
func cmdWaitSandbox(ts *testscript.TestScript, neg bool, _ []string) {
	url := "http://" + ts.Getenv("SANDBOX_ADDR") + "/_sandbox/health"
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.Fatalf("sandbox at %s did not start", url)
}

// ledger N: the sandbox holds exactly N objects, and no key twice.
func cmdLedger(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: ledger N")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	objs := fetchLedger(ts, ts.Getenv("SANDBOX_ADDR"))
	seen := map[string]int{}
	for _, o := range objs {
		seen[o.Kind+" "+o.Key]++
	}
	var dups []string
	for k, n := range seen {
		if n > 1 {
			dups = append(dups, fmt.Sprintf("%s ×%d", k, n))
		}
	}
	if len(dups) > 0 {
		ts.Fatalf("keys at the gateway more than once: %s", strings.Join(dups, ", "))
	}
	if len(objs) != want {
		ts.Fatalf("ledger has %d objects, want %d", len(objs), want)
	}
}

func fetchLedger(ts interface{ Fatalf(string, ...any) }, addr string) []emulator.LedgerObject {
	resp, err := http.Get("http://" + addr + "/_sandbox/ledger")
	if err != nil {
		ts.Fatalf("ledger: %v", err)
	}
	defer resp.Body.Close()
	var body struct {
		Objects []emulator.LedgerObject `json:"objects"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		ts.Fatalf("ledger: %v", err)
	}
	return body.Objects
}

// gencsv FILE N [AMOUNT]: write N payouts (po-1..po-N) to valid BTC
// addresses.
func cmdGenCSV(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: gencsv FILE N [AMOUNT]")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	amount := "0.001"
	if len(args) > 2 {
		amount = args[2]
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(payoutsCSV(n, amount)), 0o644))
}

// payoutsCSV returns n payouts po-1..po-n as CSV.
func payoutsCSV(n int, amount string) string {
	var b strings.Builder
	b.WriteString("foreign_id,currency,amount,address\n")
	for i := 1; i <= n; i++ {
		addr, _ := money.GenerateAddress("BTC", []byte(fmt.Sprint("payee-", i)))
		fmt.Fprintf(&b, "po-%d,BTC,%s,%s\n", i, amount, addr)
	}
	return b.String()
}

// freeAddr returns a loopback address with a free port.
func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func copyDir(src, dst string) error {
	return filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if fi.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// sandboxapi METHOD PATH [BODY|@FILE]: call the sandbox's admin API; the answer
// goes to stdout. Fails on a status outside 2xx (unless negated).
func cmdSandboxAPI(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: sandboxapi METHOD PATH [BODY]")
	}
	body := ""
	if len(args) > 2 {
		body = args[2]
		if file, ok := strings.CutPrefix(body, "@"); ok {
			data, err := os.ReadFile(ts.MkAbs(file))
			ts.Check(err)
			body = string(data)
		}
	}
	req, err := http.NewRequest(args[0], "http://"+ts.Getenv("SANDBOX_ADDR")+args[1], strings.NewReader(body))
	ts.Check(err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	ts.Stdout().Write(out)
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	if ok == neg {
		ts.Fatalf("%s %s: HTTP %d %s", args[0], args[1], resp.StatusCode, out)
	}
}

// hookserver VAR FILE: start a callback receiver in the test process; its
// URL goes into $VAR, and every request it gets is written to FILE (then
// FILE.2, ...) as a raw HTTP request.
func cmdHookServer(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: hookserver VAR FILE")
	}
	path := ts.MkAbs(args[1])
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, err := httputil.DumpRequest(r, true)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		n++
		name := path
		if n > 1 {
			name = fmt.Sprintf("%s.%d", path, n)
		}
		os.WriteFile(name, raw, 0o644)
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	ts.Defer(srv.Close)
	ts.Setenv(args[0], srv.URL)
}

// tamper FILE OLD NEW: replace the first OLD in FILE by NEW.
func cmdTamper(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: tamper FILE OLD NEW")
	}
	path := ts.MkAbs(args[0])
	data, err := os.ReadFile(path)
	ts.Check(err)
	if !strings.Contains(string(data), args[1]) {
		ts.Fatalf("%s has no %q", args[0], args[1])
	}
	ts.Check(os.WriteFile(path, []byte(strings.Replace(string(data), args[1], args[2], 1)), 0o644))
}

// waitfile FILE: wait (up to 10 s) until FILE exists.
// cmdExits runs a program as exec does (its stdout and stderr are what
// the next stdout and stderr lines check) and requires its exact exit
// code: exits 2 payform plan --detailed-exitcode. "! exec" only says
// "not 0", and CI gates on 2.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: %v", err)
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waitfile FILE")
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
			return
		}
	}
	ts.Fatalf("%s did not appear", args[0])
}

// genorders FILE PREFIX N AMOUNT: write N orders (PREFIX-1..N) as CSV:
// order_id,amount.
func cmdGenOrders(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 {
		ts.Fatalf("usage: genorders FILE PREFIX N AMOUNT")
	}
	n, err := strconv.Atoi(args[2])
	ts.Check(err)
	var b strings.Builder
	b.WriteString("order_id,amount\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%s-%d,%s\n", args[1], i, args[3])
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(b.String()), 0o644))
}

// ledgerkeys GATEWAY N: the gateway holds exactly N objects, one per key.
func cmdLedgerKeys(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: ledgerkeys GATEWAY N")
	}
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	counts := map[string]int{}
	for _, o := range fetchLedger(ts, ts.Getenv("SANDBOX_ADDR")) {
		if o.Gateway == args[0] {
			counts[o.Key]++
		}
	}
	for k, c := range counts {
		if c != 1 {
			ts.Fatalf("%s has %d objects with key %q, want 1", args[0], c, k)
		}
	}
	if len(counts) != want {
		ts.Fatalf("%s has %d keys, want %d", args[0], len(counts), want)
	}
}

// ledgerdump FILE: write every object the sandbox holds to FILE, one a
// line, sorted: gateway, kind, key, id and the create requests its key
// received; not the status, which moves with time. Comparing two dumps
// shows whether anything was sent in between.
func cmdLedgerDump(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: ledgerdump FILE")
	}
	var lines []string
	for _, o := range fetchLedger(ts, ts.Getenv("SANDBOX_ADDR")) {
		lines = append(lines, fmt.Sprintf("%s %s %s id=%s create_requests=%d\n", o.Gateway, o.Kind, o.Key, o.ID, o.CreateRequests))
	}
	sort.Strings(lines)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(strings.Join(lines, "")), 0o644))
}

// jsonenv VAR FILE MEMBER: set $VAR to the string member MEMBER of the
// JSON object in FILE (e.g. a plan file's plan_id).
func cmdJSONEnv(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 || neg {
		ts.Fatalf("usage: jsonenv VAR FILE MEMBER")
	}
	data := readMaybeGzip(ts, args[1])
	var obj map[string]json.RawMessage
	ts.Check(json.Unmarshal(data, &obj))
	var v string
	if err := json.Unmarshal(obj[args[2]], &v); err != nil || v == "" {
		ts.Fatalf("%s has no string member %q", args[1], args[2])
	}
	ts.Setenv(args[0], v)
}

// readMaybeGzip reads a file, decompressing it when it is gzip (a plan
// file).
func readMaybeGzip(ts *testscript.TestScript, name string) []byte {
	data, err := os.ReadFile(ts.MkAbs(name))
	ts.Check(err)
	if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		return data
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	ts.Check(err)
	out, err := io.ReadAll(zr)
	ts.Check(err)
	return out
}

// plancat FILE: print a plan file's JSON (it is gzip-compressed).
func cmdPlanCat(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: plancat FILE")
	}
	ts.Stdout().Write(readMaybeGzip(ts, args[0]))
}

// planforge FILE OLD NEW [keep-digest]: edit a plan file as someone with
// write access to it would: replace the first OLD in its JSON by NEW and,
// unless keep-digest, recompute its digest the way payform computes it
// (the SHA-256 of the JSON line without its digest member), so that only
// re-deriving the plan can tell.
func cmdPlanForge(ts *testscript.TestScript, neg bool, args []string) {
	if (len(args) != 3 && len(args) != 4) || neg {
		ts.Fatalf("usage: planforge FILE OLD NEW [keep-digest]")
	}
	line := string(readMaybeGzip(ts, args[0]))
	if !strings.Contains(line, args[1]) {
		ts.Fatalf("%s has no %q", args[0], args[1])
	}
	line = strings.Replace(line, args[1], args[2], 1)
	if len(args) == 3 {
		line = strings.TrimSuffix(line, "\n")
		i := strings.LastIndex(line, `,"digest":"`)
		if i < 0 {
			ts.Fatalf("%s has no digest member", args[0])
		}
		body := line[:i] + "}"
		sum := sha256.Sum256([]byte(body))
		line = line[:i] + `,"digest":"sha256:` + hex.EncodeToString(sum[:]) + `"}` + "\n"
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(line))
	ts.Check(zw.Close())
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), b.Bytes(), 0o600))
}

// planedit FILE [keep-digest] EDIT...: edit a plan file's JSON as someone
// with write access to it would, and (unless keep-digest) recompute its
// digest the way payform computes it. Each EDIT is PATH=JSON (set),
// -PATH (remove an array element or a member) or +PATH=JSON (append to
// an array); PATH is dot-separated, with numbers indexing arrays.
func cmdPlanEdit(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || neg {
		ts.Fatalf("usage: planedit FILE [keep-digest] EDIT...")
	}
	file, edits := args[0], args[1:]
	keep := edits[0] == "keep-digest"
	if keep {
		edits = edits[1:]
	}
	var doc any
	ts.Check(json.Unmarshal(readMaybeGzip(ts, file), &doc))
	for _, e := range edits {
		op := byte('=')
		switch e[0] {
		case '-', '+':
			op, e = e[0], e[1:]
		}
		path, raw, _ := strings.Cut(e, "=")
		var val any
		if op != '-' {
			ts.Check(json.Unmarshal([]byte(raw), &val))
		}
		steps := strings.Split(path, ".")
		parent := doc
		for _, st := range steps[:len(steps)-1] {
			parent = jsonStep(ts, parent, st)
		}
		last := steps[len(steps)-1]
		switch p := parent.(type) {
		case map[string]any:
			switch op {
			case '=':
				p[last] = val
			case '-':
				delete(p, last)
			case '+':
				p[last] = append(p[last].([]any), val)
			}
		case []any:
			i, err := strconv.Atoi(last)
			ts.Check(err)
			switch op {
			case '=':
				p[i] = val
			case '-':
				jsonSet(ts, doc, steps[:len(steps)-1], append(p[:i:i], p[i+1:]...))
			default:
				ts.Fatalf("planedit: + needs an array member")
			}
		}
	}
	m := doc.(map[string]any)
	digest := m["digest"]
	delete(m, "digest")
	body, err := json.Marshal(m)
	ts.Check(err)
	if keep {
		m["digest"] = digest
	} else {
		sum := sha256.Sum256(body)
		m["digest"] = "sha256:" + hex.EncodeToString(sum[:])
	}
	line := append(body[:len(body)-1], []byte(`,"digest":"`+m["digest"].(string)+`"}`+"\n")...)
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(line)
	ts.Check(zw.Close())
	ts.Check(os.WriteFile(ts.MkAbs(file), b.Bytes(), 0o600))
}

func jsonStep(ts *testscript.TestScript, v any, step string) any {
	switch p := v.(type) {
	case map[string]any:
		return p[step]
	case []any:
		i, err := strconv.Atoi(step)
		ts.Check(err)
		return p[i]
	}
	ts.Fatalf("planedit: cannot step into %T with %q", v, step)
	return nil
}

func jsonSet(ts *testscript.TestScript, doc any, path []string, val any) {
	parent := doc
	for _, st := range path[:len(path)-1] {
		parent = jsonStep(ts, parent, st)
	}
	last := path[len(path)-1]
	switch p := parent.(type) {
	case map[string]any:
		p[last] = val
	case []any:
		i, _ := strconv.Atoi(last)
		p[i] = val
	}
}

// resealsnap FILE OLD NEW: replace OLD by NEW in a state snapshot and
// recompute its checksum, as someone editing the state would.
func cmdResealSnapshot(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 || neg {
		ts.Fatalf("usage: resealsnap FILE OLD NEW")
	}
	data := string(readMaybeGzip(ts, args[0]))
	if !strings.Contains(data, args[1]) {
		ts.Fatalf("%s has no %q", args[0], args[1])
	}
	data = strings.Replace(data, args[1], args[2], 1)
	const member = ",\n  \"checksum\": \""
	i := strings.LastIndex(data, member)
	if i < 0 {
		ts.Fatalf("%s has no checksum", args[0])
	}
	sum := sha256.Sum256([]byte(data[:i]))
	data = data[:i] + member + hex.EncodeToString(sum[:]) + "\"\n}\n"
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(data), 0o600))
}

// forgeentry JOURNAL JSON: append an entry to a journal with the right
// seq, prev and hash, as someone forging history would. JSON holds the
// entry's members without seq, prev and hash.
func cmdForgeEntry(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: forgeentry JOURNAL JSON")
	}
	data := readMaybeGzip(ts, args[0])
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	var last state.Entry
	ts.Check(json.Unmarshal([]byte(lines[len(lines)-1]), &last))
	var e state.Entry
	ts.Check(json.Unmarshal([]byte(args[1]), &e))
	e.Seq, e.Prev = last.Seq+1, last.Hash
	line, err := state.EncodeEntry(&e, nil) // what anyone can compute without the audit key
	ts.Check(err)
	f, err := os.OpenFile(ts.MkAbs(args[0]), os.O_APPEND|os.O_WRONLY, 0o600)
	ts.Check(err)
	_, err = f.Write(line)
	ts.Check(err)
	ts.Check(f.Close())
}

// snapdrop FILE ADDRESS KEY: remove a record and its reserved key from a
// state snapshot and recompute its checksum, as someone hiding a send
// from the state would.
func cmdSnapDrop(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 || neg {
		ts.Fatalf("usage: snapdrop FILE ADDRESS KEY")
	}
	data := string(readMaybeGzip(ts, args[0]))
	addr, _ := json.Marshal(args[1])
	key, _ := json.Marshal(args[2])
	// cutAt removes the array element (an indented object) starting at i.
	cutAt := func(i int) {
		end := strings.Index(data[i+1:], "\n    }") + i + 1 + len("\n    }")
		switch {
		case strings.HasPrefix(data[end:], ","):
			data = data[:i] + data[end+1:]
		case strings.HasSuffix(data[:i], ","):
			data = data[:i-1] + data[end:]
		default:
			data = data[:i] + data[end:]
		}
	}
	i := strings.Index(data, "\n    {\n      \"address\": "+string(addr)+",")
	if i < 0 {
		ts.Fatalf("%s holds no %s", args[0], addr)
	}
	cutAt(i)
	r := strings.Index(data, "\"reserved_keys\"")
	j := strings.Index(data[r:], "\"key\": "+string(key)+"\n    }")
	if r < 0 || j < 0 {
		ts.Fatalf("%s reserves no key %s", args[0], key)
	}
	cutAt(strings.LastIndex(data[:r+j], "\n    {"))
	const member = ",\n  \"checksum\": \""
	m := strings.LastIndex(data, member)
	sum := sha256.Sum256([]byte(data[:m]))
	data = data[:m] + member + hex.EncodeToString(sum[:]) + "\"\n}\n"
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(data), 0o600))
}

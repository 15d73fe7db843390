package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/payform/payform/internal/failpoint"
	"github.com/payform/payform/money"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/gateways"
)

// Timings of the matrix. A normal request must answer well within
// matrixTimeout even on a loaded 2-core machine, the injected latency is
// beyond it, and settle_time (CoinPay24, MilaCoins) is beyond the latency:
// a request payform gave up on lands before a lookup may prove absence.
const (
	matrixTimeout = "1s"
	matrixLatency = 2 * time.Second
	matrixSettle  = "4s"
	matrixKeys    = 3
)

// matrixFaults are the sandbox's faults, each injected into exactly one
// gateway API request per cell.
var matrixFaults = []string{
	emulator.FaultFailBeforeCommit,
	emulator.FaultStatus429,
	emulator.FaultStatus500,
	emulator.FaultDropAfterCommit,
	emulator.FaultLatency,
}

// TestFaultMatrix runs every gateway and kind × every sandbox fault × every
// failpoint step (and none): 6 × 5 × 6 = 180 cells, and 6 × 6 = 36 more
// with the latency fault and the first apply's clock an hour behind (issue
// 12), each against its own in-process sandbox, each a batch of 3 keys
// applied with --parallelism 1.
//
// In each cell the fault is injected into exactly one request: the first
// gateway API request the sandbox receives (a create, or the lookup or
// resend that settles one a kill left in doubt); the sandbox clears it as
// soon as it is decided, so nothing else meets it. The first apply runs
// with PAYFORM_FAILPOINT=STEP and must die by SIGKILL at that step. Then
// apply runs again (recovery), once more for the gateways that need an
// operator, the operator settles what is left in doubt with `payform state
// resolve` (--id when the gateway made the object, --not-created when not),
// and a last apply sends what was not created. It checks:
//
//   - the first recovery apply succeeds, leaving nothing in doubt, on the
//     gateways whose rule settles every doubt (WllxPay, CoinPay24,
//     MilaCoins); on Coinilla and MiraclePay exactly the items the model
//     below predicts end unknown, a second apply sends nothing, and each
//     is settled by state resolve;
//   - at the gateway: exactly one object per key for payouts and every
//     invoice gateway; for deposit addresses at least one per pair, and
//     exactly as many extras as the model predicts, each recorded in the
//     state as a superseded attempt;
//   - every object the gateway made is in `payform state pull`: as the
//     managed resource (same id) or superseded beside it;
//   - `plan --detailed-exitcode` exits 0 at the end.
func TestFaultMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("fault matrix")
	}
	type cell struct {
		mk    matrixKind
		fault string
		step  string
		skew  string // the first apply's clock offset (PAYFORM_TEST_CLOCK_OFFSET), or ""
	}
	var cells []cell
	for _, mk := range matrixKinds() {
		for _, fault := range matrixFaults {
			for _, step := range append([]string{"none"}, failpoint.Steps...) {
				cells = append(cells, cell{mk, fault, step, ""})
			}
		}
		// Issue 12's clock-skew cells: a slow gateway, and a first apply
		// on a runner whose clock is an hour behind, so that its intents
		// look an hour old to the recovery. Every outcome must be what the
		// same cell gives with the clocks right.
		for _, step := range append([]string{"none"}, failpoint.Steps...) {
			cells = append(cells, cell{mk, emulator.FaultLatency, step, "-1h"})
		}
	}
	start := time.Now()
	var stats matrixStats
	// The cells wait on timeouts and settle times far more than they
	// compute: run them 10 at a time, whatever -parallel says.
	work := make(chan cell)
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				name := c.mk.name + "/" + c.fault + "/" + c.step
				if c.skew != "" {
					name = c.mk.name + "/" + c.fault + "+clock" + c.skew + "/" + c.step
				}
				t.Run(name, func(t *testing.T) {
					stats.ran.Add(1)
					runMatrixCell(t, c.mk, c.fault, c.step, c.skew, &stats)
				})
			}
		}()
	}
	for _, c := range cells {
		work <- c
	}
	close(work)
	wg.Wait()
	if testing.Verbose() {
		sort.Strings(stats.cells)
		t.Logf("cells:\n%s", strings.Join(stats.cells, "\n"))
	}
	t.Logf("fault matrix: %d cells, %d keys, %d objects at the gateways (%d extra deposit addresses, superseded), %d items settled by state resolve (%d --id, %d --not-created), %d payform runs, %d killed by a failpoint, in %v",
		stats.ran.Load(), stats.keys.Load(), stats.objects.Load(), stats.extras.Load(), stats.resolvedID.Load()+stats.resolvedNone.Load(),
		stats.resolvedID.Load(), stats.resolvedNone.Load(), stats.runs.Load(), stats.kills.Load(), time.Since(start).Round(time.Second))
}

type matrixStats struct {
	ran, keys, objects, extras, resolvedID, resolvedNone, runs, kills atomic.Int64

	mu    sync.Mutex
	cells []string // one line per cell that ran to the end
}

// matrixKind is one gateway and kind: its configuration and how its
// objects appear in the ledger.
type matrixKind struct {
	name       string
	gateway    string
	ledgerKind string
	// config declares matrixKeys items against the sandbox at url.
	config func(url string) string
	// ledgerKey is the sandbox ledger's key of the i-th item (1-based).
	ledgerKey func(i int) string
	// rule is the gateway's in-doubt rule (DESIGN §7).
	rule inDoubtRule
}

type inDoubtRule int

const (
	ruleResend    inDoubtRule = iota + 1 // WllxPay payouts: a repeat is refused, "taken" adopts
	ruleRetake                           // WllxPay addresses: take again, record the attempt
	ruleLookup                           // CoinPay24, MilaCoins: look the key up
	ruleDuplicate                        // Coinilla: resend; refused as duplicate ⇒ unknown
	ruleManual                           // MiraclePay: unknown until an operator settles it
)

func matrixKinds() []matrixKind {
	wllx := func(url string) string {
		return fmt.Sprintf(`provider "wllxpay" {
  endpoint   = "%s/wllxpay/api/v1"
  api_key    = "wllxpay-test-key"
  secret_key = "wllxpay-test-secret"
  timeout    = %q
}
`, url, matrixTimeout)
	}
	key := func(prefix string) func(int) string {
		return func(i int) string { return fmt.Sprintf("%s-%d", prefix, i) }
	}
	invoices := func(prefix, amount string) string {
		return fmt.Sprintf(`{ for i in range(1, %d) : "%s-${i}" => { amount = %q } }`, matrixKeys+1, prefix, amount)
	}
	return []matrixKind{
		{
			name: "wllxpay-payout", gateway: "wllxpay", ledgerKind: "withdrawal", ledgerKey: key("po"), rule: ruleResend,
			config: func(url string) string {
				var b strings.Builder
				b.WriteString(wllx(url))
				b.WriteString("payout \"batch\" {\n  for_each = {\n")
				for i := 1; i <= matrixKeys; i++ {
					addr, _ := money.GenerateAddress("BTC", []byte(fmt.Sprint("payee-", i)))
					fmt.Fprintf(&b, "    \"po-%d\" = %q\n", i, addr)
				}
				b.WriteString("  }\n  foreign_id = each.key\n  currency   = \"BTC\"\n  amount     = \"0.001\"\n  address    = each.value\n}\n")
				return b.String()
			},
		},
		{
			name: "wllxpay-address", gateway: "wllxpay", ledgerKind: "address", rule: ruleRetake,
			ledgerKey: func(i int) string { return fmt.Sprintf("cust-%d/BTC", i) },
			config: func(url string) string {
				return wllx(url) + fmt.Sprintf(`deposit_address_pool "customers" {
  currencies  = ["BTC"]
  foreign_ids = [for i in range(1, %d) : "cust-${i}"]
}
`, matrixKeys+1)
			},
		},
		{
			name: "coinpay24-invoice", gateway: "coinpay24", ledgerKind: "invoice", ledgerKey: key("ord"), rule: ruleLookup,
			config: func(url string) string {
				return fmt.Sprintf(`provider "coinpay24" {
  endpoint         = "%s/coinpay24/v1"
  api_key          = "coinpay24-test-key"
  timeout          = %q
  settle_time      = %q
  rate_limit_scale = 60
}
invoice_batch "b" {
  provider = coinpay24
  currency = "USD"
  invoices = %s
}
`, url, matrixTimeout, matrixSettle, invoices("ord", "10.00"))
			},
		},
		{
			name: "milacoins-invoice", gateway: "milacoins", ledgerKind: "invoice", ledgerKey: key("inv"), rule: ruleLookup,
			config: func(url string) string {
				return fmt.Sprintf(`provider "milacoins" {
  endpoint    = "%s/milacoins"
  api_key     = "milacoins-test-key"
  secret_key  = "milacoins-test-secret"
  timeout     = %q
  settle_time = %q
}
invoice_batch "b" {
  provider = milacoins
  currency = "EUR"
  wallet   = "EUR"
  invoices = %s
}
`, url, matrixTimeout, matrixSettle, invoices("inv", "40.00"))
			},
		},
		{
			name: "coinilla-invoice", gateway: "coinilla", ledgerKind: "invoice", ledgerKey: key("cl"), rule: ruleDuplicate,
			config: func(url string) string {
				return fmt.Sprintf(`provider "coinilla" {
  endpoint = "%s/coinilla"
  api_key  = "coinilla-test-key"
  timeout  = %q
}
invoice_batch "b" {
  provider = coinilla
  currency = "USD"
  invoices = %s
}
`, url, matrixTimeout, invoices("cl", "10.00"))
			},
		},
		{
			name: "miraclepay-prompt", gateway: "miraclepay", ledgerKind: "invoice", ledgerKey: key("mp"), rule: ruleManual,
			config: func(url string) string {
				return fmt.Sprintf(`provider "miraclepay" {
  endpoint  = "%s/miraclepay"
  client_id = "miraclepay-test-client"
  api_key   = "mpay_test_key"
  timeout   = %q
}
invoice_batch "b" {
  provider    = miraclepay
  currency    = "USD"
  blockchains = "eth,btc"
  invoices    = %s
}
`, url, matrixTimeout, invoices("mp", "20.00"))
			},
		},
	}
}

// cellSandbox is one cell's gateway: every emulator in this process behind
// the sandbox's own fault injector, which is set to the cell's fault for
// exactly the first gateway API request it receives.
type cellSandbox struct {
	srv      *emulator.Server
	url      string
	fault    emulator.Faults
	kind     string
	first    sync.Mutex   // held from the first request until its fault is decided
	gate     sync.RWMutex // written while the fault is armed for the first create; reads wait
	armed    atomic.Bool
	armAt    int64 // the create the fault is for (1: the first)
	inflight atomic.Int64
	requests atomic.Int64
	paths    sync.Map // "METHOD path" of each gateway request → count (for failure messages)
}

func newCellSandbox(t *testing.T, fault string) *cellSandbox {
	return newCellSandboxScaled(t, fault, 60)
}

// newCellSandboxScaled is newCellSandbox with the rate-limit windows
// divided by scale.
func newCellSandboxScaled(t *testing.T, fault string, scale float64) *cellSandbox {
	t.Helper()
	srv, closer, err := gateways.NewSandboxServer(gateways.SandboxOptions{LimitScale: scale})
	if err != nil {
		t.Fatal(err)
	}
	sb := &cellSandbox{srv: srv, kind: fault, fault: emulator.Faults{Seed: 1}}
	switch fault {
	case emulator.FaultLatency:
		sb.fault.Latency = matrixLatency
	case emulator.FaultFailBeforeCommit:
		sb.fault.FailBeforeCommit = 1
	case emulator.FaultStatus429:
		sb.fault.Status429 = 1
	case emulator.FaultStatus500:
		sb.fault.Status500 = 1
	case emulator.FaultDropAfterCommit:
		sb.fault.DropAfterCommit = 1
	}
	sb.armed.Store(true)
	sb.armAt = 1
	hs := httptest.NewServer(sb)
	sb.url = hs.URL
	t.Cleanup(func() { hs.Close(); closer.Close() })
	return sb
}

func (sb *cellSandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sandbox/") {
		sb.srv.ServeHTTP(w, r)
		return
	}
	sb.inflight.Add(1)
	defer sb.inflight.Add(-1)
	n, _ := sb.paths.LoadOrStore(r.Method+" "+r.URL.Path, new(atomic.Int64))
	n.(*atomic.Int64).Add(1)
	if !isCreateRequest(r) {
		// Reads (plan's look for keys never sent, lookups, refresh) are
		// served without the cell's fault, which is for the send path:
		// never while it is armed for the first create.
		sb.gate.RLock()
		defer sb.gate.RUnlock()
		sb.srv.ServeHTTP(w, r)
		return
	}
	nth := sb.requests.Add(1)
	sb.first.Lock()
	if !sb.armed.Load() || nth < sb.armAt {
		sb.first.Unlock()
		sb.srv.ServeHTTP(w, r)
		return
	}
	// The first request: set the fault, and clear it as soon as the
	// injector has decided it for this request (before any latency is
	// slept or any answer is written); later requests wait until then.
	sb.armed.Store(false)
	sb.gate.Lock() // no read starts while the fault is armed
	fi := sb.srv.Faults()
	fi.Set(sb.fault)
	go func() {
		for deadline := time.Now().Add(10 * time.Second); fi.Injected()[sb.kind] == 0 && time.Now().Before(deadline); {
			time.Sleep(20 * time.Microsecond)
		}
		fi.Set(emulator.Faults{}) // (a cell whose fault never came fails on its count)
		sb.gate.Unlock()
		sb.first.Unlock()
	}()
	sb.srv.ServeHTTP(w, r)
}

// isCreateRequest reports whether r is a gateway's create call: what
// sends money or makes an object.
func isCreateRequest(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	for _, suffix := range []string{"/withdrawal/make", "/addresses/take", "/v1/invoices/create", "/api/v1/invoices", "/api/v1/invoices/payment-link", "/coinilla/pay", "/external/payments/prompt"} {
		if strings.HasSuffix(strings.TrimSuffix(r.URL.Path, "/"), suffix) {
			return true
		}
	}
	return false
}

// waitRequests reports whether a create request has arrived, waiting up
// to half a second for one that is on its way (none when quick).
func (sb *cellSandbox) waitRequests(quick bool) bool {
	for deadline := time.Now().Add(500 * time.Millisecond); !quick && sb.requests.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(2 * time.Millisecond)
	}
	return sb.requests.Load() > 0
}

// injected is how many times the cell's fault was injected.
func (sb *cellSandbox) injected() int64 { return sb.srv.Faults().Injected()[sb.kind] }

// drain waits until no gateway request is under way (a request the client
// gave up on, or whose client was killed, is still processed).
func (sb *cellSandbox) drain(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); sb.inflight.Load() > 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d gateway requests still under way after 15s", sb.inflight.Load())
		}
	}
}

func (sb *cellSandbox) requestLog() string {
	var lines []string
	sb.paths.Range(func(k, v any) bool {
		lines = append(lines, fmt.Sprintf("%s ×%d", k, v.(*atomic.Int64).Load()))
		return true
	})
	sort.Strings(lines)
	return strings.Join(lines, ", ")
}

// ledger returns the sandbox's objects of mk's gateway and kind, by key.
func (sb *cellSandbox) ledger(mk matrixKind) map[string][]emulator.LedgerObject {
	out := map[string][]emulator.LedgerObject{}
	for _, o := range sb.srv.Ledger() {
		if o.Gateway == mk.gateway && o.Kind == mk.ledgerKind {
			out[o.Key] = append(out[o.Key], o)
		}
	}
	return out
}

// pulledState is what the matrix reads from `payform state pull`.
type pulledState struct {
	Resources []pulledResource `json:"resources"`
}

type pulledResource struct {
	Address string            `json:"address"`
	Kind    string            `json:"kind"`
	Key     string            `json:"key"`
	ID      string            `json:"id"`
	Status  string            `json:"status"`
	Remote  map[string]string `json:"remote"`
	Pending *struct {
		Manual bool `json:"manual"`
	} `json:"pending"`
	Superseded []struct {
		ID     string            `json:"id"`
		Fields map[string]string `json:"fields"`
	} `json:"superseded"`
}

func runMatrixCell(t *testing.T, mk matrixKind, fault, step, skew string, stats *matrixStats) {
	cellStart := time.Now()
	sb := newCellSandbox(t, fault)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(mk.config(sb.url)), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"PAYFORM_ACTOR=matrix@test"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PAYFORM_") {
			env = append(env, kv)
		}
	}
	var transcript strings.Builder
	defer func() {
		if t.Failed() {
			t.Logf("gateway requests: %s\n%s", sb.requestLog(), transcript.String())
		}
	}()
	run := func(extraEnv []string, args ...string) (string, error) {
		stats.runs.Add(1)
		cmd := exec.Command(payformBin, args...)
		cmd.Dir, cmd.Env = dir, append(slices.Clone(env), extraEnv...)
		out, err := cmd.CombinedOutput()
		fmt.Fprintf(&transcript, "$ %s %s  [%v]\n%s\n", strings.Join(extraEnv, " "), strings.Join(args, " "), err, tail(string(out), 12))
		return string(out), err
	}
	apply := func(extraEnv ...string) (string, error) {
		return run(extraEnv, "apply", "--auto-approve", "--parallelism", "1")
	}
	pull := func() pulledState {
		t.Helper()
		cmd := exec.Command(payformBin, "state", "pull")
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("state pull: %v", err)
		}
		var st pulledState
		if err := json.Unmarshal(out, &st); err != nil {
			t.Fatalf("state pull: %v", err)
		}
		return st
	}

	// 1. The first apply, killed at the step. A kill before the request
	// (before-intent, after-intent) sends nothing; a kill during or after
	// the call has sent it.
	var failEnv []string
	if step != "none" {
		failEnv = []string{"PAYFORM_FAILPOINT=" + step}
	}
	if skew != "" {
		failEnv = append(failEnv, "PAYFORM_TEST_CLOCK_OFFSET="+skew)
	}
	out, err := apply(failEnv...)
	if step != "none" {
		if !killedBySIGKILL(err) {
			t.Fatalf("PAYFORM_FAILPOINT=%s: apply was not killed (%v):\n%s", step, err, tail(out, 10))
		}
		stats.kills.Add(1)
		sent := sb.waitRequests(step == "before-intent" || step == "after-intent")
		switch {
		case (step == "before-intent" || step == "after-intent") && sent:
			t.Fatalf("killed at %s, yet a request reached the gateway (%s)", step, sb.requestLog())
		case step != "before-intent" && step != "after-intent" && !sent:
			t.Fatalf("killed at %s, yet no request reached the gateway", step)
		}
	}

	// 2. Recovery: apply again at once, while a request the killed or
	// timed-out apply gave up on may still be under way.
	want := expectCell(mk.rule, fault, step)
	out, err = apply()
	sb.drain(t)
	if mk.rule != ruleDuplicate && mk.rule != ruleManual && err != nil {
		t.Fatalf("the recovery apply failed: %v\n%s", err, tail(out, 12))
	}
	if n := sb.injected(); n != 1 {
		t.Fatalf("the fault %s was injected %d times, want exactly 1", fault, n)
	}

	// 3. Items in doubt: exactly as many as the model says, each named as
	// needing an operator; another apply and a plan send nothing for them.
	st := pull()
	var doubt []pulledResource
	for _, r := range st.Resources {
		if r.Pending != nil {
			doubt = append(doubt, r)
		}
	}
	if len(doubt) != want.doubt {
		t.Fatalf("%d items in doubt after recovery, want %d: %v", len(doubt), want.doubt, doubt)
	}
	if len(doubt) > 0 {
		before := ledgerCount(sb.ledger(mk))
		out, err := apply()
		if err == nil || !strings.Contains(out, "No changes.") || !strings.Contains(out, "for payform state resolve (see the warnings above)") {
			t.Errorf("apply with only items in doubt left: %v, want no changes and exit 1 naming them\n%s", err, tail(out, 8))
		}
		for _, r := range doubt {
			if !strings.Contains(out, "Unknown outcome: "+r.Address) {
				t.Errorf("apply does not name %s as needing an operator", r.Address)
			}
		}
		if _, err := run(nil, "plan", "--detailed-exitcode"); !strings.Contains(fmt.Sprint(err), "exit status 2") {
			t.Errorf("plan --detailed-exitcode with items waiting for an operator: %v, want exit 2", err)
		}
		sb.drain(t)
		if after := ledgerCount(sb.ledger(mk)); after != before {
			t.Errorf("apply and plan with items in doubt made %d more objects", after-before)
		}
	}

	// 4. The operator settles each item: --id when the gateway made it,
	// attesting the amount the dashboard shows (Coinilla and MiraclePay
	// cannot report it), --not-created when not.
	ledger := sb.ledger(mk)
	made, notMade := 0, 0
	for _, r := range doubt {
		objs := ledger[r.Key]
		switch len(objs) {
		case 0:
			if out, err := run(nil, "state", "resolve", r.Address, "--not-created"); err != nil {
				t.Fatalf("resolve %s --not-created: %v\n%s", r.Address, err, out)
			}
			notMade++
		case 1:
			if out, err := run(nil, "state", "resolve", r.Address, "--id", objs[0].ID, "--amount", objs[0].Amount); err != nil {
				t.Fatalf("resolve %s --id %s: %v\n%s", r.Address, objs[0].ID, err, out)
			}
			made++
		default:
			t.Fatalf("%s: %d objects at the gateway under key %q", r.Address, len(objs), r.Key)
		}
	}
	if made != want.doubtMade {
		t.Errorf("the gateway made %d of the %d items in doubt, want %d", made, len(doubt), want.doubtMade)
	}
	stats.resolvedID.Add(int64(made))
	stats.resolvedNone.Add(int64(notMade))

	// 5. A last apply sends what the operator said was not made; then
	// nothing is left to do.
	out, err = apply()
	if err != nil {
		t.Fatalf("apply after settling: %v\n%s", err, tail(out, 12))
	}
	if notMade > 0 && !strings.Contains(out, fmt.Sprintf("Apply complete: %d created", notMade)) {
		t.Errorf("apply after settling: want %d created\n%s", notMade, tail(out, 4))
	}
	if out, err := run(nil, "plan", "--detailed-exitcode"); err != nil {
		t.Fatalf("plan --detailed-exitcode after settling: %v\n%s", err, tail(out, 12))
	}
	sb.drain(t)

	// 6. The gateway and the state agree.
	ledger = sb.ledger(mk)
	st = pull()
	extras := checkMatrixLedger(t, mk, ledger, st)
	if extras != want.extras {
		t.Errorf("%d extra objects at the gateway, want %d", extras, want.extras)
	}
	stats.keys.Add(matrixKeys)
	stats.objects.Add(int64(ledgerCount(ledger)))
	stats.extras.Add(int64(extras))
	stats.mu.Lock()
	stats.cells = append(stats.cells, fmt.Sprintf("%-18s %-18s %-13s in doubt %d (--id %d, --not-created %d), objects %d (%d superseded), %d requests, %v",
		mk.name, fault+skew, step, len(doubt), made, notMade, ledgerCount(ledger), extras, sb.requests.Load(), time.Since(cellStart).Round(10*time.Millisecond)))
	stats.mu.Unlock()
}

// cellExpectation is what a cell must end with.
type cellExpectation struct {
	doubt     int // items left in doubt for an operator after recovery
	doubtMade int // how many of those the gateway made
	extras    int // objects beyond one per key (deposit addresses)
}

// expectCell derives a cell's outcome from the gateway's rule, the fault
// (injected into the first gateway request) and the step the first apply
// dies at, with --parallelism 1 so the items go one at a time:
//
//   - status-429 is retried (the request was not processed); the other
//     faults are ambiguous. drop-after-commit and latency are processed
//     (latency after the client gave up: matrixLatency > matrixTimeout).
//   - before-intent kills before anything is journaled or sent: the
//     recovery apply starts afresh. after-outcome kills after the first
//     outcome is written (not yet fsynced, which a process kill does not
//     lose): the recovery settles what that outcome left open.
//   - after-intent kills before the first request, so the fault meets the
//     recovery's first request: the resend, take, lookup that settles the
//     first item, or (MiraclePay, which makes none) the second item's
//     create. during-call kills with the faulted request written;
//     after-call once the client has its (faulted, or retried) answer.
func expectCell(rule inDoubtRule, fault, step string) cellExpectation {
	processed := fault == emulator.FaultDropAfterCommit || fault == emulator.FaultLatency
	ambiguous := fault != emulator.FaultStatus429
	// A create the gateway processed whose answer payform never recorded.
	lost := processed || (fault == emulator.FaultStatus429 && step == "after-call")
	var e cellExpectation
	switch rule {
	case ruleRetake:
		// Each lost take is an extra address; each is superseded.
		if lost {
			e.extras = 1
		}
	case ruleDuplicate:
		// A resend refused as a duplicate is unknown. After a late create
		// (latency) the resend lands first and the late one is refused, so
		// only a lost create answered before the resend leaves doubt.
		if lost && fault != emulator.FaultLatency {
			e.doubt, e.doubtMade = 1, 1
		}
	case ruleManual:
		made := 0
		if processed {
			made = 1
		}
		switch step {
		case "none", "before-intent", "after-outcome":
			if ambiguous {
				e.doubt = 1
			}
		case "after-intent":
			e.doubt = 1 // the first item, never sent
			if ambiguous {
				e.doubt++ // the second, which met the fault
			}
		case "during-call":
			e.doubt = 1
		case "after-call":
			e.doubt = 1
			if lost {
				made = 1
			}
		}
		e.doubtMade = made
	}
	return e
}

// checkMatrixLedger checks the gateway's objects against the state and
// returns how many objects there are beyond one per key.
func checkMatrixLedger(t *testing.T, mk matrixKind, ledger map[string][]emulator.LedgerObject, st pulledState) int {
	t.Helper()
	byKey := map[string]pulledResource{}
	for _, r := range st.Resources {
		k := r.Key
		if mk.ledgerKind == "address" {
			k = strings.TrimPrefix(strings.TrimSuffix(r.Address, `"]`), `deposit_address_pool.customers["`)
		}
		byKey[k] = r
		if r.Pending != nil {
			t.Errorf("%s is still in doubt at the end", r.Address)
		}
	}
	if len(st.Resources) != matrixKeys {
		t.Errorf("the state manages %d resources, want %d", len(st.Resources), matrixKeys)
	}
	extras := 0
	for i := 1; i <= matrixKeys; i++ {
		key := mk.ledgerKey(i)
		objs, r := ledger[key], byKey[key]
		if r.Address == "" {
			t.Errorf("%s: not in the state", key)
			continue
		}
		if len(objs) == 0 {
			t.Errorf("%s: nothing at the gateway", key)
			continue
		}
		if mk.rule != ruleRetake && len(objs) != 1 {
			t.Errorf("%s: %d objects at the gateway, want exactly 1", key, len(objs))
		}
		// Every object the gateway made is the managed one or recorded
		// beside it.
		ids := map[string]bool{r.ID: true}
		anonymous := 0
		for _, s := range r.Superseded {
			if s.ID == "" {
				anonymous++
			} else {
				ids[s.ID] = true
			}
		}
		managed, unrecorded := 0, 0
		for _, o := range objs {
			switch {
			case r.ID != "" && o.ID == r.ID, r.ID == "" && mk.rule == ruleResend:
				// The managed object. A WllxPay payout whose resend was
				// answered "already taken" is adopted by its foreign_id
				// (v1 cannot read its id back), which the gateway holds
				// once.
				managed++
				if mk.ledgerKind == "address" && r.Remote["address"] != o.Address {
					t.Errorf("%s: the state's address %q is not the gateway's %q for id %s", key, r.Remote["address"], o.Address, o.ID)
				}
			case ids[o.ID]:
			default:
				unrecorded++
			}
		}
		if managed != 1 {
			t.Errorf("%s: the state's object (id %q) is not exactly one of the gateway's %v", key, r.ID, objIDs(objs))
		}
		if unrecorded > anonymous {
			t.Errorf("%s: the gateway made %d objects the state does not record (%d superseded attempts)", key, unrecorded, anonymous)
		}
		extras += len(objs) - 1
	}
	if len(ledger) != matrixKeys {
		t.Errorf("the gateway holds %d keys, want %d", len(ledger), matrixKeys)
	}
	return extras
}

func objIDs(objs []emulator.LedgerObject) []string {
	var ids []string
	for _, o := range objs {
		ids = append(ids, o.ID)
	}
	return ids
}

func ledgerCount(l map[string][]emulator.LedgerObject) int {
	n := 0
	for _, objs := range l {
		n += len(objs)
	}
	return n
}

// killedBySIGKILL reports whether a command's error is its death by
// SIGKILL.
func killedBySIGKILL(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

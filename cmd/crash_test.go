package cmd

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/payform/payform/internal/failpoint"
	"github.com/payform/payform/providers/emulator"
	wllxsandbox "github.com/payform/payform/providers/wllxpay/sandbox"
)

// TestCrashKill kills apply with SIGKILL at random moments of its
// journaling, round after round, each round declaring more objects; then
// runs apply to the end. The seed is printed; PAYFORM_CRASH_SEED replays a
// run and PAYFORM_CRASH_ROUNDS changes the number of rounds (default 20).
//
//   - payouts/serve: the gateway is a separate `payform sandbox serve`
//     that also drops 10% of answers after committing. After every round
//     no key reached it twice; at the end every payout is there exactly
//     once and in the state.
//   - payouts/embedded: the gateway runs inside the killed process
//     (sandbox = true), so the kill takes it down too.
//   - pool/serve: a pool growing to 1,000 customers, 10% of answers
//     dropped. A pair's managed address never changes once recorded (never
//     two managed addresses for one pair), and at the end every pair has
//     one, which the gateway made for that customer and currency.
//   - invoices/coinpay24, invoices/milacoins: invoice batches growing to
//     160 invoices on a `payform sandbox serve` that drops 10% of answers;
//     each round's apply dies by PAYFORM_FAILPOINT at a random step, the
//     Nth time it reaches it (N random up to the round's new invoices),
//     and the next round settles what it left in doubt by looking keys up
//     (settle_time = "1s"). After every round no key is at the gateway
//     twice; at the end each is there exactly once and in the state, and
//     nothing is in doubt.
//   - invoices/coinilla, invoices/miraclepay: the same rounds on the
//     gateways that cannot always settle a doubt. After every round no key
//     is at the gateway twice; at the end every item left in doubt is
//     settled with state resolve (--id when the gateway made it,
//     --not-created when not), and then each key is there exactly once.
func TestCrashKill(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test")
	}
	seed := time.Now().UnixNano()
	if s := os.Getenv("PAYFORM_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseInt(s, 10, 64)
	}
	rounds := 20
	if s := os.Getenv("PAYFORM_CRASH_ROUNDS"); s != "" {
		rounds, _ = strconv.Atoi(s)
	}
	t.Logf("seed %d: replay with PAYFORM_CRASH_SEED=%d", seed, seed)
	scenarios := []scenario{payoutScenario("serve"), payoutScenario("embedded"), poolScenario()}
	for _, gw := range []string{"coinpay24", "milacoins", "coinilla", "miraclepay"} {
		scenarios = append(scenarios, invoiceScenario(gw))
	}
	for i, sc := range scenarios {
		stream := uint64(0)
		if sc.failpoints {
			stream = uint64(i) // each gateway dies at its own steps
		}
		t.Run(sc.name, func(t *testing.T) {
			crashRounds(t, sc, rand.New(rand.NewPCG(uint64(seed), stream)), rounds)
		})
	}
}

// scenario is one crash test: what to declare, and what to check.
type scenario struct {
	name  string
	serve bool
	// provider is the provider block for the sandbox serve at addr; nil
	// means WllxPay's.
	provider   func(addr string) string
	serveFlags []string // more flags for payform sandbox serve
	// failpoints kills each round's apply with PAYFORM_FAILPOINT at a
	// random step rather than at a random moment.
	failpoints bool
	// manual: the gateway may leave items in doubt for an operator, so an
	// apply may fail without a kill; settle settles them before the final
	// apply.
	manual   bool
	settle   func(t *testing.T, c *crashRun)
	resource string                                 // the HCL block(s), reading objects.csv
	csv      func(round int) (string, int)          // the CSV for a round, and how many objects it declares
	check    func(t *testing.T, c *crashRun)        // after every round
	final    func(t *testing.T, c *crashRun, n int) // after the last apply
}

func payoutScenario(mode string) scenario {
	return scenario{
		name:  "payouts/" + mode,
		serve: mode == "serve",
		resource: `
payout "batch" {
  for_each   = { for r in csvdecode(file("objects.csv")) : r.foreign_id => r }
  foreign_id = each.key
  currency   = each.value.currency
  amount     = each.value.amount
  address    = each.value.address
}`,
		csv: func(round int) (string, int) { n := round * 60; return payoutsCSV(n, "0.0001"), n },
		check: func(t *testing.T, c *crashRun) {
			for key, n := range c.ledger(t, "withdrawal") {
				if n > 1 {
					t.Fatalf("round %d: %s reached the gateway %d times", c.round, key, n)
				}
			}
		},
		final: func(t *testing.T, c *crashRun, total int) {
			counts := c.ledger(t, "withdrawal")
			for i := 1; i <= total; i++ {
				if n := counts[fmt.Sprintf("po-%d", i)]; n != 1 {
					t.Errorf("po-%d: %d withdrawals at the gateway, want 1", i, n)
				}
			}
			if len(counts) != total {
				t.Errorf("%d keys at the gateway, want %d", len(counts), total)
			}
			list, err := c.run("state", "list").Output()
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(string(list), "payout.batch["); n != total {
				t.Errorf("state lists %d payouts, want %d", n, total)
			}
		},
	}
}

func poolScenario() scenario {
	seen := map[string]string{} // pair → its managed address, once recorded
	return scenario{
		name:  "pool/serve",
		serve: true,
		resource: `
deposit_address_pool "customers" {
  currencies  = ["BTC", "XRP"]
  foreign_ids = [for r in csvdecode(file("objects.csv")) : r.foreign_id]
}
output "addresses" {
  value = deposit_address_pool.customers
}`,
		csv: func(round int) (string, int) {
			n := round * 50
			var b strings.Builder
			b.WriteString("foreign_id\n")
			for i := 1; i <= n; i++ {
				fmt.Fprintf(&b, "cust-%d\n", i)
			}
			return b.String(), n
		},
		check: func(t *testing.T, c *crashRun) {
			for pair, addr := range c.managed(t) {
				if strings.TrimSpace(addr) == "" {
					t.Fatalf("round %d: %s is in the outputs without an address", c.round, pair)
				}
				if prev, ok := seen[pair]; ok && prev != addr {
					t.Fatalf("round %d: %s's managed address changed from %s to %s", c.round, pair, prev, addr)
				}
				seen[pair] = addr
			}
		},
		final: func(t *testing.T, c *crashRun, total int) {
			managed := c.managed(t)
			if len(managed) != 2*total {
				t.Errorf("%d managed pairs, want %d", len(managed), 2*total)
			}
			made := map[string]bool{}
			for _, o := range fetchLedger(t, c.addr) {
				made[o.Key+" "+o.Address+" "+o.Tag] = true
			}
			for pair, addr := range managed {
				if !made[pair+" "+addr] {
					t.Errorf("%s: managed address %q is not one the gateway made for it", pair, addr)
				}
				if prev, ok := seen[pair]; ok && prev != addr {
					t.Errorf("%s: managed address changed from %s to %s", pair, prev, addr)
				}
			}
		},
	}
}

// invoiceScenario is an invoice batch on gateway, killed at random
// failpoint steps.
func invoiceScenario(gateway string) scenario {
	ledgerKeys := func(t *testing.T, c *crashRun) map[string][]string {
		ids := map[string][]string{}
		for _, o := range fetchLedger(t, c.addr) {
			if o.Gateway == gateway && o.Kind == "invoice" {
				ids[o.Key] = append(ids[o.Key], o.ID)
			}
		}
		return ids
	}
	batch := map[string]string{
		"coinpay24":  `currency = "USD"`,
		"milacoins":  "currency = \"EUR\"\n  wallet   = \"EUR\"",
		"coinilla":   `currency = "USD"`,
		"miraclepay": "currency    = \"USD\"\n  blockchains = \"eth,btc\"",
	}[gateway]
	sc := scenario{
		name:       "invoices/" + gateway,
		serve:      true,
		serveFlags: []string{"--rate-limit-scale", "600"},
		failpoints: true,
		manual:     gateway == "coinilla" || gateway == "miraclepay",
		provider: func(addr string) string {
			creds := map[string]string{
				"coinpay24":  `api_key = "coinpay24-test-key"` + "\n  rate_limit_scale = 600\n  settle_time = \"1s\"",
				"milacoins":  `api_key = "milacoins-test-key"` + "\n  secret_key = \"milacoins-test-secret\"\n  settle_time = \"1s\"",
				"coinilla":   `api_key = "coinilla-test-key"`,
				"miraclepay": `client_id = "miraclepay-test-client"` + "\n  api_key = \"mpay_test_key\"",
			}[gateway]
			path := map[string]string{"coinpay24": "/coinpay24/v1"}[gateway]
			if path == "" {
				path = "/" + gateway
			}
			return fmt.Sprintf("provider %q {\n  endpoint = \"http://%s%s\"\n  %s\n  timeout = \"5s\"\n}", gateway, addr, path, creds)
		},
		resource: fmt.Sprintf(`
invoice_batch "orders" {
  provider = %s
  %s
  invoices = { for r in csvdecode(file("objects.csv")) : r.order_id => { amount = r.amount } }
}`, gateway, batch),
		csv: func(round int) (string, int) {
			n := round * 8
			var b strings.Builder
			b.WriteString("order_id,amount\n")
			for i := 1; i <= n; i++ {
				fmt.Fprintf(&b, "ord-%d,%d.00\n", i, 10+i%7)
			}
			return b.String(), n
		},
		check: func(t *testing.T, c *crashRun) {
			for key, ids := range ledgerKeys(t, c) {
				if len(ids) > 1 {
					t.Fatalf("round %d: %s holds %d invoices for %s: %v", c.round, gateway, len(ids), key, ids)
				}
			}
		},
		final: func(t *testing.T, c *crashRun, total int) {
			ids := ledgerKeys(t, c)
			for i := 1; i <= total; i++ {
				if n := len(ids[fmt.Sprintf("ord-%d", i)]); n != 1 {
					t.Errorf("ord-%d: %d invoices at %s, want 1", i, n, gateway)
				}
			}
			if len(ids) != total {
				t.Errorf("%d keys at %s, want %d", len(ids), gateway, total)
			}
			st := c.pull(t)
			managed := 0
			for _, r := range st.Resources {
				if r.Pending != nil {
					t.Errorf("%s is still in doubt", r.Address)
				}
				if got := ids[r.Key]; len(got) != 1 || got[0] != r.ID {
					t.Errorf("%s: the state's id %q is not the gateway's %v", r.Address, r.ID, got)
				}
				managed++
			}
			if managed != total {
				t.Errorf("the state manages %d invoices, want %d", managed, total)
			}
		},
	}
	if sc.manual {
		// Apply once more (it settles what the gateway's rule can), then
		// do what an operator would: settle every item still in doubt
		// after a look at the gateway.
		sc.settle = func(t *testing.T, c *crashRun) {
			c.run("apply", "--auto-approve").Run()
			// The operator's look at the gateway: its answers no longer
			// dropped (a resolve that cannot read the gateway settles
			// nothing, and would be run again).
			putFaults(t, c.addr, "")
			time.Sleep(200 * time.Millisecond) // requests of killed applies have landed
			ids := ledgerKeys(t, c)
			// What the dashboard shows of each invoice: its amount, which
			// Coinilla and MiraclePay cannot report, so the operator
			// attests it.
			amounts := map[string]string{}
			for _, o := range fetchLedger(t, c.addr) {
				amounts[o.ID] = o.Amount
			}
			for _, r := range c.pull(t).Resources {
				if r.Pending == nil {
					continue
				}
				args := []string{"state", "resolve", r.Address, "--not-created"}
				switch got := ids[r.Key]; len(got) {
				case 0:
					c.notCreated++
				case 1:
					args = []string{"state", "resolve", r.Address, "--id", got[0], "--amount", amounts[got[0]]}
					c.resolvedID++
				default:
					t.Fatalf("%s: %d invoices at %s for %s", r.Address, len(got), gateway, r.Key)
				}
				if out, err := c.run(args...).CombinedOutput(); err != nil {
					t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
				}
			}
		}
	}
	return sc
}

// pull reads the state through payform state pull.
func (c *crashRun) pull(t *testing.T) pulledState {
	t.Helper()
	out, err := c.run("state", "pull").Output()
	if err != nil {
		t.Fatalf("state pull: %v", err)
	}
	var st pulledState
	if err := json.Unmarshal(out, &st); err != nil {
		t.Fatalf("state pull: %v", err)
	}
	return st
}

// crashRun is one scenario's working directory and gateway.
type crashRun struct {
	dir   string
	addr  string // sandbox serve address, "" for the embedded sandbox
	env   []string
	round int
	// Resolutions of items in doubt the rounds planned (failpoint
	// scenarios; an item in doubt through several rounds counts in each),
	// and items an operator settled (manual scenarios).
	resolves, resolvedID, notCreated int
}

// planResolves finds the number of items in doubt in apply's plan line.
var planResolves = regexp.MustCompile(`Plan: \d+ to create, \d+ to adopt, (\d+) to resolve`)

func (c *crashRun) run(args ...string) *exec.Cmd {
	cmd := exec.Command(payformBin, args...)
	cmd.Dir, cmd.Env = c.dir, c.env
	return cmd
}

// ledger counts the gateway's objects of kind per key: from the sandbox's
// admin API, or for the embedded sandbox from its data file.
func (c *crashRun) ledger(t *testing.T, kind string) map[string]int {
	t.Helper()
	var objs []emulator.LedgerObject
	if c.addr != "" {
		objs = fetchLedger(t, c.addr)
	} else {
		path := filepath.Join(c.dir, ".payform", "sandbox", "wllxpay.jsonl")
		if _, err := os.Stat(path); err != nil {
			return map[string]int{}
		}
		store, err := emulator.OpenStore(path)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		emu, err := wllxsandbox.New(wllxsandbox.Options{Store: store.Journal("wllxpay")})
		if err != nil {
			t.Fatal(err)
		}
		objs = emu.Ledger()
	}
	counts := map[string]int{}
	for _, o := range objs {
		if o.Kind == kind {
			counts[o.Key]++
		}
	}
	return counts
}

// managed reads each pair's managed "address tag" through payform output.
func (c *crashRun) managed(t *testing.T) map[string]string {
	t.Helper()
	out, err := c.run("output", "addresses", "--format", "csv").Output()
	if err != nil {
		t.Fatalf("round %d: payform output: %v", c.round, err)
	}
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if len(rows) == 0 {
		return m // an empty pool writes nothing
	}
	for _, r := range rows[1:] { // foreign_id,currency,address,tag
		m[r[0]+"/"+r[1]] = r[2] + " " + r[3]
	}
	return m
}

func crashRounds(t *testing.T, sc scenario, rng *rand.Rand, rounds int) {
	c := &crashRun{dir: t.TempDir(), env: append(os.Environ(), "PAYFORM_ACTOR=crash@test")}
	provider := `provider "wllxpay" { sandbox = true }`
	if sc.serve {
		c.addr = freeAddr(t)
		args := append([]string{"sandbox", "serve", "--addr", c.addr, "--faults", fmt.Sprintf("drop-after-commit=0.1,seed=%d", rng.Int64())}, sc.serveFlags...)
		sb := exec.Command(payformBin, args...)
		if err := sb.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sb.Process.Kill(); sb.Wait() })
		waitHTTP(t, "http://"+c.addr+"/_sandbox/health")
		provider = fmt.Sprintf(`provider "wllxpay" {
  endpoint   = "http://%s/wllxpay/api/v1"
  api_key    = "wllxpay-test-key"
  secret_key = "wllxpay-test-secret"
  timeout    = "5s"
}`, c.addr)
		if sc.provider != nil {
			provider = sc.provider(c.addr)
		}
	}
	if err := os.WriteFile(filepath.Join(c.dir, "main.hcl"), []byte(provider+"\n"+sc.resource+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	total, midKills := 0, 0
	phase := 100 * time.Millisecond // how long journaling lasts; kills land uniformly within it
	journal := filepath.Join(c.dir, "payform.state.json.journal")
	deadline := time.Now().Add(3 * time.Minute)
	stepKills := map[string]int{}
	for c.round = 1; c.round <= rounds && time.Now().Before(deadline); c.round++ {
		var data string
		prev := total
		data, total = sc.csv(c.round)
		if err := os.WriteFile(filepath.Join(c.dir, "objects.csv"), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if sc.failpoints {
			// Die at a random step, the Nth time apply reaches it.
			step := failpoint.Steps[rng.IntN(len(failpoint.Steps))]
			n := 1 + rng.IntN(max(1, total-prev))
			cmd := c.run("apply", "--auto-approve", "--lock-timeout", "30s")
			cmd.Env = append(slices.Clone(c.env), fmt.Sprintf("PAYFORM_FAILPOINT=%s:%d", step, n))
			out, err := cmd.CombinedOutput()
			if m := planResolves.FindSubmatch(out); m != nil {
				n, _ := strconv.Atoi(string(m[1]))
				c.resolves += n
			}
			switch {
			case killedBySIGKILL(err):
				midKills++
				stepKills[step]++
			case err != nil && !(sc.manual && strings.Contains(string(out), "needs an operator")):
				t.Fatalf("round %d: apply failed without a kill: %v\n%s", c.round, err, out)
			}
			sc.check(t, c)
			continue
		}
		cmd := c.run("apply", "--auto-approve", "--lock-timeout", "30s")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		before := fileSize(journal)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		finished := func(err error, since time.Time) {
			if err != nil {
				t.Fatalf("round %d: apply failed without a kill: %v\n%s", c.round, err, out.String())
			}
			phase = max(time.Since(since), time.Millisecond)
		}
		// Wait until apply starts journaling, then kill it at a random
		// moment of its journaling phase.
		start, journaling := time.Now(), false
		for !journaling {
			select {
			case err := <-done:
				finished(err, start)
			case <-time.After(200 * time.Microsecond):
				journaling = fileSize(journal) > before
				continue
			}
			break
		}
		if journaling {
			jstart := time.Now()
			select {
			case err := <-done:
				finished(err, jstart)
			case <-time.After(time.Duration(rng.Int64N(int64(phase)))):
				cmd.Process.Signal(syscall.SIGKILL)
				<-done
				midKills++
			}
		}
		sc.check(t, c)
	}
	if sc.settle != nil {
		sc.settle(t, c)
	}
	// Settle: apply until it reports no problems, then plan shows nothing.
	for i := 0; ; i++ {
		out, err := c.run("apply", "--auto-approve").CombinedOutput()
		if err == nil {
			break
		}
		if i == 5 {
			t.Fatalf("final apply keeps failing: %v\n%s", err, out)
		}
	}
	if out, err := c.run("plan", "--detailed-exitcode").CombinedOutput(); err != nil {
		t.Fatalf("plan after the final apply: %v\n%s", err, out)
	}
	sc.final(t, c, total)
	t.Logf("%s: %d rounds, %d killed while applying, %d objects", sc.name, c.round-1, midKills, total)
	if sc.failpoints {
		t.Logf("%s: kills by step %v; rounds planned %d resolutions of items in doubt; %d settled by state resolve --id, %d --not-created",
			sc.name, stepKills, c.resolves, c.resolvedID, c.notCreated)
		if c.resolves+c.resolvedID+c.notCreated == 0 {
			t.Errorf("no round found an item in doubt: the kills did not exercise recovery")
		}
	}
	if midKills < (c.round-1)/2 {
		t.Errorf("only %d of %d kills landed while apply was journaling; the test is not exercising crashes", midKills, c.round-1)
	}
}

func waitHTTP(t *testing.T, url string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return
		}
	}
	t.Fatalf("%s did not answer", url)
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

package cmd

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/payform/payform/providers/emulator"
	wllxsandbox "github.com/payform/payform/providers/wllxpay/sandbox"
)

// TestCrashKill kills apply with SIGKILL at random moments, round after
// round, each round declaring more payouts; then runs apply to the end. It
// checks after every round that no key reached the gateway twice, and at
// the end that every payout is at the gateway exactly once and in the
// state. The seed is printed; PAYFORM_CRASH_SEED replays a run and
// PAYFORM_CRASH_ROUNDS changes the number of rounds (default 20).
//
// "serve" runs the gateway as a separate `payform sandbox serve` process
// that also drops 10% of responses after committing; "embedded" runs it
// inside the killed process (sandbox = true), so the kill takes the
// gateway down too.
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
	for _, mode := range []string{"serve", "embedded"} {
		t.Run(mode, func(t *testing.T) {
			crashRounds(t, mode, rand.New(rand.NewPCG(uint64(seed), 0)), rounds)
		})
	}
}

const perRound = 60

func crashRounds(t *testing.T, mode string, rng *rand.Rand, rounds int) {
	dir := t.TempDir()
	env := append(os.Environ(), "PAYFORM_ACTOR=crash@test")
	provider := `provider "wllxpay" { sandbox = true }`
	addr := ""
	if mode == "serve" {
		addr = freeAddr(t)
		sb := exec.Command(payformBin, "sandbox", "serve", "--addr", addr, "--faults", fmt.Sprintf("drop-after-commit=0.1,seed=%d", rng.Int64()))
		if err := sb.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sb.Process.Kill(); sb.Wait() })
		waitHTTP(t, "http://"+addr+"/_sandbox/health")
		provider = fmt.Sprintf(`provider "wllxpay" {
  endpoint   = "http://%s/wllxpay/api/v1"
  api_key    = "wllxpay-test-key"
  secret_key = "wllxpay-test-secret"
  timeout    = "5s"
}`, addr)
	}
	config := provider + `
payout "batch" {
  for_each   = { for r in csvdecode(file("payouts.csv")) : r.foreign_id => r }
  foreign_id = each.key
  currency   = each.value.currency
  amount     = each.value.amount
  address    = each.value.address
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) *exec.Cmd {
		c := exec.Command(payformBin, args...)
		c.Dir, c.Env = dir, env
		return c
	}
	total, midKills := 0, 0
	phase := 100 * time.Millisecond // how long journaling lasts; kills land uniformly within it
	journal := filepath.Join(dir, "payform.state.json.journal")
	deadline := time.Now().Add(3 * time.Minute)
	for round := 1; round <= rounds && time.Now().Before(deadline); round++ {
		total = round * perRound
		if err := os.WriteFile(filepath.Join(dir, "payouts.csv"), []byte(payoutsCSV(total, "0.0001")), 0o644); err != nil {
			t.Fatal(err)
		}
		c := run("apply", "--auto-approve", "--lock-timeout", "30s")
		var out bytes.Buffer
		c.Stdout, c.Stderr = &out, &out
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		before := fileSize(journal)
		done := make(chan error, 1)
		go func() { done <- c.Wait() }()
		finished := func(err error, since time.Time) {
			if err != nil {
				t.Fatalf("round %d: apply failed without a kill: %v\n%s", round, err, out.String())
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
				c.Process.Signal(syscall.SIGKILL)
				<-done
				midKills++
			}
		}
		checkNoDuplicates(t, mode, dir, addr, round)
	}
	// Settle: apply until it reports no problems, then plan shows nothing.
	for i := 0; ; i++ {
		out, err := run("apply", "--auto-approve").CombinedOutput()
		if err == nil {
			break
		}
		if i == 5 {
			t.Fatalf("final apply keeps failing: %v\n%s", err, out)
		}
	}
	plan := run("plan", "--detailed-exitcode")
	if out, err := plan.CombinedOutput(); err != nil {
		t.Fatalf("plan after the final apply: %v\n%s", err, out)
	}
	counts := ledgerCounts(t, mode, dir, addr)
	for i := 1; i <= total; i++ {
		if n := counts[fmt.Sprintf("po-%d", i)]; n != 1 {
			t.Errorf("po-%d: %d withdrawals at the gateway, want 1", i, n)
		}
	}
	if len(counts) != total {
		t.Errorf("%d keys at the gateway, want %d", len(counts), total)
	}
	list, err := run("state", "list").Output()
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(list), "payout.batch["); n != total {
		t.Errorf("state lists %d payouts, want %d", n, total)
	}
	t.Logf("%s: %d rounds, %d killed while applying, %d payouts, each exactly once", mode, rounds, midKills, total)
	if midKills < rounds/2 {
		t.Errorf("only %d of %d kills landed while apply was journaling; the test is not exercising crashes", midKills, rounds)
	}
}

func checkNoDuplicates(t *testing.T, mode, dir, addr string, round int) {
	t.Helper()
	for key, n := range ledgerCounts(t, mode, dir, addr) {
		if n > 1 {
			t.Fatalf("round %d: %s reached the gateway %d times", round, key, n)
		}
	}
}

// ledgerCounts counts withdrawals per key: from the sandbox's admin API,
// or, for the embedded sandbox, from its data file.
func ledgerCounts(t *testing.T, mode, dir, addr string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	if mode == "serve" {
		for _, o := range fetchLedger(t, addr) {
			if o.Kind == "withdrawal" {
				counts[o.Key]++
			}
		}
		return counts
	}
	path := filepath.Join(dir, ".payform", "sandbox", "wllxpay.jsonl")
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return counts
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
	for _, o := range emu.Ledger() {
		if o.Kind == "withdrawal" {
			counts[o.Key]++
		}
	}
	return counts
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

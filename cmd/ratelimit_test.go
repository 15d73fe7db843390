package cmd

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/coinpay24"
	"github.com/payform/payform/providers/emulator"
)

// The sandbox is the referee in these tests: `payform sandbox serve`
// counts CoinPay24's documented windows exactly (sliding, over the
// requests and invoices it admits) and answers 429 past them; its
// /_sandbox/coinpay24/limits says how many it refused, and its ledger
// when each invoice was made.

// rateSandbox runs `payform sandbox serve --rate-limit-scale scale` and
// returns its address.
func rateSandbox(t testing.TB, scale float64) string {
	t.Helper()
	addr := freeAddr(t)
	sb := exec.Command(payformBin, "sandbox", "serve", "--addr", addr, "--rate-limit-scale", fmt.Sprint(scale))
	if err := sb.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Process.Kill(); sb.Wait() })
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/_sandbox/health")
		if err == nil {
			resp.Body.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sandbox did not answer: %v", err)
		}
	}
}

// invoiceWorkspace writes a configuration of n invoices split between
// provider blocks of one CoinPay24 account at addr (one per alias, ""
// for none), and returns its directory.
func invoiceWorkspace(t testing.TB, addr string, scale float64, n int, aliases ...string) string {
	t.Helper()
	return invoiceWorkspaceWith(t, addr, scale, n, "", aliases...)
}

// invoiceWorkspaceWith is invoiceWorkspace with more attributes for each
// batch, e.g. `pay_currency = "BTC"`.
func invoiceWorkspaceWith(t testing.TB, addr string, scale float64, n int, batchAttrs string, aliases ...string) string {
	t.Helper()
	dir := t.TempDir()
	var cfg strings.Builder
	var blocks []string
	for _, alias := range aliases {
		ref, attr := "coinpay24", ""
		if alias != "" {
			ref, attr = "coinpay24."+alias, fmt.Sprintf("  alias            = %q\n", alias)
		}
		blocks = append(blocks, ref)
		fmt.Fprintf(&cfg, `provider "coinpay24" {
%s  endpoint         = "http://%s/coinpay24/v1"
  api_key          = "coinpay24-test-key"
  rate_limit_scale = %v
  settle_time      = "1s"
}
`, attr, addr, scale)
	}
	for i, b := range blocks {
		var orders strings.Builder
		orders.WriteString("order_id,amount\n")
		for j := i; j < n; j += len(blocks) {
			fmt.Fprintf(&orders, "ord-%d,10.00\n", j+1)
		}
		csvName := fmt.Sprintf("orders-%d.csv", i)
		if err := os.WriteFile(filepath.Join(dir, csvName), []byte(orders.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&cfg, `invoice_batch "batch_%d" {
  provider = %s
  currency = "USD"
  %s
  invoices = { for r in csvdecode(file(%q)) : r.order_id => { amount = r.amount } }
}
`, i, b, batchAttrs, csvName)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(cfg.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// applyCmd returns `payform apply --auto-approve --parallelism 20` in
// dir.
func applyCmd(dir string, stdout, stderr *strings.Builder) *exec.Cmd {
	cmd := exec.Command(payformBin, "apply", "--auto-approve", "--parallelism", "20")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = stdout, stderr
	return cmd
}

func getJSON(t testing.TB, url string, out any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

// refused is how many requests the sandbox's CoinPay24 answered 429.
func refused(t testing.TB, addr string) int {
	var limits struct{ Refused int }
	getJSON(t, "http://"+addr+"/_sandbox/coinpay24/limits", &limits)
	return limits.Refused
}

// invoices returns the sandbox's CoinPay24 invoices.
func invoices(t testing.TB, addr string) []emulator.LedgerObject {
	var ledger struct{ Objects []emulator.LedgerObject }
	getJSON(t, "http://"+addr+"/_sandbox/ledger?gateway=coinpay24", &ledger)
	return ledger.Objects
}

// idealSpan is the least time from the first of m requests to the last
// that the limits allow, counted exactly (no margin): each leaves as soon
// as every window has room, as the sandbox counts them.
func idealSpan(m int, limits []providers.Limit) time.Duration {
	at := make([]time.Duration, m)
	for i := range m {
		if i > 0 {
			at[i] = at[i-1]
		}
		for _, l := range limits {
			if i >= l.N {
				at[i] = max(at[i], at[i-l.N]+l.Per)
			}
		}
	}
	return at[m-1]
}

// use is achieved/allowed for a run of creates, from the sandbox's
// ledger: the least span the documented windows allow for that many
// invoices, over the span they took.
func use(t testing.TB, objs []emulator.LedgerObject, scale float64) (ratio float64, span time.Duration) {
	t.Helper()
	times := make([]time.Time, len(objs))
	for i, o := range objs {
		times[i] = o.CreatedAt
	}
	slices.SortFunc(times, time.Time.Compare)
	span = times[len(times)-1].Sub(times[0])
	ideal := idealSpan(len(times), providers.ScaleLimits(coinpay24.Gateway.Limits, scale))
	if span <= 0 {
		return 0, span
	}
	return ideal.Seconds() / span.Seconds(), span
}

// checkOnce fails unless every key ord-1..ord-n is at the gateway
// exactly once.
func checkOnce(t testing.TB, objs []emulator.LedgerObject, n int) {
	t.Helper()
	count := map[string]int{}
	for _, o := range objs {
		count[o.Key]++
	}
	for i := 1; i <= n; i++ {
		if c := count[fmt.Sprintf("ord-%d", i)]; c != 1 {
			t.Errorf("ord-%d is at the gateway %d times, want once", i, c)
		}
	}
	if len(objs) != n {
		t.Errorf("the gateway holds %d invoices, want %d", len(objs), n)
	}
}

// TestRateLimitUse: 1,200 CoinPay24 invoices with the documented limits
// scaled by 60 (200 requests a second, 1,000 requests and 1,000 invoices
// a minute) never use more than the limits allow (how close they come is
// BenchmarkRateLimitUse60's figure):
// the sandbox refuses nothing and its ledger never runs ahead of its own
// windows. The limits allow them in 60 s: five bursts of 200 a second
// apart, then the last 200 a minute after the first.
func TestRateLimitUse(t *testing.T) {
	if testing.Short() {
		t.Skip("takes as long as the limits allow (a minute)")
	}
	const scale, n = 60, 1200
	addr := rateSandbox(t, scale)
	dir := invoiceWorkspace(t, addr, scale, n, "")
	var stdout, stderr strings.Builder
	if err := applyCmd(dir, &stdout, &stderr).Run(); err != nil {
		t.Fatalf("apply: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	objs := invoices(t, addr)
	checkOnce(t, objs, n)
	if r := refused(t, addr); r != 0 {
		t.Errorf("the sandbox answered 429 %d times; payform must stay under its limits", r)
	}
	// The floor (at least 0.9 of the allowed rate) is a speed target:
	// BenchmarkRateLimitUse60 reports it. What this test holds is the
	// ceiling, which no load on the machine can excuse.
	ratio, span := use(t, objs, scale)
	if ratio > 1 {
		t.Errorf("achieved/allowed = %.3f (%d invoices in %v; the limits allow them in %v); the ledger ran ahead of the limits",
			ratio, n, span, idealSpan(n, providers.ScaleLimits(coinpay24.Gateway.Limits, scale)))
	}
	t.Logf("%d invoices in %v at the sandbox, achieved/allowed %.3f, no 429", n, span.Round(time.Millisecond), ratio)
}

// TestRateLimitAliases: two provider blocks of one CoinPay24 account
// (same endpoint, same key), 600 invoices each, get the account's limits
// once: no 429, and together never faster than the limits allow (scaled
// by 720: 1,000 per 5 s; 1,200 invoices in just over 5 s).
func TestRateLimitAliases(t *testing.T) {
	if testing.Short() {
		t.Skip("takes as long as the limits allow")
	}
	const scale, n = 720, 1200
	addr := rateSandbox(t, scale)
	dir := invoiceWorkspace(t, addr, scale, n, "", "main")
	var stdout, stderr strings.Builder
	if err := applyCmd(dir, &stdout, &stderr).Run(); err != nil {
		t.Fatalf("apply: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	objs := invoices(t, addr)
	checkOnce(t, objs, n)
	if r := refused(t, addr); r != 0 {
		t.Errorf("the sandbox answered 429 %d times: two aliases together exceeded one account's limits", r)
	}
	ratio, span := use(t, objs, scale)
	if ratio > 1 {
		t.Errorf("achieved/allowed = %.3f: two aliases went faster than one account may", ratio)
	}
	t.Logf("two aliases: %d invoices in %v, achieved/allowed %.3f of one account's limits, no 429", n, span.Round(time.Millisecond), ratio)
}

// TestRateLimitKillRestart: apply is killed (SIGKILL) in the middle of
// the hourly windows (scaled by 720: 1,000 per 5 s) and started again at
// once. The new run reads what the killed one sent from the send log
// beside the state and waits out the window: the sandbox never answers
// 429, and every invoice is there once. Without the send log the same
// restart trips the gateway's counter: the control run shows the test
// can fail.
func TestRateLimitKillRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("takes as long as the limits allow")
	}
	for _, keepLog := range []bool{true, false} {
		name := map[bool]string{true: "with the send log", false: "control, send log deleted"}[keepLog]
		t.Run(name, func(t *testing.T) {
			const scale, n = 720, 1500
			addr := rateSandbox(t, scale)
			dir := invoiceWorkspace(t, addr, scale, n, "")
			var stdout, stderr strings.Builder
			first := applyCmd(dir, &stdout, &stderr)
			if err := first.Start(); err != nil {
				t.Fatal(err)
			}
			made := 0
			for deadline := time.Now().Add(30 * time.Second); made < 600; time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					first.Process.Kill()
					t.Fatalf("only %d invoices after 30 s\n%s", made, stderr.String())
				}
				made = len(invoices(t, addr))
			}
			first.Process.Signal(syscall.SIGKILL)
			first.Wait()
			killed := len(invoices(t, addr))
			if !keepLog {
				if err := os.Remove(filepath.Join(dir, DefaultStateFile+".sendlog")); err != nil {
					t.Fatal(err)
				}
			}
			stdout.Reset()
			stderr.Reset()
			if err := applyCmd(dir, &stdout, &stderr).Run(); err != nil && keepLog {
				t.Fatalf("apply after the kill: %v\n%s\n%s", err, stdout.String(), stderr.String())
			}
			r := refused(t, addr)
			if !keepLog {
				if r == 0 {
					t.Errorf("without the send log the restart got no 429: the test does not exercise the window")
				}
				t.Logf("control: killed at %d invoices; without the send log the restart got %d answers of 429", killed, r)
				return
			}
			if r != 0 {
				t.Errorf("the sandbox answered 429 %d times across the kill and restart", r)
			}
			checkOnce(t, invoices(t, addr), n)
			t.Logf("killed at %d invoices, restarted at once: %d invoices, no 429", killed, n)
		})
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

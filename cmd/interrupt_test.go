package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPlanInterrupted: Ctrl-C (SIGINT) or SIGTERM while plan reads 40
// payouts back through WllxPay's v2 lookup (300 ms a request, two at a
// time) stops it at once: exit 130, "interrupted", no plan file, the
// lock released; the next plan runs and saves one.
func TestPlanInterrupted(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			addr := freeAddr(t)
			sb := exec.Command(payformBin, "sandbox", "serve", "--addr", addr, "--wllxpay-v2-lookup")
			if err := sb.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { sb.Process.Kill(); sb.Wait() })
			waitHTTP(t, "http://"+addr+"/_sandbox/health")
			dir := t.TempDir()
			config := fmt.Sprintf(`provider "wllxpay" {
  endpoint   = "http://%s/wllxpay/api/v1"
  api_key    = "wllxpay-test-key"
  secret_key = "wllxpay-test-secret"
  v2_lookup  = true
  timeout    = "10s"
}
payout "batch" {
  for_each   = { for r in csvdecode(file("payouts.csv")) : r.foreign_id => r }
  foreign_id = each.key
  currency   = each.value.currency
  amount     = each.value.amount
  address    = each.value.address
}
`, addr)
			os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(config), 0o644)
			os.WriteFile(filepath.Join(dir, "payouts.csv"), []byte(payoutsCSV(40, "0.01")), 0o644)
			env := append(os.Environ(), "PAYFORM_ACTOR=ci@test")
			if out, err := runIn(dir, env, "apply", "--auto-approve").CombinedOutput(); err != nil {
				t.Fatalf("apply: %v\n%s", err, tail(string(out), 5))
			}
			putFaults(t, addr, "latency=300ms")

			plan := runIn(dir, env, "plan", "--out", "x.plan", "--parallelism", "2")
			var stdout, stderr bytes.Buffer
			plan.Stdout, plan.Stderr = &stdout, &stderr
			if err := plan.Start(); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			waitLatencyInjected(t, addr)
			if err := plan.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := plan.Wait()
			took := time.Since(start)
			if code := processExit(err); code != 130 {
				t.Fatalf("plan after %s: exit %d, want 130\nstdout:\n%s\nstderr:\n%s", sig, code, stdout.String(), stderr.String())
			}
			if !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("stderr does not say interrupted:\n%s", stderr.String())
			}
			if took > 5*time.Second {
				t.Errorf("plan took %s to stop; the whole refresh takes 6 s", took)
			}
			if _, err := os.Stat(filepath.Join(dir, "x.plan")); !os.IsNotExist(err) {
				t.Errorf("an interrupted plan wrote its plan file (stat: %v)", err)
			}
			if strings.Contains(stdout.String(), "Saved the plan") {
				t.Errorf("an interrupted plan says it saved one:\n%s", stdout.String())
			}
			putFaults(t, addr, "")
			if out, err := runIn(dir, env, "plan", "--out", "x.plan").CombinedOutput(); err != nil || !strings.Contains(string(out), "Saved the plan to x.plan") {
				t.Fatalf("plan after the interrupted one: %v\n%s", err, tail(string(out), 5))
			}
		})
	}
}

// waitLatencyInjected waits until the sandbox has delayed a request.
func waitLatencyInjected(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/_sandbox/faults")
		if err != nil {
			continue
		}
		var body struct {
			Injected map[string]int `json:"injected"`
		}
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if body.Injected["latency"] > 0 {
			return
		}
	}
	t.Fatal("the sandbox never delayed a request: plan did not start reading")
}

package cmd

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRateLimits: with CoinPay24's documented limits scaled by 720 on both
// sides (1,000 invoices and 1,000 requests per 5 s instead of per hour),
// applying 1,200 invoices gets no 429 from the gateway, takes about as long
// as the limits allow (1,200 at 200/s: 6 s), and shows progress with an
// estimate of the time left.
func TestRateLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("takes as long as the limits allow")
	}
	addr := freeAddr(t)
	sb := exec.Command(payformBin, "sandbox", "serve", "--addr", addr, "--rate-limit-scale", "720")
	if err := sb.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { sb.Process.Kill(); sb.Wait() }()
	waitHTTP(t, "http://"+addr+"/_sandbox/health")
	dir := t.TempDir()
	var orders strings.Builder
	orders.WriteString("order_id,amount\n")
	for i := 1; i <= 1200; i++ {
		fmt.Fprintf(&orders, "ord-%d,10.00\n", i)
	}
	config := fmt.Sprintf(`provider "coinpay24" {
  endpoint         = "http://%s/coinpay24/v1"
  api_key          = "coinpay24-test-key"
  rate_limit_scale = 720
}
invoice_batch "many" {
  currency = "USD"
  invoices = { for r in csvdecode(file("orders.csv")) : r.order_id => { amount = r.amount } }
}
`, addr)
	for name, data := range map[string]string{"main.hcl": config, "orders.csv": orders.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	cmd := exec.Command(payformBin, "apply", "--auto-approve", "--parallelism", "20")
	cmd.Dir = dir
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("apply: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	elapsed := time.Since(start)
	if !strings.Contains(stdout.String(), "Apply complete: 1200 created") {
		t.Errorf("apply did not create the 1,200 invoices:\n%s", tail(stdout.String(), 5))
	}
	if elapsed < 5500*time.Millisecond || elapsed > 15*time.Second {
		t.Errorf("apply took %v; the limits allow 1,200 in about 6 s", elapsed)
	}
	if !strings.Contains(stderr.String(), "left") || !strings.Contains(stderr.String(), "/1200 done") {
		t.Errorf("no progress with an estimate on a non-terminal:\n%s", stderr.String())
	}
	resp, err := http.Get("http://" + addr + "/_sandbox/coinpay24/limits")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var limits struct{ Refused int }
	if err := json.NewDecoder(resp.Body).Decode(&limits); err != nil {
		t.Fatal(err)
	}
	if limits.Refused != 0 {
		t.Errorf("the gateway answered 429 %d times; payform must stay under its limits", limits.Refused)
	}
	t.Logf("1,200 invoices in %v, no 429; progress: %q", elapsed.Round(time.Millisecond), firstLine(stderr.String()))
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }

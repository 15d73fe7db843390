package cmd

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPGCallbackInbox: with the pg backend, callback serve keeps the
// callbacks in the workspace's inbox table (no local file, no state
// lock: it runs beside an apply), and the next plan in another runner's
// directory takes them in: the payout forced to error is named first
// with its amount, --detailed-exitcode exits 2, once.
func TestPGCallbackInbox(t *testing.T) {
	dsn := pgDSN(t)
	schema := pgSchema(t, dsn)
	inboxAddr := freeAddr(t)
	sandbox := freeAddr(t)
	sb := exec.Command(payformBin, "sandbox", "serve", "--addr", sandbox, "--callback-url", "http://"+inboxAddr+"/wllxpay", "--wllxpay-confirm-after", "1h")
	if err := sb.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Process.Kill(); sb.Wait() })
	waitHTTP(t, "http://"+sandbox+"/_sandbox/health")
	env := append(os.Environ(), "PAYFORM_PG_CONN_STR="+dsn, "PAYFORM_ACTOR=runner@test")
	serveDir, planDir := pgRunner(t, schema, sandbox, 3), pgRunner(t, schema, sandbox, 3)
	if out, err := runIn(planDir, env, "apply", "--auto-approve").CombinedOutput(); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	serve := runIn(serveDir, env, "callback", "serve", "--addr", inboxAddr)
	var serveErr bytes.Buffer
	serve.Stderr = &serveErr
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { serve.Process.Kill(); serve.Wait() })
	waitHTTP(t, "http://"+inboxAddr+"/nope") // answers 404 once it listens
	resp, err := http.Post("http://"+sandbox+"/_sandbox/wllxpay/status", "application/json", strings.NewReader(`{"foreign_id":"po-2","status":"error"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("forcing po-2 to error: %v %v", err, resp)
	}
	resp.Body.Close()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		out, _ := runIn(planDir, env, "callback", "list").CombinedOutput()
		if strings.Contains(string(out), `error (key "po-2")  waiting for the next plan`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the callback never reached the pg inbox:\n%s\nserve: %s", out, &serveErr)
		}
	}
	out, err := runIn(planDir, env, "plan", "--detailed-exitcode").CombinedOutput()
	if processExit(err) != 2 || !strings.HasPrefix(string(out), "Statuses taken in from callbacks (recorded in the state):\n\n ✗ payout.batch[\"po-2\"]  0.001 BTC  submitted → failed (error)") {
		t.Fatalf("plan: %v, want exit 2 naming po-2 first\n%s", err, out)
	}
	out, err = runIn(planDir, env, "plan", "--detailed-exitcode").CombinedOutput()
	if err != nil || strings.Contains(string(out), "Statuses taken in") {
		t.Errorf("second plan took something in again: %v\n%s", err, out)
	}
	out, _ = runIn(planDir, env, "state", "show", `payout.batch["po-2"]`).CombinedOutput()
	if !strings.Contains(string(out), "failed (gateway: error)") {
		t.Errorf("state show:\n%s", out)
	}
	for _, d := range []string{serveDir, planDir} {
		if m, _ := filepath.Glob(filepath.Join(d, "*.inbox*")); len(m) > 0 {
			t.Errorf("a local inbox written with the pg backend: %v", m)
		}
	}
}

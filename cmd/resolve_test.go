package cmd

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestResolveUnknown: 20 invoices on each of Coinilla and MiraclePay while
// 30% of the answers are cut after the gateway committed. Neither can look
// an invoice up by the merchant's key, so each cut create ends unknown
// (Coinilla: the resend is refused as a duplicate; MiraclePay: at once);
// a clean apply creates nothing more for them; every unknown one is
// settled with state resolve --id (a mismatched key or amount is refused);
// the next plan shows no changes; each gateway holds one object per key.
// Neither gateway reads an invoice's amount back, so each settlement
// needs the operator's --amount, journaled as attested.
func TestResolveUnknown(t *testing.T) {
	addr := startSandbox(t, "drop-after-commit=0.3,seed=9")
	dir := t.TempDir()
	var config strings.Builder
	fmt.Fprintf(&config, `provider "coinilla" {
  endpoint = "http://%s/coinilla"
  api_key  = "coinilla-test-key"
  timeout  = "5s"
}
provider "miraclepay" {
  endpoint  = "http://%s/miraclepay"
  client_id = "miraclepay-test-client"
  api_key   = "mpay_test_key"
  timeout   = "5s"
}
invoice_batch "cl" {
  provider = coinilla
  currency = "USD"
  invoices = { for i in range(1, 21) : "cl-${i}" => { amount = "10.00" } }
}
invoice_batch "mp" {
  provider    = miraclepay
  currency    = "USD"
  blockchains = "eth,btc"
  invoices    = { for i in range(1, 21) : "mp-${i}" => { amount = "20.00" } }
}
`, addr, addr)
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(config.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "PAYFORM_ACTOR=alice@treasury")
	run := func(args ...string) (string, error) {
		out, err := runIn(dir, env, args...).CombinedOutput()
		return string(out), err
	}
	out, _ := run("apply", "--auto-approve")
	if !strings.Contains(out, "unknown (needs an operator)") {
		t.Fatalf("no item ended unknown under drop-after-commit=0.3:\n%s", tail(out, 8))
	}
	putFaults(t, addr, "")
	// With the faults gone, apply settles what it can; it still fails
	// while items wait for an operator, and so does a CI gate on plan.
	if out, err := run("apply", "--auto-approve"); err == nil || !strings.Contains(out, "for payform state resolve (see the warnings above)") {
		t.Fatalf("clean apply with items of unknown outcome: %v, want exit 1 naming them\n%s", err, tail(out, 8))
	}
	if out, err := run("plan", "--detailed-exitcode"); processExit(err) != 2 {
		t.Fatalf("plan --detailed-exitcode with items of unknown outcome: %v, want exit 2\n%s", err, tail(out, 8))
	}
	checkOnePerKey(t, addr, "coinilla", 20)
	checkOnePerKey(t, addr, "miraclepay", 20)

	unknown := inDoubtItems(t, run)
	if len(unknown) == 0 {
		t.Fatal("the state lists no item in doubt")
	}
	ids := ledgerIDs(t, addr)
	// A mismatched key is refused at Coinilla (verify proves an invoice
	// id and refnum belong together); MiraclePay cannot tell, so it asks
	// the operator to attest the prompt first.
	declared := map[string]string{"coinilla": "10.00", "miraclepay": "20.00"}
	for _, u := range unknown {
		other := ids[u.gateway+" "+otherKey(u.key)]
		out, err := run("state", "resolve", u.address, "--id", other)
		if err == nil || !(strings.Contains(out, "refused") || strings.Contains(out, "has no") || strings.Contains(out, "attest it with --amount")) {
			t.Errorf("resolve %s with %s's id: %v\n%s", u.address, otherKey(u.key), err, out)
		}
	}
	// Neither reads an amount back: a prompt with the right note but
	// another amount is refused when the operator attests what it says,
	// and cannot be adopted without an attestation.
	for _, u := range unknown {
		if u.gateway != "miraclepay" {
			continue
		}
		id := createPrompt(t, addr, u.key, "25.00")
		if out, err := run("state", "resolve", u.address, "--id", id, "--amount", "25.00"); err == nil || !strings.Contains(out, "you attest 25 USD, but") {
			t.Errorf("resolve %s with a 25 USD prompt: %v\n%s", u.address, err, out)
		}
		if out, err := run("state", "resolve", u.address, "--id", id); err == nil || !strings.Contains(out, "does not report the amount") {
			t.Errorf("resolve %s with a 25 USD prompt, no attestation: %v\n%s", u.address, err, out)
		}
		break
	}
	for _, u := range unknown {
		out, err := run("state", "resolve", u.address, "--id", ids[u.gateway+" "+u.key], "--amount", declared[u.gateway])
		if err != nil || !strings.Contains(out, "by alice@treasury") || !strings.Contains(out, "attested by the operator, not checked: amount") {
			t.Fatalf("resolve %s: %v\n%s", u.address, err, out)
		}
	}
	if out, err := run("plan", "--detailed-exitcode"); err != nil {
		t.Errorf("plan after settling: %v\n%s", err, out)
	}
	audit, _ := run("audit", "log", "--json")
	if n := strings.Count(audit, `"op":"resolve"`); n != len(unknown) || !strings.Contains(audit, `"actor":"alice@treasury"`) {
		t.Errorf("audit log has %d resolve entries for %d settled items", n, len(unknown))
	}
	t.Logf("%d items ended unknown and were settled", len(unknown))
}

type doubtItem struct{ address, gateway, key string }

func inDoubtItems(t *testing.T, run func(...string) (string, error)) []doubtItem {
	t.Helper()
	out, err := run("show", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Address, Provider, Key string
			InDoubt                bool `json:"in_doubt"`
		}
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	var items []doubtItem
	for _, r := range st.Resources {
		if r.InDoubt {
			items = append(items, doubtItem{r.Address, r.Provider, r.Key})
		}
	}
	return items
}

// otherKey names another invoice of the same batch.
func otherKey(key string) string {
	if strings.HasSuffix(key, "-1") {
		return strings.TrimSuffix(key, "1") + "2"
	}
	return key[:strings.LastIndex(key, "-")] + "-1"
}

func ledgerIDs(t *testing.T, addr string) map[string]string {
	ids := map[string]string{}
	for _, o := range fetchLedger(t, addr) {
		ids[o.Gateway+" "+o.Key] = o.ID
	}
	return ids
}

func checkOnePerKey(t *testing.T, addr, gateway string, n int) {
	t.Helper()
	counts := map[string]int{}
	for _, o := range fetchLedger(t, addr) {
		if o.Gateway == gateway {
			counts[o.Key]++
		}
	}
	for k, c := range counts {
		if c != 1 {
			t.Errorf("%s holds %d objects for %s", gateway, c, k)
		}
	}
	if len(counts) != n {
		t.Errorf("%s holds %d keys, want %d", gateway, len(counts), n)
	}
}

func putFaults(t *testing.T, addr, spec string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, "http://"+addr+"/_sandbox/faults", strings.NewReader(fmt.Sprintf(`{"spec":%q}`, spec)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// createPrompt makes a MiraclePay prompt noted for key, for amount.
func createPrompt(t *testing.T, addr, key, amount string) string {
	t.Helper()
	body := fmt.Sprintf(`{"amount": %s, "blockchainIds": ["eth"], "payer": "merchant", "note": "payform:%s"}`, amount, key)
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/miraclepay/external/payments/prompt", bytes.NewBufferString(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("miraclepay-test-client:mpay_test_key")))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Prompt struct{ ID string } }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Prompt.ID == "" {
		t.Fatalf("creating a prompt: %v", err)
	}
	return out.Prompt.ID
}

// processExit is a finished command's exit status (0 for nil, -1 when it
// did not exit normally).
func processExit(err error) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	return -1
}

package cmd

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestResolveAttestsWhatMiraclePayCannotProve: MiraclePay's page answers
// GET /external/payments/prompt/:id with "id", "blockchainId", "status"
// and "createdAt" only — no amount, no note — and payform sandbox serve
// answers the same. So state resolve --id cannot check that a prompt is
// the order's: another order's 999 USD prompt is refused without an
// attestation, refused when the attested amount is not the declared one,
// and adopted only on an explicit --amount equal to the declaration; the
// journal records that the amount and the key were attested, not checked.
func TestResolveAttestsWhatMiraclePayCannotProve(t *testing.T) {
	addr := startSandbox(t, "drop-after-commit=1")
	dir := t.TempDir()
	config := fmt.Sprintf(`provider "miraclepay" {
  endpoint  = "http://%s/miraclepay"
  client_id = "miraclepay-test-client"
  api_key   = "mpay_test_key"
  timeout   = "5s"
}
invoice_batch "mp" {
  provider    = miraclepay
  currency    = "USD"
  blockchains = "eth"
  invoice "ord-10" {
    amount = "10.00"
  }
}
`, addr)
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "PAYFORM_ACTOR=alice@treasury")
	run := func(args ...string) (string, error) {
		out, err := runIn(dir, env, args...).CombinedOutput()
		return string(out), err
	}
	if out, _ := run("apply", "--auto-approve"); !strings.Contains(out, "unknown (needs an operator)") {
		t.Fatalf("the cut create did not end unknown:\n%s", tail(out, 8))
	}
	putFaults(t, addr, "")
	const item = `invoice_batch.mp["ord-10"]`
	mine := ledgerIDs(t, addr)["miraclepay ord-10"]
	other := createPrompt(t, addr, "ord-99", "999.00") // another order's prompt

	// What the gateway answers for it: the page's four fields.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--id", other}, "miraclepay does not report the amount of invoice " + other},
		{[]string{"--id", other, "--amount", "999.00"}, "you attest 999 USD, but " + item + " declares 10 USD: refused"},
		{[]string{"--id", other, "--amount", "9.99"}, "refused"},
		{[]string{"--amount", "10.00"}, "give exactly one of --id ID and --not-created"},
	} {
		out, err := run(append([]string{"state", "resolve", item}, tc.args...)...)
		if err == nil || !strings.Contains(out, tc.want) {
			t.Errorf("resolve %v: %v, want %q\n%s", tc.args, err, tc.want, out)
		}
	}
	if audit, _ := run("audit", "log", "--json"); strings.Contains(audit, `"op":"resolve"`) {
		t.Fatalf("a refused resolve was journaled:\n%s", audit)
	}

	// The operator checks the dashboard and attests the right prompt.
	out, err := run("state", "resolve", item, "--id", mine, "--amount", "10.00")
	if err != nil || !strings.Contains(out, "adopted miraclepay id "+mine) ||
		!strings.Contains(out, `checked against the gateway: it exists, made after payform first sent the item; attested by the operator, not checked: amount 10 USD, key "ord-10"`) {
		t.Fatalf("resolve with --amount: %v\n%s", err, out)
	}
	// The journal itself (not a rendering of it) records which.
	journal, err := os.ReadFile(filepath.Join(dir, "payform.state.json.journal"))
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		Op, Actor string
		Result    struct {
			Outcome, ID, Note string
			Remote            map[string]string
		}
	}
	var resolved []entry
	for _, line := range strings.Split(strings.TrimSpace(string(journal)), "\n") {
		var e entry
		if json.Unmarshal([]byte(line), &e) == nil && e.Op == "resolve" {
			resolved = append(resolved, e)
		}
	}
	if len(resolved) != 1 {
		t.Fatalf("%d resolve entries, want 1:\n%s", len(resolved), journal)
	}
	r := resolved[0]
	if r.Actor != "alice@treasury" || r.Result.Outcome != "adopted" || r.Result.ID != mine || r.Result.Remote["attested"] != "amount,key" ||
		!strings.Contains(r.Result.Note, "attested by the operator, not checked: amount 10 USD") || strings.Contains(r.Result.Note, "checked against the gateway: it exists, amount") {
		t.Errorf("journal entry %+v, want the amount and key recorded as attested by alice@treasury", r)
	}
	if out, _ := run("state", "show", item); !strings.Contains(out, "attested") {
		t.Errorf("state show %s does not say what was attested:\n%s", item, out)
	}
	if out, err := run("plan", "--detailed-exitcode"); err != nil {
		t.Errorf("plan after settling: %v\n%s", err, out)
	}
}

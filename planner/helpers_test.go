package planner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/wllxpay"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

// btcAddr returns a valid, distinct BTC address.
func btcAddr(i int) string {
	a, err := money.GenerateAddress("BTC", []byte(fmt.Sprint("payee-", i)))
	if err != nil {
		panic(err)
	}
	return a
}

// loadConfig writes files into a temp dir and loads them.
func loadConfig(t testing.TB, dir string, files map[string]string) *schema.Config {
	t.Helper()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, diags := schema.Load(schema.Options{Dir: dir, Gateways: []providers.Gateway{wllxpay.Gateway}})
	if diags.HasErrors() {
		t.Fatalf("config: %s", diags.Error())
	}
	return cfg
}

// payoutsHCL declares n payouts po-1..po-n of amount each, through a CSV.
func payoutsHCL(endpoint string, n int, amount string) map[string]string {
	var csv strings.Builder
	csv.WriteString("foreign_id,amount,address\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&csv, "po-%d,%s,%s\n", i, amount, btcAddr(i))
	}
	provider := `provider "wllxpay" { sandbox = true }`
	if endpoint != "" {
		provider = fmt.Sprintf(`provider "wllxpay" {
  endpoint   = %q
  api_key    = "wllxpay-test-key"
  secret_key = "wllxpay-test-secret"
  timeout    = "2s"
}`, endpoint)
	}
	return map[string]string{
		"main.hcl": provider + `
payout "batch" {
  for_each   = { for r in csvdecode(file("payouts.csv")) : r.foreign_id => r }
  foreign_id = each.key
  currency   = "BTC"
  amount     = each.value.amount
  address    = each.value.address
}
`,
		"payouts.csv": csv.String(),
	}
}

func openStore(t testing.TB, path string) *state.Store {
	t.Helper()
	st, err := state.Open(context.Background(), &state.Local{Path: path}, state.Options{Operation: "test", Actor: "tester", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

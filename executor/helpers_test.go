package executor

import (
	"context"

	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/payform/payform/money"
	"github.com/payform/payform/planner"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/gateways"
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

// loadConfigDiags loads one main.hcl and returns its diagnostics.
func loadConfigDiags(t testing.TB, dir, config string) (*schema.Config, hcl.Diagnostics) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return schema.Load(schema.Options{Dir: dir, Gateways: []providers.Gateway{wllxpay.Gateway}})
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

// sandbox is a sandbox server over real HTTP.
type sandbox struct {
	*httptest.Server
	srv *emulator.Server
}

func newSandbox(t testing.TB, faults string) *sandbox {
	t.Helper()
	f, err := emulator.ParseFaults(faults)
	if err != nil {
		t.Fatal(err)
	}
	srv, closer, err := gateways.NewSandboxServer(gateways.SandboxOptions{Faults: f})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); closer.Close() })
	return &sandbox{Server: hs, srv: srv}
}

func (s *sandbox) endpoint() string { return s.URL + wllxpay.Gateway.SandboxPath }

// keyCounts counts ledger objects per (kind, key).
func (s *sandbox) keyCounts() map[string]int {
	out := map[string]int{}
	for _, o := range s.srv.Ledger() {
		out[o.Kind+" "+o.Key]++
	}
	return out
}

func openStore(t testing.TB, path string) *state.Store {
	t.Helper()
	st, err := state.Open(context.Background(), &state.Local{Path: path}, state.Options{Operation: "test", Actor: "tester", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// openProviders opens the configuration's providers with fast retries.
func openProviders(t testing.TB, cfg *schema.Config, dir string) map[string]providers.Provider {
	t.Helper()
	out := map[string]providers.Provider{}
	for _, p := range cfg.Providers {
		prov, closer, err := gateways.Open(gateways.Spec{
			Gateway: p.Gateway, Name: p.Name(), Endpoint: p.Endpoint, Credentials: p.Credentials,
			Options: p.Options, Timeout: p.Timeout, Sandbox: p.Sandbox, SandboxDir: filepath.Join(dir, ".payform", "sandbox"),
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { closer.Close() })
		out[p.Name()] = prov
	}
	return out
}

// instant is a backoff that does not wait.
var instant = providers.Backoff{Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }}

// planAndApply plans against the store and applies, returning both.
func planAndApply(t testing.TB, cfg *schema.Config, store *state.Store, provs map[string]providers.Provider) (*planner.Plan, *Result) {
	t.Helper()
	obs, diags := Refresh(context.Background(), cfg, store.State(), provs, 10)
	if diags.HasErrors() {
		t.Fatalf("refresh: %s", diags.Error())
	}
	p, diags := planner.MakePlan(cfg, store.State(), obs, planner.Options{PlanID: state.NewID(), Now: time.Now()})
	if diags.HasErrors() {
		t.Fatalf("plan: %s", diags.Error())
	}
	x := &Executor{Store: store, Providers: provs, Parallelism: 10, Backoff: instant}
	res, err := x.Apply(context.Background(), p)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return p, res
}

// step is one planned action, as tests compare them.
type step struct {
	Address string
	Action  planner.Action
}

const sandboxProvider = `provider "wllxpay" { sandbox = true }` + "\n"

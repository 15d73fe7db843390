package planner

import (
	"testing"

	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/payform/payform/state"
)

// Outputs that name a declared block evaluate before the state holds any of
// it (every item still in doubt, or nothing applied yet): a pool is an empty
// map, a payout without for_each has null attributes.
func TestOutputsOfBlocksNotInState(t *testing.T) {
	cfg := loadConfig(t, t.TempDir(), map[string]string{"main.hcl": sandboxProvider + payoutBlock("a", "k-a", "0.5", btcAddr(1)) + `
deposit_address_pool "customers" {
  currencies  = ["BTC"]
  foreign_ids = ["cust-1"]
}
output "pool" { value = deposit_address_pool.customers }
output "payout_id" { value = payout.a.id }
output "payout_to" { value = payout.a.address }
`})
	data := OutputData(state.New("l", "s"), cfg.Resources)
	want := map[string]string{"pool": `{}`, "payout_id": `null`, "payout_to": `null`}
	for name, w := range want {
		v, diags := cfg.EvalOutput(cfg.Output(name), data)
		if diags.HasErrors() {
			t.Errorf("output %s: %s", name, diags.Error())
			continue
		}
		got, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != w {
			t.Errorf("output %s = %s, want %s", name, got, w)
		}
	}
}

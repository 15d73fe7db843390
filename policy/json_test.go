package policy

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers"
)

// TestResultJSON: a result survives its JSON form (plan files carry it),
// each finding with the fields of its rule only.
func TestResultJSON(t *testing.T) {
	btc := addr(t, "BTC", "a")
	cfg := config(t, `policy "treasury" {
  per_item   = { BTC = "1" }
  per_plan   = { BTC = "1" }
  over_limit = "approve"
  rolling {
    window = "7d"
    limit  = { BTC = "2" }
  }
  destinations {
    deny = "sdn.csv"
  }
  approvals {
    signers  = "allowed_signers"
    required = 1
    always   = true
  }
}
`, "sdn.csv", addr(t, "BTC", "sdn")+",SDN\n")
	in := []Item{item("wllxpay", "a", "BTC", "1.5", btc), item("wllxpay", "b", "BTC", "0.1", addr(t, "BTC", "sdn"))}
	sent := []Sent{{Provider: "wllxpay", Gateway: "wllxpay", Kind: providers.Payout, Key: "x", Amount: dec("1"), Currency: "BTC", At: t0.Add(-time.Hour)}}
	r := Evaluate(Input{Config: cfg, Items: in, Sent: sent, Now: t0})
	first, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(first, &back); err != nil {
		t.Fatal(err)
	}
	again, err := json.Marshal(&back)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(first), string(again)); diff != "" {
		t.Errorf("JSON round trip (-first +again):\n%s", diff)
	}
	if diff := cmp.Diff(r.Verdicts, back.Verdicts, cmpDecimal, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	checkGolden(t, "verdicts.json", jsonOf(t, r.Verdicts))
}

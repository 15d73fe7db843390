package policy_test

import (
	"fmt"
	"time"

	"github.com/payform/payform/policy"
	"github.com/payform/payform/providers/gateways"
	"github.com/payform/payform/schema"
)

// Evaluate the policies of examples/controls on a plan that creates every
// payout, with nothing sent before.
func ExampleEvaluate() {
	cfg, diags := schema.Load(schema.Options{Dir: "../examples/controls", Gateways: gateways.All()})
	if diags.HasErrors() {
		fmt.Println(diags)
		return
	}
	var items []policy.Item
	for _, r := range cfg.Resources {
		items = append(items, policy.ItemOf(r))
	}
	r := policy.Evaluate(policy.Input{Config: cfg, Items: items, Now: time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)})
	for _, s := range r.Sections {
		fmt.Printf("policy %s governs %d payouts:\n", s.Policy, s.Items)
		for _, t := range s.Totals {
			fmt.Printf("  %s %s through %v\n", t.Amount, t.Currency, t.Providers)
		}
		for _, l := range s.Lines {
			fmt.Println("  " + l.Text())
		}
	}
	for _, a := range r.Approvals {
		fmt.Printf("needs %d approvals from %s (%v)\n", a.Required, a.SignersFile, a.Rules)
	}
	fmt.Println("refused:", r.Refused())
	// Output:
	// policy treasury governs 7 payouts:
	//   0.785 BTC through [wllxpay]
	//   1.92 ETH through [wllxpay]
	//   435.75 USDTT through [wllxpay]
	//   1 BTC payout to a destination not in the address book, bc1qhut99pcyqehk99ltzny0mase3vfnzhvfzl6xue: needs approval
	//   1 item of 0.75 BTC over the per_item limit of 0.5 BTC: needs approval
	// needs 2 approvals from allowed_signers ([unknown_destination per_item])
	// refused: false
}

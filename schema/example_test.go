package schema_test

import (
	"fmt"
	"os"

	"github.com/hashicorp/hcl/v2"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/wllxpay"
	"github.com/payform/payform/schema"
)

// Load reads every *.hcl file of a directory and expands for_each into
// one resource instance per merchant key. --var month=2026-12 changes
// every foreign_id.
func ExampleLoad() {
	cfg, diags := schema.Load(schema.Options{
		Dir:      "testdata/example",
		Vars:     []string{"month=2026-12"},
		Gateways: []providers.Gateway{wllxpay.Gateway},
	})
	if diags.HasErrors() {
		// The CLI renders diagnostics with source snippets.
		w := hcl.NewDiagnosticTextWriter(os.Stderr, cfg.Files, 80, false)
		_ = w.WriteDiagnostics(diags)
		return
	}
	for _, r := range cfg.Resources {
		fmt.Printf("%s via %s: %s %s to %s", r.Addr, r.Provider.Name(), r.Amount, r.Currency, r.Attrs["address"])
		if tag := r.Attrs["tag"]; tag != "" {
			fmt.Printf(" tag %s", tag)
		}
		fmt.Println()
	}
	// Output:
	// payout.vendor["acme-2026-12"] via wllxpay: 0.015 BTC to bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv
	// payout.vendor["globex-2026-12"] via wllxpay: 12.5 XRP to rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh tag 40213
	// payout.vendor["initech-2026-12"] via wllxpay: 120.5 USDTT to TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t
}

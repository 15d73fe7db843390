package cmd

import (
	"github.com/rogpeppe/go-internal/testscript"
)

// ledgerid VAR GATEWAY KEY: set $VAR to the id of the one object GATEWAY
// holds under KEY (the sandbox's ledger is the referee of which id a
// message must name).
func cmdLedgerID(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 || neg {
		ts.Fatalf("usage: ledgerid VAR GATEWAY KEY")
	}
	var ids []string
	for _, o := range fetchLedger(ts, ts.Getenv("SANDBOX_ADDR")) {
		if o.Gateway == args[1] && o.Key == args[2] {
			ids = append(ids, o.ID)
		}
	}
	if len(ids) != 1 {
		ts.Fatalf("%s holds %d objects with key %q (%v), want 1", args[1], len(ids), args[2], ids)
	}
	ts.Setenv(args[0], ids[0])
}

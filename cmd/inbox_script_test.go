package cmd

import (
	"bytes"
	"os"
	"strconv"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// waitlines FILE N: wait (up to 10 s) until FILE has at least N complete
// lines (a callback inbox holding N items).
func cmdWaitLines(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: waitlines FILE N")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if data, err := os.ReadFile(ts.MkAbs(args[0])); err == nil && bytes.Count(data, []byte("\n")) >= n {
			return
		}
	}
	ts.Fatalf("%s did not reach %d lines", args[0], n)
}

package cmd

import (
	"bytes"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
)

// TestEventDiagnostics checks diagnostic events against Terraform's
// shape: the range's start and end, the snippet with its context and
// highlight, an empty range widened to one character, and a diagnostic
// without a source.
func TestEventDiagnostics(t *testing.T) {
	src := "provider \"wllxpay\" {\n  api_key = \"k\"\n}\n\npayout \"vendor\" {\n  amount   = \"0.01\"\n  currency = \"BTC\"\n  address  = 42 +\n}\n"
	parser := hclparse.NewParser()
	f, diags := parser.ParseHCL([]byte(src), "main.hcl")
	if !diags.HasErrors() {
		t.Fatal("the source parsed: the test needs a syntax error")
	}
	body := f.Body.(interface{ Range() hcl.Range }).Range()
	amount := hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: 6, Column: 14, Byte: 71}, End: hcl.Pos{Line: 6, Column: 20, Byte: 77}}
	block := hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: 5, Column: 1, Byte: 40}, End: hcl.Pos{Line: 9, Column: 2, Byte: 116}}
	if got := src[amount.Start.Byte:amount.End.Byte]; got != `"0.01"` {
		t.Fatalf("the amount's range holds %q", got)
	}
	diags = append(diags,
		&hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Amount below the gateway's minimum", Detail: "WllxPay sends at least 0.02 BTC.", Subject: &amount, Context: &block},
		&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Empty range", Subject: &hcl.Range{Filename: "main.hcl", Start: amount.Start, End: amount.Start}},
		&hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "No source", Detail: "A diagnostic about nothing in a file."},
		&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Another file", Subject: &hcl.Range{Filename: "gone.hcl", Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 2, Byte: 1}}},
	)
	if body.Filename != "main.hcl" {
		t.Fatalf("body range %v", body)
	}
	var b bytes.Buffer
	e := newEvents(&b, func() time.Time { return t0 })
	e.diagnostics(parser.Files(), diags)
	golden(t, "events_diagnostics", b.Bytes())

	// The highlight offsets point into the snippet's code at the range.
	d := newDiagnostic(parser.Files(), diags[1])
	if s := d.Snippet; s == nil || s.Code[s.HighlightStartOffset:s.HighlightEndOffset] != `"0.01"` || s.StartLine != 5 || *s.Context != `payout "vendor"` {
		t.Errorf("snippet %+v", s)
	}
}

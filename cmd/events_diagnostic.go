package cmd

import (
	"bufio"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcled"
)

// jsonDiagnostic is a diagnostic event's diagnostic, in the shape of
// Terraform's machine-readable UI (and terraform validate -json): the
// highlighted range, its start and end, and the snippet of source it is
// in.
type jsonDiagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	// Address is the resource instance an apply error is about.
	Address string       `json:"address,omitempty"`
	Range   *diagRange   `json:"range,omitempty"`
	Snippet *diagSnippet `json:"snippet,omitempty"`
}

// diagPos is a position: line and column from 1 (the column counts
// characters), byte from 0.
type diagPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// diagRange is the highlighted source: start inclusive, end exclusive.
type diagRange struct {
	Filename string  `json:"filename"`
	Start    diagPos `json:"start"`
	End      diagPos `json:"end"`
}

// diagSnippet is the source around a diagnostic: the whole lines of its
// context, where they start, and where in them the highlight is.
type diagSnippet struct {
	// Context names the block the diagnostic is in, e.g.
	// `payout "vendor"`; null when there is none.
	Context              *string `json:"context"`
	Code                 string  `json:"code"`
	StartLine            int     `json:"start_line"`
	HighlightStartOffset int     `json:"highlight_start_offset"`
	HighlightEndOffset   int     `json:"highlight_end_offset"`
	// Values is always empty: payform does not describe the values an
	// expression saw. It is there, as in Terraform, so that readers need
	// not check for it.
	Values []diagValue `json:"values"`
}

type diagValue struct {
	Traversal string `json:"traversal"`
	Statement string `json:"statement"`
}

// maxSnippet bounds a snippet's code: a source line can hold a 10 MB
// string, and one event must not (the terminal's rendering cuts lines at
// maxDiagLine for the same reason).
const maxSnippet = 4 * maxDiagLine

func pos(p hcl.Pos) diagPos { return diagPos{Line: p.Line, Column: p.Column, Byte: p.Byte} }

// newDiagnostic describes d, with its snippet when files holds its file.
func newDiagnostic(files map[string]*hcl.File, d *hcl.Diagnostic) jsonDiagnostic {
	out := jsonDiagnostic{Severity: "error", Summary: d.Summary, Detail: d.Detail}
	if d.Severity == hcl.DiagWarning {
		out.Severity = "warning"
	}
	if d.Subject == nil {
		return out
	}
	highlight := *d.Subject
	if highlight.End == (hcl.Pos{}) {
		highlight.End = highlight.Start // a subject without an end
	}
	snippet := highlight
	if d.Context != nil {
		snippet = hcl.RangeOver(*d.Context, highlight)
	}
	// An empty range highlights nothing: take the character after it.
	for _, r := range []*hcl.Range{&highlight, &snippet} {
		if r.Empty() {
			r.End.Byte++
			r.End.Column++
		}
	}
	out.Range = &diagRange{Filename: highlight.Filename, Start: pos(highlight.Start), End: pos(highlight.End)}
	f := files[highlight.Filename]
	if f == nil || f.Bytes == nil {
		return out
	}
	s := &diagSnippet{StartLine: snippet.Start.Line, Values: []diagValue{}}
	if c := hcled.ContextString(f, highlight.Start.Byte-1); c != "" {
		s.Context = &c
	}
	var code strings.Builder
	codeStart := -1
	sc := hcl.NewRangeScanner(f.Bytes, highlight.Filename, bufio.ScanLines)
	for sc.Scan() {
		line := sc.Range()
		if !line.Overlaps(snippet) {
			continue
		}
		if codeStart < 0 {
			codeStart = line.Start.Byte
		}
		code.Write(line.SliceBytes(f.Bytes))
		code.WriteByte('\n')
	}
	s.Code = strings.TrimSuffix(code.String(), "\n")
	if len(s.Code) > maxSnippet {
		cut := maxSnippet
		for cut > 0 && !utf8.RuneStart(s.Code[cut]) {
			cut--
		}
		s.Code = s.Code[:cut]
	}
	start := highlight.Start.Byte - max(codeStart, 0)
	end := start + highlight.End.Byte - highlight.Start.Byte
	s.HighlightStartOffset = min(max(start, 0), len(s.Code))
	s.HighlightEndOffset = min(max(end, 0), len(s.Code))
	out.Snippet = s
	return out
}

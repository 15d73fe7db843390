package cmd

import (
	"bytes"
	"io"
	"unicode/utf8"

	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// maxShownDiags bounds how many diagnostics of each severity are printed.
const maxShownDiags = 25

// renderDiags prints diagnostics with source snippets, errors first,
// capped per severity with a count of the rest.
func (a *app) renderDiags(files map[string]*hcl.File, diags hcl.Diagnostics) {
	if len(diags) == 0 {
		return
	}
	w := hcl.NewDiagnosticTextWriter(&lineCap{w: a.ios.ErrOut, max: maxDiagLine}, files, uint(a.ios.Width()), a.ios.errColor)
	for _, sev := range []hcl.DiagnosticSeverity{hcl.DiagError, hcl.DiagWarning} {
		shown, total := 0, 0
		for _, d := range diags {
			if d.Severity != sev {
				continue
			}
			total++
			if shown < maxShownDiags {
				_ = w.WriteDiagnostic(d)
				shown++
			}
		}
		if total > shown {
			what := "errors"
			if sev == hcl.DiagWarning {
				what = "warnings"
			}
			fmt.Fprintf(a.ios.ErrOut, "\n... and %d more %s (%d in all).\n", total-shown, what, total)
		}
	}
	fmt.Fprintln(a.ios.ErrOut)
}

// maxDiagLine bounds one printed line of a diagnostic: a source line can
// hold a 10 MB string, and its snippet must not flood the terminal.
const maxDiagLine = 400

// lineCap writes through to w, cutting every line after max bytes (with
// an ellipsis, never inside a UTF-8 sequence).
type lineCap struct {
	w   io.Writer
	max int
	col int  // bytes of the current line written
	cut bool // the rest of the current line is being dropped
}

func (c *lineCap) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		line := p
		nl := false
		if i := bytes.IndexByte(p, '\n'); i >= 0 {
			line, nl = p[:i], true
			p = p[i+1:]
		} else {
			p = nil
		}
		switch {
		case c.cut:
		case c.col+len(line) > c.max:
			keep := c.max - c.col
			for keep > 0 && !utf8.RuneStart(line[keep]) {
				keep--
			}
			if _, err := c.w.Write(append(line[:keep:keep], "…"...)); err != nil {
				return n, err
			}
			c.cut = true
		default:
			if _, err := c.w.Write(line); err != nil {
				return n, err
			}
			c.col += len(line)
		}
		if nl {
			if _, err := c.w.Write([]byte{'\n'}); err != nil {
				return n, err
			}
			c.col, c.cut = 0, false
		}
	}
	return n, nil
}

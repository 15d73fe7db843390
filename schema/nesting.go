package schema

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// maxNesting bounds how deep brackets may nest in a configuration file, a
// variable file or a --var value. HCL's parser recurses once per level,
// and 200,000 levels end the process with a stack overflow rather than a
// diagnostic; no configuration a person writes nests a thousand deep.
const maxNesting = 1000

// checkNesting returns a diagnostic naming the line where src nests
// brackets deeper than maxNesting, nil when it does not. It counts every
// ( [ { against every ) ] }, inside strings too: a string that opens a
// thousand brackets it never closes is refused with the rest.
func checkNesting(filename string, src []byte) *hcl.Diagnostic {
	depth, line, col := 0, 1, 0
	for _, c := range src {
		col++
		switch c {
		case '\n':
			line, col = line+1, 0
		case '(', '[', '{':
			if depth++; depth > maxNesting {
				pos := hcl.Pos{Line: line, Column: col}
				return &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Configuration nested too deep",
					Detail:   fmt.Sprintf("%s nests brackets more than %d deep; payform refuses it rather than run out of stack. Flatten the expression, or put bulk data in a CSV or JSON file and read it with file().", filename, maxNesting),
					Subject:  &hcl.Range{Filename: filename, Start: pos, End: pos},
				}
			}
		case ')', ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}

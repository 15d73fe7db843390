package cmd

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// align is a column's alignment.
type align int

const (
	left align = iota
	right
	decimalPoint // numbers aligned on their decimal point
)

// table renders rows with per-column alignment; money columns line up on
// the decimal point so that amounts can be compared at a glance.
type table struct {
	indent string
	aligns []align
	rows   [][]string
}

func newTable(indent string, aligns ...align) *table { return &table{indent: indent, aligns: aligns} }

func (t *table) row(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(w io.Writer) {
	n := len(t.aligns)
	width := make([]int, n)
	intW := make([]int, n)  // decimal columns: width of the integer part
	fracW := make([]int, n) // and of the fraction, point included
	for ri, r := range t.rows {
		for i, c := range r {
			if t.aligns[i] == decimalPoint && ri > 0 {
				ip, fp := splitDecimal(c)
				intW[i] = max(intW[i], len(ip))
				fracW[i] = max(fracW[i], len(fp))
			}
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	for i := range width {
		if t.aligns[i] == decimalPoint {
			width[i] = max(width[i], intW[i]+fracW[i])
		}
	}
	for ri, r := range t.rows {
		var b strings.Builder
		b.WriteString(t.indent)
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			pad := width[i] - utf8.RuneCountInString(c)
			switch {
			case t.aligns[i] == decimalPoint && ri > 0:
				ip, fp := splitDecimal(c)
				cell := strings.Repeat(" ", intW[i]-len(ip)) + ip + fp + strings.Repeat(" ", fracW[i]-len(fp))
				b.WriteString(strings.Repeat(" ", width[i]-len(cell)) + cell)
			case t.aligns[i] == left || t.aligns[i] == decimalPoint: // headers of decimal columns too
				b.WriteString(c)
				if i < len(r)-1 {
					b.WriteString(strings.Repeat(" ", pad))
				}
			default:
				b.WriteString(strings.Repeat(" ", pad) + c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// splitDecimal splits "12.50" into "12" and ".50".
func splitDecimal(s string) (string, string) {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

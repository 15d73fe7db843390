package report

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Chart is a bar chart of one currency's days, laid out for an inline SVG:
// for each day a group of bars, one per series that has any amount, each
// as high as its amount against the largest. Coordinates are in the
// SVG's user units, computed with integers and decimals (no floats touch
// an amount).
type Chart struct {
	Width, Height int
	Base          int    // the y of the axis
	Max           string // the largest bar's amount, the axis's top
	Series        []Series
	Bars          []Bar
	Labels        []Label
}

// Series is one kind of bar, for the legend.
type Series struct {
	Name  string // "sent", "invoiced", "paid"
	Total string // its total over the span
}

// Bar is one rectangle. X and W are in tenths of a unit (SVG accepts
// decimals; Coord renders them).
type Bar struct {
	X, W   Coord
	Y, H   int
	Series string
	Title  string // the exact amount, shown on hover
}

// Label is a day's name under the axis.
type Label struct {
	X      Coord
	Text   string
	Anchor string // start | middle | end
}

// Coord is a length in tenths of an SVG unit.
type Coord int

// String renders c in units, with one decimal when it has one.
func (c Coord) String() string {
	if c%10 == 0 {
		return fmt.Sprint(int(c / 10))
	}
	return fmt.Sprintf("%d.%d", c/10, c%10)
}

// Chart geometry, in SVG units.
const (
	chartWidth  = 440
	chartHeight = 136
	chartTop    = 18 // room for the axis's top label
	chartBase   = 116
)

// newChart lays out a currency's days.
func newChart(currency string, days []DayTotals) Chart {
	c := Chart{Width: chartWidth, Height: chartHeight, Base: chartBase}
	if len(days) == 0 {
		return c
	}
	type series struct {
		name  string
		of    func(DayTotals) Sum
		total decimal.Decimal
	}
	all := []series{
		{name: flowSent, of: func(d DayTotals) Sum { return d.Sent }},
		{name: flowInvoiced, of: func(d DayTotals) Sum { return d.Invoiced }},
		{name: flowPaid, of: func(d DayTotals) Sum { return d.Paid }},
	}
	var present []series
	maxAmount := decimal.Zero
	for _, s := range all {
		for _, d := range days {
			a := s.of(d).Amount
			s.total = s.total.Add(a)
			if a.GreaterThan(maxAmount) {
				maxAmount = a
			}
		}
		if s.total.IsPositive() {
			present = append(present, s)
			c.Series = append(c.Series, Series{Name: s.name, Total: s.total.String() + " " + currency})
		}
	}
	if len(present) == 0 {
		return c
	}
	c.Max = maxAmount.String() + " " + currency
	n := len(days)
	group := Coord(chartWidth * 10 / n) // one day's width
	pad := max(group/8, 1)              // space between days
	bar := (group - 2*pad) / Coord(len(present))
	height := decimal.NewFromInt(chartBase - chartTop)
	for i, d := range days {
		x0 := Coord(i)*group + pad
		for k, s := range present {
			sum := s.of(d)
			if !sum.Amount.IsPositive() {
				continue
			}
			h := int(sum.Amount.Mul(height).Div(maxAmount).IntPart())
			h = max(h, 1) // a small amount still shows
			c.Bars = append(c.Bars, Bar{
				X: x0 + Coord(k)*bar, W: max(bar-1, 1), Y: chartBase - h, H: h, Series: s.name,
				Title: fmt.Sprintf("%s: %s %s %s (%d)", d.Day, s.name, sum.Amount, currency, sum.Count),
			})
		}
	}
	c.Labels = append(c.Labels, Label{X: 0, Text: days[0].Day, Anchor: "start"})
	if n >= 3 {
		c.Labels = append(c.Labels, Label{X: Coord(n/2)*group + group/2, Text: days[n/2].Day, Anchor: "middle"})
	}
	if n >= 2 {
		c.Labels = append(c.Labels, Label{X: chartWidth * 10, Text: days[n-1].Day, Anchor: "end"})
	}
	return c
}

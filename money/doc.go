// Package money knows currencies: each one's precision and chain, exact
// amount parsing (shopspring/decimal, never float64), and address
// validation per chain. It is a leaf: schema/, providers and their
// emulators use it; it uses none of them.
package money

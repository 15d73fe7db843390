// Package money knows currencies: each one's precision and chain, exact
// amount parsing (shopspring/decimal, never float64), and addresses per
// chain. ValidateAddress checks an address's format, checksum and network
// and says why one is refused in an *AddressError; GenerateAddress and
// GenerateTag derive valid, deterministic addresses and destination tags
// from caller-supplied entropy for emulators and tests. Format writes an
// amount for people (its scale as written, cents for fiat and pegged
// tokens, thousands grouped). It does not know
// whether an address exists on chain or who controls it. It is a leaf:
// schema/, providers and their emulators use it; it uses none of them.
package money

package money

import (
	"fmt"
	"strings"
)

// MaxAddressLength bounds an address before any decoding is attempted. The
// longest address payform accepts (a Cardano base address) is 103
// characters.
const MaxAddressLength = 128

// AddressError says why an address is not valid for a currency. Reason is
// a short lower-case phrase meant for a treasury operator, such as
// "bad checksum" or "wrong network prefix".
type AddressError struct {
	Currency string
	Reason   string
}

func (e *AddressError) Error() string {
	return fmt.Sprintf("not a valid %s address: %s", e.Currency, e.Reason)
}

// Reasons shared by several chains. Chain-specific reasons are written
// where they are detected.
const (
	reasonEmpty      = "empty"
	reasonWhitespace = "has leading or trailing whitespace"
	reasonTooLong    = "longer than 128 characters"
	reasonTooShort   = "too short"
	reasonChecksum   = "bad checksum"
	reasonNetwork    = "wrong network prefix"
	reasonLength     = "wrong length"
	reasonMixedCase  = "mixes upper and lower case"
	reasonPadding    = "bad padding"
)

// reasonChar names the first character no decoder could accept, quoted
// as Go does (invalid character 'o'), so blanks and control characters
// show.
func reasonChar(r rune) string { return fmt.Sprintf("invalid character %q", r) }

// ValidateAddress checks that address is well-formed for the currency's
// chain, including its checksum and network. It returns an *AddressError
// for a malformed address or a fiat currency, and a plain error for an
// unknown currency.
//
// Accepted formats, per chain:
//
//	bitcoin   base58check P2PKH "1..." and P2SH "3..."; bech32 v0 and
//	          bech32m v1-v16 segwit "bc1..." (BIP-173, BIP-350)
//	litecoin  base58check "L...", "M...", "3..."; segwit "ltc1..."
//	bch       base58check "1...", "3..."; cashaddr "bitcoincash:q..."
//	          (P2PKH) or "p..." (P2SH, P2SH32), prefix optional
//	dogecoin  base58check "D...", "9..." and "A..."
//	ethereum  "0x" + 40 hex digits; mixed case must pass EIP-55
//	tron      base58check "T..." (version 0x41)
//	ripple    classic "r..." addresses (not X-addresses)
//	cardano   Shelley payment addresses "addr1..." (CIP-19)
func ValidateAddress(currency, address string) error {
	cur, ok := Lookup(currency)
	if !ok {
		return fmt.Errorf("unknown currency %q", currency)
	}
	if cur.Fiat {
		return &AddressError{Currency: currency, Reason: "fiat currencies have no addresses"}
	}
	check, ok := chainChecks[cur.Chain]
	if !ok {
		return fmt.Errorf("no address format known for %s (chain %q)", currency, cur.Chain)
	}
	if reason := checkShape(address); reason != "" {
		return &AddressError{Currency: currency, Reason: reason}
	}
	if reason := check(address); reason != "" {
		return &AddressError{Currency: currency, Reason: reason}
	}
	return nil
}

// A chainCheck returns why address is invalid on one chain, or "" if it
// is valid. It may assume checkShape has passed.
type chainCheck func(address string) string

var chainChecks = map[Chain]chainCheck{
	ChainBitcoin:  bitcoinFormat.check,
	ChainLitecoin: litecoinFormat.check,
	ChainBCH:      checkBCH,
	ChainDogecoin: dogecoinFormat.check,
	ChainEthereum: checkEthereum,
	ChainTron:     tronFormat.check,
	ChainRipple:   checkRipple,
	ChainCardano:  checkCardano,
}

// checkShape applies the rules every chain shares. Every address format
// payform knows is printable ASCII, so anything else is reported here,
// before a decoder can misreport it.
func checkShape(address string) string {
	switch {
	case address == "":
		return reasonEmpty
	case strings.TrimSpace(address) != address:
		return reasonWhitespace
	case len(address) > MaxAddressLength:
		return reasonTooLong
	}
	for _, r := range address {
		if r <= ' ' || r > '~' {
			return reasonChar(r)
		}
	}
	return ""
}

package money

import (
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil/bech32"
)

// Bitcoin Cash addresses are either legacy base58check (the same strings
// as Bitcoin's "1..." and "3...") or cashaddr: "bitcoincash:" + base32 of a
// version byte and a hash + a 40-bit BCH checksum over the prefix and
// payload. The prefix may be left out and is then implied for the
// checksum. Specification:
// https://github.com/bitcoincashorg/bitcoincash.org/blob/master/spec/cashaddr.md

const (
	cashAddrPrefix         = "bitcoincash"
	cashAddrChecksumLength = 8 // 5-bit values
)

// Cashaddr address types (the version byte's bits 3-6).
const (
	cashAddrP2PKH           = 0
	cashAddrP2SH            = 1
	cashAddrP2PKHWithTokens = 2
	cashAddrP2SHWithTokens  = 3
)

// cashAddrHashSizes maps the version byte's low three bits to the hash
// length in bytes.
var cashAddrHashSizes = [8]int{20, 24, 28, 32, 40, 48, 56, 64}

func checkBCH(address string) string {
	lower := strings.ToLower(address)
	if strings.Contains(address, ":") || strings.HasPrefix(lower, "q") || strings.HasPrefix(lower, "p") {
		return checkCashAddr(address)
	}
	return legacyBCHFormat.check(address)
}

func checkCashAddr(address string) string {
	if strings.ToLower(address) != address && strings.ToUpper(address) != address {
		return reasonMixedCase
	}
	prefix, payload, found := strings.Cut(strings.ToLower(address), ":")
	if !found {
		prefix, payload = cashAddrPrefix, prefix
	} else if prefix != cashAddrPrefix {
		return reasonNetwork // bchtest:, bchreg:, or another chain's prefix
	}
	values := make([]byte, len(payload))
	for i := 0; i < len(payload); i++ {
		v := strings.IndexByte(bech32Charset, payload[i])
		if v < 0 {
			return reasonChar(rune(payload[i]))
		}
		values[i] = byte(v)
	}
	if len(values) <= cashAddrChecksumLength {
		return reasonTooShort
	}
	if cashAddrPolymod(prefix, values) != 0 {
		return reasonChecksum
	}
	data, err := bech32.ConvertBits(values[:len(values)-cashAddrChecksumLength], 5, 8, false)
	if err != nil {
		return reasonPadding
	}
	if len(data) == 0 {
		return reasonTooShort
	}
	version, hash := data[0], data[1:]
	if len(hash) != cashAddrHashSizes[version&0x07] {
		return reasonLength
	}
	switch addrType := version >> 3; {
	case addrType == cashAddrP2PKH && len(hash) == 20:
		return ""
	case addrType == cashAddrP2SH && (len(hash) == 20 || len(hash) == 32):
		return ""
	case addrType == cashAddrP2PKH || addrType == cashAddrP2SH:
		return "unsupported hash length"
	case addrType == cashAddrP2PKHWithTokens || addrType == cashAddrP2SHWithTokens:
		return "token-aware (z/r) addresses are not accepted"
	default:
		return "unknown address type"
	}
}

// encodeCashAddr writes a cashaddr with its prefix, for a type and a hash
// whose length is one of cashAddrHashSizes.
func encodeCashAddr(prefix string, addrType byte, hash []byte) (string, error) {
	sizeBits := -1
	for i, n := range cashAddrHashSizes {
		if n == len(hash) {
			sizeBits = i
		}
	}
	if sizeBits < 0 {
		return "", fmt.Errorf("cashaddr: no size code for a %d-byte hash", len(hash))
	}
	values, err := bech32.ConvertBits(append([]byte{addrType<<3 | byte(sizeBits)}, hash...), 8, 5, true)
	if err != nil {
		return "", err
	}
	mod := cashAddrPolymod(prefix, append(values, make([]byte, cashAddrChecksumLength)...))
	for i := range cashAddrChecksumLength {
		values = append(values, byte(mod>>(5*(cashAddrChecksumLength-1-i)))&0x1f)
	}
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteByte(':')
	for _, v := range values {
		b.WriteByte(bech32Charset[v])
	}
	return b.String(), nil
}

// cashAddrPolymod is the cashaddr BCH code over GF(2^5): the prefix's low
// five bits per character, a zero separator, then values. A string with a
// valid checksum gives 0.
func cashAddrPolymod(prefix string, values []byte) uint64 {
	c := uint64(1)
	step := func(d byte) {
		c0 := byte(c >> 35)
		c = (c&0x07ffffffff)<<5 ^ uint64(d)
		if c0&0x01 != 0 {
			c ^= 0x98f2bc8e61
		}
		if c0&0x02 != 0 {
			c ^= 0x79b76d99e2
		}
		if c0&0x04 != 0 {
			c ^= 0xf33e5fb3c4
		}
		if c0&0x08 != 0 {
			c ^= 0xae2eabe2a8
		}
		if c0&0x10 != 0 {
			c ^= 0x1e4f43e470
		}
	}
	for i := 0; i < len(prefix); i++ {
		step(prefix[i] & 0x1f)
	}
	step(0)
	for _, v := range values {
		step(v)
	}
	return c ^ 1
}

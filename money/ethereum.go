package money

import (
	"encoding/hex"
	"strings"

	"golang.org/x/crypto/sha3"
)

// Ethereum addresses (and those of EVM chains such as BNB Smart Chain) are
// "0x" and 20 bytes in hex. Case carries an optional checksum (EIP-55): an
// all-lower or all-upper address is unchecked, a mixed-case one must match
// its checksum exactly.

const reasonEthereumShape = "must start with 0x followed by 40 hex digits"

func checkEthereum(address string) string {
	if len(address) != 42 || !strings.HasPrefix(address, "0x") {
		return reasonEthereumShape
	}
	digits := address[2:]
	if _, err := hex.DecodeString(digits); err != nil {
		return reasonEthereumShape
	}
	lower := strings.ToLower(digits)
	if digits == lower || digits == strings.ToUpper(digits) {
		return ""
	}
	if eip55(lower) != address {
		return reasonChecksum
	}
	return ""
}

// eip55 returns "0x" and lowerHex with each letter upper-cased where the
// matching nibble of Keccak-256(lowerHex) is 8 or more.
func eip55(lowerHex string) string {
	h := sha3.NewLegacyKeccak256()
	h.Write([]byte(lowerHex))
	sum := h.Sum(nil)
	out := []byte("0x" + lowerHex)
	for i := 0; i < len(lowerHex); i++ {
		nibble := sum[i/2] >> 4
		if i%2 == 1 {
			nibble = sum[i/2] & 0x0f
		}
		if c := lowerHex[i]; c >= 'a' && c <= 'f' && nibble >= 8 {
			out[2+i] = c - 'a' + 'A'
		}
	}
	return string(out)
}

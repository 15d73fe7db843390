package money

import (
	"strings"

	"github.com/btcsuite/btcd/btcutil/bech32"
)

// Cardano Shelley addresses (CIP-19) are bech32, without bech32's 90
// character limit, over a header byte and one or two credentials. The
// header's high nibble is the address type, its low nibble the network
// (1 for mainnet). Types 0-7 are payment addresses; 14 and 15 are stake
// (reward) addresses, which cannot receive a payment.
// https://github.com/cardano-foundation/CIPs/tree/master/CIP-0019

const (
	cardanoHRP         = "addr"
	cardanoMainnet     = 1
	cardanoHashLength  = 28 // a Blake2b-224 key or script hash
	cardanoEnterprise  = 6  // payment key hash, no stake part
	cardanoPointerMin  = 4
	cardanoPointerMax  = 5
	cardanoPaymentMax  = 7
	cardanoNaturalsMax = 10 // bytes of one pointer field; 64 bits fit in 10
)

func checkCardano(address string) string {
	if strings.HasPrefix(address, "Ae2") || strings.HasPrefix(address, "DdzFF") {
		return "legacy Byron addresses are not accepted"
	}
	lower := strings.ToLower(address)
	if !strings.HasPrefix(lower, "addr") && !strings.HasPrefix(lower, "stake") && !isBech32(address) {
		return "must start with addr1"
	}
	hrp, data, checksum, reason := decodeBech32(address)
	switch {
	case reason != "":
		return reason
	case hrp == "stake" || hrp == "stake_test":
		return "stake address, not a payment address"
	case hrp != cardanoHRP:
		return reasonNetwork
	case checksum != bech32.Version0:
		return reasonChecksum
	}
	raw, err := bech32.ConvertBits(data, 5, 8, false)
	if err != nil {
		return reasonPadding
	}
	if len(raw) == 0 {
		return reasonTooShort
	}
	header, body := raw[0], raw[1:]
	addrType, network := header>>4, header&0x0f
	if addrType > cardanoPaymentMax {
		return "not a payment address"
	}
	if network != cardanoMainnet {
		return reasonNetwork
	}
	var ok bool
	switch {
	case addrType < cardanoPointerMin: // payment and stake credentials
		ok = len(body) == 2*cardanoHashLength
	case addrType <= cardanoPointerMax: // payment credential and a pointer
		ok = len(body) > cardanoHashLength && validPointer(body[cardanoHashLength:])
	default: // payment credential only
		ok = len(body) == cardanoHashLength
	}
	if !ok {
		return reasonLength
	}
	return ""
}

// validPointer reports whether b is exactly three variable-length
// naturals (slot, transaction index, certificate index), each big-endian
// 7 bits a byte with the high bit set on all bytes but the last.
func validPointer(b []byte) bool {
	for range 3 {
		n := 0
		for {
			if len(b) == 0 || n == cardanoNaturalsMax {
				return false
			}
			c := b[0]
			b, n = b[1:], n+1
			if c&0x80 == 0 {
				break
			}
		}
	}
	return len(b) == 0
}

// encodeCardanoEnterprise writes a mainnet enterprise address (type 6) for
// a 28-byte payment key hash.
func encodeCardanoEnterprise(keyHash []byte) (string, error) {
	raw := append([]byte{cardanoEnterprise<<4 | cardanoMainnet}, keyHash...)
	values, err := bech32.ConvertBits(raw, 8, 5, true)
	if err != nil {
		return "", err
	}
	return bech32.Encode(cardanoHRP, values)
}

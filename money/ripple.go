package money

// rippleAlphabet is base58 as the XRP Ledger writes it; the checksum is the
// same double SHA-256 as Bitcoin's.
const rippleAlphabet = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz"

// rippleFormat accepts classic account addresses: version 0x00 and a
// 20-byte account ID, which always encode to "r...".
var rippleFormat = addressFormat{versions: []byte{0x00}}

// X-addresses (XLS-5) pack an account and a destination tag into one
// string. They start with two fixed bytes after which the payload is a
// 20-byte account, a flags byte and an 8-byte tag.
const xAddressPayloadLength = 1 + hash160Length + 1 + 8

func checkRipple(address string) string {
	version, payload, reason := decodeBase58Check(address, rippleAlphabet)
	if reason != "" {
		return reason
	}
	if len(payload) == xAddressPayloadLength {
		switch {
		case version == 0x05 && payload[0] == 0x44:
			return "X-addresses are not accepted; use the classic r-address and a destination tag"
		case version == 0x04 && payload[0] == 0x93:
			return reasonNetwork
		}
	}
	return rippleFormat.checkVersioned(version, payload)
}

func encodeRipple(accountID []byte) string {
	return encodeBase58Check(0x00, accountID, rippleAlphabet)
}

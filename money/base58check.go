package money

import (
	"errors"
	"strings"

	"github.com/btcsuite/btcd/btcutil/base58"
)

const bitcoinAlphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// hash160Length is the payload of every base58check address payform
// accepts: a 20-byte key, script or account hash.
const hash160Length = 20

// addressFormat describes a chain whose addresses are base58check with one
// of a few version bytes and, optionally, segwit bech32 with its own
// human-readable part.
type addressFormat struct {
	versions  []byte   // accepted base58check version bytes
	segwitHRP string   // mainnet segwit prefix; "" if the chain has no segwit
	otherHRPs []string // testnet and regtest segwit prefixes
}

var (
	bitcoinFormat = addressFormat{
		versions:  []byte{0x00, 0x05},
		segwitHRP: "bc",
		otherHRPs: []string{"tb", "bcrt"},
	}
	litecoinFormat = addressFormat{
		versions:  []byte{0x30, 0x32, 0x05},
		segwitHRP: "ltc",
		otherHRPs: []string{"tltc", "rltc"},
	}
	legacyBCHFormat = addressFormat{versions: []byte{0x00, 0x05}}
	dogecoinFormat  = addressFormat{versions: []byte{0x1e, 0x16}}
	tronFormat      = addressFormat{versions: []byte{0x41}}
)

func (f addressFormat) check(address string) string {
	if f.segwitHRP != "" {
		lower := strings.ToLower(address)
		for _, hrp := range append([]string{f.segwitHRP}, f.otherHRPs...) {
			if strings.HasPrefix(lower, hrp+"1") {
				return checkSegwit(address, f.segwitHRP)
			}
		}
	}
	if isBech32(address) {
		// Well-formed, but for another chain or network (ltc1... given
		// for BTC, bc1... given for DOGE).
		return reasonNetwork
	}
	version, payload, reason := decodeBase58Check(address, bitcoinAlphabet)
	if reason != "" {
		return reason
	}
	return f.checkVersioned(version, payload)
}

// checkVersioned checks a decoded base58check payload. A well-formed
// payload with another version byte is an address of another network
// (testnet, or a sibling chain).
func (f addressFormat) checkVersioned(version byte, payload []byte) string {
	if len(payload) != hash160Length {
		return reasonLength
	}
	for _, v := range f.versions {
		if version == v {
			return ""
		}
	}
	return reasonNetwork
}

// decodeBase58Check decodes address written in alphabet and verifies its
// 4-byte double-SHA256 checksum.
func decodeBase58Check(address, alphabet string) (version byte, payload []byte, reason string) {
	for _, r := range address {
		if !strings.ContainsRune(alphabet, r) {
			return 0, nil, reasonChar(r)
		}
	}
	if alphabet != bitcoinAlphabet {
		address = translate(address, alphabet, bitcoinAlphabet)
	}
	payload, version, err := base58.CheckDecode(address)
	switch {
	case errors.Is(err, base58.ErrChecksum):
		return 0, nil, reasonChecksum
	case err != nil:
		return 0, nil, reasonTooShort
	}
	return version, payload, ""
}

// encodeBase58Check is the inverse of decodeBase58Check.
func encodeBase58Check(version byte, payload []byte, alphabet string) string {
	s := base58.CheckEncode(payload, version)
	if alphabet != bitcoinAlphabet {
		s = translate(s, bitcoinAlphabet, alphabet)
	}
	return s
}

// translate maps each character of s from one base58 alphabet to the
// character at the same position in another. Every character of s must
// be in from.
func translate(s, from, to string) string {
	out := make([]byte, len(s))
	for i := 0; i < len(s); i++ {
		out[i] = to[strings.IndexByte(from, s[i])]
	}
	return string(out)
}

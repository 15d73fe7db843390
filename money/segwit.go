package money

import (
	"errors"

	"github.com/btcsuite/btcd/btcutil/bech32"
)

// bech32Charset is the 32-character alphabet shared by bech32, bech32m and
// cashaddr; a character's index is its 5-bit value.
const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// decodeBech32 decodes a bech32 or bech32m string of any length and says
// which checksum it carries. The human-readable part comes back lower
// case and the data as 5-bit values without the checksum.
func decodeBech32(address string) (hrp string, data []byte, v bech32.Version, reason string) {
	hrp, data, v, err := bech32.DecodeNoLimitWithVersion(address)
	if err == nil {
		return hrp, data, v, ""
	}
	var (
		mixed    bech32.ErrMixedCase
		checksum bech32.ErrInvalidChecksum
		nonChar  bech32.ErrNonCharsetChar
		badChar  bech32.ErrInvalidCharacter
	)
	switch {
	case errors.As(err, &mixed):
		return "", nil, 0, reasonMixedCase
	case errors.As(err, &checksum):
		return "", nil, 0, reasonChecksum
	case errors.As(err, &nonChar):
		return "", nil, 0, reasonChar(rune(nonChar))
	case errors.As(err, &badChar):
		return "", nil, 0, reasonChar(rune(badChar))
	default: // no separator, or fewer than 6 characters after it
		return "", nil, 0, reasonTooShort
	}
}

// isBech32 reports whether address is a well-formed bech32 or bech32m
// string with any human-readable part.
func isBech32(address string) bool {
	_, _, _, reason := decodeBech32(address)
	return reason == ""
}

// checkSegwit validates a segwit address (BIP-173, BIP-350) for the
// mainnet human-readable part hrp.
func checkSegwit(address, hrp string) string {
	gotHRP, data, checksum, reason := decodeBech32(address)
	if reason != "" {
		return reason
	}
	if gotHRP != hrp {
		return reasonNetwork
	}
	if len(data) == 0 {
		return reasonTooShort
	}
	witnessVersion := data[0]
	if witnessVersion > 16 {
		return "witness version must be 0 to 16"
	}
	program, err := bech32.ConvertBits(data[1:], 5, 8, false)
	if err != nil {
		return reasonPadding
	}
	if len(program) < 2 || len(program) > 40 {
		return "witness program must be 2 to 40 bytes"
	}
	if witnessVersion == 0 && len(program) != 20 && len(program) != 32 {
		return "version 0 witness program must be 20 or 32 bytes"
	}
	// Version 0 uses the bech32 checksum and later versions bech32m; the
	// other one is a checksum error for that version.
	want := bech32.VersionM
	if witnessVersion == 0 {
		want = bech32.Version0
	}
	if checksum != want {
		return reasonChecksum
	}
	return ""
}

// encodeSegwit writes a segwit address for a witness version and program.
func encodeSegwit(hrp string, witnessVersion byte, program []byte) (string, error) {
	conv, err := bech32.ConvertBits(program, 8, 5, true)
	if err != nil {
		return "", err
	}
	data := append([]byte{witnessVersion}, conv...)
	if witnessVersion == 0 {
		return bech32.Encode(hrp, data)
	}
	return bech32.EncodeM(hrp, data)
}

package money

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
)

// GenerateAddress returns a valid address in the currency's primary format,
// derived only from entropy: the same entropy always gives the same
// address. The key bytes are SHA-256(entropy); nobody holds a private key
// for them, so the address is for emulators and tests, never for funds.
//
//	bitcoin   bech32 P2WPKH "bc1q..."
//	litecoin  bech32 P2WPKH "ltc1q..."
//	bch       cashaddr P2PKH "bitcoincash:q..."
//	dogecoin  base58check P2PKH "D..."
//	ethereum  EIP-55 checksummed "0x..."
//	tron      base58check "T..."
//	ripple    classic "r..."
//	cardano   enterprise (type 6) "addr1v..."
func GenerateAddress(currency string, entropy []byte) (string, error) {
	cur, ok := Lookup(currency)
	if !ok {
		return "", fmt.Errorf("unknown currency %q", currency)
	}
	if cur.Fiat {
		return "", fmt.Errorf("%s is a fiat currency and has no addresses", currency)
	}
	key := sha256.Sum256(entropy)
	hash160 := key[:hash160Length]
	switch cur.Chain {
	case ChainBitcoin:
		return encodeSegwit(bitcoinFormat.segwitHRP, 0, hash160)
	case ChainLitecoin:
		return encodeSegwit(litecoinFormat.segwitHRP, 0, hash160)
	case ChainBCH:
		return encodeCashAddr(cashAddrPrefix, cashAddrP2PKH, hash160)
	case ChainDogecoin:
		return encodeBase58Check(dogecoinFormat.versions[0], hash160, bitcoinAlphabet), nil
	case ChainEthereum:
		return eip55(hex.EncodeToString(hash160)), nil
	case ChainTron:
		return encodeBase58Check(tronFormat.versions[0], hash160, bitcoinAlphabet), nil
	case ChainRipple:
		return encodeRipple(hash160), nil
	case ChainCardano:
		return encodeCardanoEnterprise(key[:cardanoHashLength])
	default:
		return "", fmt.Errorf("no address format known for %s (chain %q)", currency, cur.Chain)
	}
}

// GenerateTag returns a destination tag (an XRP memo) derived only from
// entropy: the decimal form of a uint32 other than 0, since many services
// read a zero tag as no tag.
func GenerateTag(entropy []byte) string {
	return tagFromHash(sha256.Sum256(entropy))
}

func tagFromHash(sum [sha256.Size]byte) string {
	tag := binary.BigEndian.Uint32(sum[:4])
	if tag == 0 {
		tag = 1
	}
	return strconv.FormatUint(uint64(tag), 10)
}

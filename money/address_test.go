package money

import (
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/bech32"
	"github.com/google/go-cmp/cmp"
)

// valid, as the reason of an addressCase, says the address must pass.
const valid = ""

type addressCase struct {
	currency string
	address  string
	reason   string // exact AddressError.Reason, or valid
}

func checkAddressCases(t *testing.T, cases []addressCase) {
	t.Helper()
	for _, tc := range cases {
		var want error
		if tc.reason != valid {
			want = &AddressError{Currency: tc.currency, Reason: tc.reason}
		}
		got := ValidateAddress(tc.currency, tc.address)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ValidateAddress(%q, %q) mismatch (-want +got):\n%s", tc.currency, tc.address, diff)
		}
	}
}

func TestValidateAddressCurrency(t *testing.T) {
	err := ValidateAddress("XYZ", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")
	var addrErr *AddressError
	if err == nil || errors.As(err, &addrErr) {
		t.Errorf("unknown currency: got %#v, want a plain error", err)
	}
	checkAddressCases(t, []addressCase{
		{"USD", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "fiat currencies have no addresses"},
		{"JPY", "", "fiat currencies have no addresses"},
	})
}

func TestValidateAddressShape(t *testing.T) {
	const genesis = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
	checkAddressCases(t, []addressCase{
		{"BTC", "", "empty"},
		{"BTC", " " + genesis, "has leading or trailing whitespace"},
		{"BTC", genesis + "\n", "has leading or trailing whitespace"},
		{"ETH", "\t0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "has leading or trailing whitespace"},
		{"BTC", "1A1zP1eP5QGefi2 DMPTfTL5SLmv7DivfNa", `invalid character ' '`},
		{"BTC", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNä", `invalid character 'ä'`},
		{"XRP", "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh\x00", `invalid character '\x00'`},
		{"BTC", strings.Repeat("1", 129), "longer than 128 characters"},
		{"ADA", "addr1" + strings.Repeat("q", 124), "longer than 128 characters"},
	})
}

// BIP-173 and BIP-350 test vectors, as BIP-350 classifies them, plus the
// genesis address and the BIP-13/bitcoin.it P2SH example.
func TestValidateAddressBitcoin(t *testing.T) {
	hash19 := encodeBase58Check(0x00, make([]byte, 19), bitcoinAlphabet)
	checkAddressCases(t, []addressCase{
		{"BTC", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", valid},
		{"BTC", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", valid},
		{"BTC", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", valid},
		{"BTC", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", valid},
		{"BTC", "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3", valid},
		{"BTC", "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", valid},
		{"BTC", "BC1SW50QGDZ25J", valid},
		{"BTC", "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", valid},
		{"BTC", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", valid},

		// Valid on testnet, so not here.
		{"BTC", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", "wrong network prefix"},
		{"BTC", "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c", "wrong network prefix"},
		{"BTC", "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", "wrong network prefix"},
		{"BTC", "2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc", "wrong network prefix"},

		// BIP-173 invalid addresses.
		{"BTC", "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty", "wrong network prefix"},
		{"BTC", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "bad checksum"},
		{"BTC", "BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2", "witness version must be 0 to 16"},
		{"BTC", "bc1rw5uspcuh", "witness program must be 2 to 40 bytes"},
		{"BTC", "bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90", "witness program must be 2 to 40 bytes"},
		{"BTC", "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", "version 0 witness program must be 20 or 32 bytes"},
		{"BTC", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7", "mixes upper and lower case"},
		{"BTC", "tb1pw508d6qejxtdg4y5r3zarqfsj6c3", "wrong network prefix"},

		// BIP-350 invalid addresses.
		{"BTC", "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut", "wrong network prefix"},
		{"BTC", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", "bad checksum"},
		{"BTC", "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", "bad checksum"},
		{"BTC", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", "bad checksum"},
		{"BTC", "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", `invalid character 'o'`},
		{"BTC", "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", "witness version must be 0 to 16"},
		{"BTC", "bc1pw5dgrnzv", "witness program must be 2 to 40 bytes"},
		{"BTC", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav", "witness program must be 2 to 40 bytes"},
		{"BTC", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf", "bad padding"},
		{"BTC", "bc1gmk9yu", "too short"},

		// Typos and other chains' addresses.
		{"BTC", "bc1", "too short"},
		{"BTC", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", "bad checksum"},
		{"BTC", "1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf0a", `invalid character '0'`},
		{"BTC", "1A1zP1eP5Q", "bad checksum"},
		{"BTC", hash19, "wrong length"},
		{"BTC", "LVuDpNCSSj6pQ7t9Pv6d6sUkLKoqDEVUnJ", "wrong network prefix"},
		{"BTC", "ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9", "wrong network prefix"},
		{"BTC", "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a", `invalid character ':'`},
		{"BTC", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", `invalid character '0'`},
	})
}

func TestValidateAddressLitecoin(t *testing.T) {
	checkAddressCases(t, []addressCase{
		{"LTC", "LVuDpNCSSj6pQ7t9Pv6d6sUkLKoqDEVUnJ", valid},
		{"LTC", "M7zVKQKmtV5Rc7erVGVVC3khZbXxsS5HEX", valid},
		{"LTC", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", valid}, // legacy P2SH, shared with Bitcoin
		{"LTC", "ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9", valid},
		{"LTC", "LTC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KGMN4N9", valid},

		{"LTC", "ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "bad checksum"}, // Bitcoin's checksum
		{"LTC", "tltc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qsnr4fp", "wrong network prefix"},
		{"LTC", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "wrong network prefix"},
		{"LTC", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "wrong network prefix"},
		{"LTC", "DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L", "wrong network prefix"},
		{"LTC", "LVuDpNCSSj6pQ7t9Pv6d6sUkLKoqDEVUnj", "bad checksum"},
	})
}

// The first six are the cashaddr specification's examples; the 24- and
// 32-byte P2PKH ones are from its larger test vectors, valid encodings
// whose hash length no P2PKH script uses.
func TestValidateAddressBitcoinCash(t *testing.T) {
	tokenAware, err := encodeCashAddr(cashAddrPrefix, cashAddrP2PKHWithTokens, make([]byte, 20))
	if err != nil {
		t.Fatal(err)
	}
	unknownType, err := encodeCashAddr(cashAddrPrefix, 4, make([]byte, 20))
	if err != nil {
		t.Fatal(err)
	}
	p2sh32, err := encodeCashAddr(cashAddrPrefix, cashAddrP2SH, make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	checkAddressCases(t, []addressCase{
		{"BCH", "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a", valid},
		{"BCH", "qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a", valid},
		{"BCH", "BITCOINCASH:QPM2QSZNHKS23Z7629MMS6S4CWEF74VCWVY22GDX6A", valid},
		{"BCH", "bitcoincash:ppm2qsznhks23z7629mms6s4cwef74vcwvn0h829pq", valid},
		{"BCH", "1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu", valid},
		{"BCH", "3CWFddi6m4ndiGyKqzYvsFYagqDLPVMTzC", valid},
		{"BCH", "bitcoincash:qr6m7j9njldwwzlg9v7v53unlr4jkmx6eylep8ekg2", valid},
		{"BCH", p2sh32, valid},

		{"BCH", "bitcoincash:q9adhakpwzztepkpwp5z0dq62m6u5v5xtyj7j3h2ws4mr9g0", "unsupported hash length"},
		{"BCH", "bitcoincash:qvch8mmxy0rtfrlarg7ucrxxfzds5pamg73h7370aa87d80gyhqxq5nlegake", "unsupported hash length"},
		{"BCH", "bchtest:pr6m7j9njldwwzlg9v7v53unlr4jkmx6eyvwc0uz5t", "wrong network prefix"},
		{"BCH", "pref:pr6m7j9njldwwzlg9v7v53unlr4jkmx6ey65nvtks5", "wrong network prefix"},
		{"BCH", "pr6m7j9njldwwzlg9v7v53unlr4jkmx6eyvwc0uz5t", "bad checksum"}, // bchtest: left out
		{"BCH", "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6c", "bad checksum"},
		{"BCH", "bitcoincash:qpm2qsznhks23z7629Mms6s4cwef74vcwvy22gdx6a", "mixes upper and lower case"},
		{"BCH", "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdxba", `invalid character 'b'`},
		{"BCH", "bitcoincash:bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a", `invalid character 'b'`},
		{"BCH", "bitcoincash:qqqqqqqq", "too short"},
		{"BCH", tokenAware, "token-aware (z/r) addresses are not accepted"},
		{"BCH", unknownType, "unknown address type"},
		{"BCH", "1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggv", "bad checksum"},
		{"BCH", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "wrong network prefix"},
	})
}

func TestValidateAddressDogecoin(t *testing.T) {
	checkAddressCases(t, []addressCase{
		{"DOGE", "DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L", valid},
		{"DOGE", "D5ERdEN1gsouFSs7zsq7VYJxyWP6dP28H1", valid},
		{"DOGE", "9rXbkMyi1S6thykRoXAZcY8fwUKYsy6cXE", valid}, // P2SH, version 0x16

		{"DOGE", "DH5yaieqoZN36fDVciNyRueRGvGLR3mr7l", `invalid character 'l'`},
		{"DOGE", "DH5yaieqoZN36fDVciNyRueRGvGLR3mr7M", "bad checksum"},
		{"DOGE", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "wrong network prefix"},
		{"DOGE", "LVuDpNCSSj6pQ7t9Pv6d6sUkLKoqDEVUnJ", "wrong network prefix"},
		{"DOGE", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "wrong network prefix"},
	})
}

// The four EIP-55 examples, each also with one letter's case flipped.
func TestValidateAddressEthereum(t *testing.T) {
	eip55Examples := []string{
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
		"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
		"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
	}
	var cases []addressCase
	for _, addr := range eip55Examples {
		cases = append(cases,
			addressCase{"ETH", addr, valid},
			addressCase{"ETH", flipFirstLetter(addr), "bad checksum"},
		)
	}
	const shape = "must start with 0x followed by 40 hex digits"
	checkAddressCases(t, append(cases, []addressCase{
		{"ETH", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", valid},
		{"ETH", "0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", valid},
		{"ETH", "0x0000000000000000000000000000000000000000", valid},
		{"USDTE", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", valid},
		{"USDC", "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", valid},
		{"DAI", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb", valid},
		{"USDT", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", valid},
		{"BNB-BSC", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", valid},
		{"USDTB", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", valid},

		{"ETH", "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", shape},
		{"ETH", "0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", shape},
		{"ETH", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", shape},
		{"ETH", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd", shape},
		{"ETH", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg", shape},
		{"USDC", "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7", shape},
		{"BNB-BSC", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d358", "bad checksum"}, // last digit changed
	}...))
}

// flipFirstLetter flips the case of the first hex letter after "0x".
func flipFirstLetter(addr string) string {
	b := []byte(addr)
	for i := 2; i < len(b); i++ {
		switch c := b[i]; {
		case c >= 'a' && c <= 'f':
			b[i] = c - 'a' + 'A'
			return string(b)
		case c >= 'A' && c <= 'F':
			b[i] = c - 'A' + 'a'
			return string(b)
		}
	}
	return addr
}

func TestValidateAddressTron(t *testing.T) {
	checkAddressCases(t, []addressCase{
		{"TRX", "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7", valid},
		{"USDTT", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", valid}, // the USDT contract

		{"TRX", "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU8", "bad checksum"},
		{"TRX", "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjUl", `invalid character 'l'`},
		{"USDTT", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "wrong network prefix"},
		{"USDTT", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", `invalid character '0'`},
		{"TRX", "T", "too short"},
	})
}

// The XRP Ledger's genesis account, two well-known accounts, and the
// XLS-5 X-address examples for rGWrZyQqhTp9Xu7G5Pkayo7bXjH4k4QYpf.
func TestValidateAddressRipple(t *testing.T) {
	checkAddressCases(t, []addressCase{
		{"XRP", "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", valid},
		{"XRP", "rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe", valid},
		{"XRP", "rGWrZyQqhTp9Xu7G5Pkayo7bXjH4k4QYpf", valid},
		{"XRP", "rrrrrrrrrrrrrrrrrrrrrhoLvTp", valid}, // ACCOUNT_ZERO
		{"XRP", "rrrrrrrrrrrrrrrrrrrrBZbvji", valid},  // ACCOUNT_ONE

		{"XRP", "X7AcgcsBL6XDcUb289X4mJ8djcdyKaB5hJDWMArnXr61cqZ", "X-addresses are not accepted; use the classic r-address and a destination tag"},
		{"XRP", "T719a5UwUCnEs54UsxG9CJYYDhwmFCqkr7wxCcNcfZ6p5GZ", "wrong network prefix"},
		{"XRP", "snoPBrXtMeMyMHUVTgbuqAfg1SUTb", "wrong length"}, // a secret seed
		{"XRP", "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTi", "bad checksum"},
		{"XRP", "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyT0", `invalid character '0'`},
		{"XRP", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "bad checksum"},
	})
}

// CIP-19 test vectors: every mainnet payment type (0-7), and the stake
// and testnet forms that must be refused.
func TestValidateAddressCardano(t *testing.T) {
	keyHash := make([]byte, cardanoHashLength)
	raw := func(header byte, tail ...byte) string {
		values, err := bech32.ConvertBits(append(append([]byte{header}, keyHash...), tail...), 8, 5, true)
		if err != nil {
			t.Fatal(err)
		}
		addr, err := bech32.Encode(cardanoHRP, values)
		if err != nil {
			t.Fatal(err)
		}
		return addr
	}
	const type0 = "addr1qx2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzer3n0d3vllmyqwsx5wktcd8cc3sq835lu7drv2xwl2wywfgse35a3x"
	checkAddressCases(t, []addressCase{
		{"ADA", type0, valid},
		{"ADA", strings.ToUpper(type0), valid},
		{"ADA", "addr1z8phkx6acpnf78fuvxn0mkew3l0fd058hzquvz7w36x4gten0d3vllmyqwsx5wktcd8cc3sq835lu7drv2xwl2wywfgs9yc0hh", valid},
		{"ADA", "addr1yx2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzerkr0vd4msrxnuwnccdxlhdjar77j6lg0wypcc9uar5d2shs2z78ve", valid},
		{"ADA", "addr1x8phkx6acpnf78fuvxn0mkew3l0fd058hzquvz7w36x4gt7r0vd4msrxnuwnccdxlhdjar77j6lg0wypcc9uar5d2shskhj42g", valid},
		{"ADA", "addr1gx2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzer5pnz75xxcrzqf96k", valid},
		{"ADA", "addr128phkx6acpnf78fuvxn0mkew3l0fd058hzquvz7w36x4gtupnz75xxcrtw79hu", valid},
		{"ADA", "addr1vx2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzers66hrl8", valid},
		{"ADA", "addr1w8phkx6acpnf78fuvxn0mkew3l0fd058hzquvz7w36x4gtcyjy7wx", valid},

		{"ADA", "addr_test1qz2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzer3n0d3vllmyqwsx5wktcd8cc3sq835lu7drv2xwl2wywfgs68faae", "wrong network prefix"},
		{"ADA", "addr_test1vz2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzerspjrlsz", "wrong network prefix"},
		{"ADA", "stake1uyehkck0lajq8gr28t9uxnuvgcqrc6070x3k9r8048z8y5gh6ffgw", "stake address, not a payment address"},
		{"ADA", "stake178phkx6acpnf78fuvxn0mkew3l0fd058hzquvz7w36x4gtcccycj5", "stake address, not a payment address"},
		{"ADA", type0[:len(type0)-1] + "y", "bad checksum"},
		{"ADA", "addr1", "too short"},
		{"ADA", raw(0x61), valid},
		{"ADA", raw(0x60), "wrong network prefix"},           // testnet header under "addr"
		{"ADA", raw(0x81), "not a payment address"},          // type 8 (Byron) is never bech32
		{"ADA", raw(0x61, 0x00), "wrong length"},             // enterprise with a trailing byte
		{"ADA", raw(0x01), "wrong length"},                   // base address missing its stake part
		{"ADA", raw(0x41, 0x01, 0x02, 0x83), "wrong length"}, // pointer cut short
		{"ADA", raw(0x41, 0x01, 0x02, 0x83, 0x04), valid},
		{"ADA", "Ae2tdPwUPEZFRbyhz3cpfC2CumGzNkFBN2L42rcUc2yjQpEkxDbkPodpMAi", "legacy Byron addresses are not accepted"},
		{"ADA", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "wrong network prefix"},
		{"ADA", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "must start with addr1"},
		{"ADA", "addr1Vx2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzers66hrl8", "mixes upper and lower case"},
	})
}

func FuzzValidateAddress(f *testing.F) {
	for _, seed := range []string{
		"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
		"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
		"bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a",
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh",
		"addr1gx2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzer5pnz75xxcrzqf96k",
		"bitcoincash:",
		"1",
		"",
	} {
		f.Add(seed)
	}
	// One currency per chain.
	codes := map[Chain]string{}
	for _, code := range CryptoCodes() {
		cur, _ := Lookup(code)
		codes[cur.Chain] = code
	}
	f.Fuzz(func(t *testing.T, address string) {
		for _, code := range codes {
			err := ValidateAddress(code, address)
			if err == nil {
				if strings.TrimSpace(address) != address || len(address) > MaxAddressLength {
					t.Errorf("ValidateAddress(%q, %q) accepted a malformed address", code, address)
				}
				continue
			}
			var addrErr *AddressError
			if !errors.As(err, &addrErr) || addrErr.Reason == "" || addrErr.Currency != code {
				t.Errorf("ValidateAddress(%q, %q) = %#v, want an *AddressError with a reason", code, address, err)
			}
		}
	})
}

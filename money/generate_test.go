package money

import (
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/base58"
	"github.com/btcsuite/btcd/btcutil/bech32"
	"github.com/google/go-cmp/cmp"
)

func TestGenerateAddressIsValid(t *testing.T) {
	for _, code := range CryptoCodes() {
		seen := map[string]bool{}
		for i := range 500 {
			entropy := binary.BigEndian.AppendUint32(make([]byte, i%7), uint32(i))
			addr, err := GenerateAddress(code, entropy)
			if err != nil {
				t.Fatalf("GenerateAddress(%q, %x): %v", code, entropy, err)
			}
			if err := ValidateAddress(code, addr); err != nil {
				t.Errorf("GenerateAddress(%q, %x) = %q, which does not validate: %v", code, entropy, addr, err)
			}
			if seen[addr] {
				t.Errorf("GenerateAddress(%q, %x) = %q, already generated for other entropy", code, entropy, addr)
			}
			seen[addr] = true
		}
	}
}

// The same entropy gives the same address in each chain's primary format.
// The hex of SHA-256("payform") starts b82da537d238bad3978580fc7fbf3936.
func TestGenerateAddressFormat(t *testing.T) {
	want := map[string]string{
		"ADA":     "addr1vxuzmffh6gut45uhskq0clal8ymzf5du2ea28c2gnypsnesqlm90g",
		"BCH":     "bitcoincash:qzuzmffh6gut45uhskq0clal8ymzf5du2cknq4p9v5",
		"BNB-BSC": "0xb82dA537d238bAD3978580Fc7fbf393624D1bc56",
		"BTC":     "bc1qhqk62d7j8zad89u9sr78l0eexcjdr0zkqlzz0z",
		"DAI":     "0xb82dA537d238bAD3978580Fc7fbf393624D1bc56",
		"DOGE":    "DMvwZ3yLxHa3tXQpxsYWNRLyfk42KsVJDM",
		"ETH":     "0xb82dA537d238bAD3978580Fc7fbf393624D1bc56",
		"LTC":     "ltc1qhqk62d7j8zad89u9sr78l0eexcjdr0zkyrcxhj",
		"TRX":     "TSm41rQRobniWhHrpZCfLosWhQ53DLhCUG",
		"USDC":    "0xb82dA537d238bAD3978580Fc7fbf393624D1bc56",
		"USDT":    "0xb82dA537d238bAD3978580Fc7fbf393624D1bc56",
		"USDTB":   "0xb82dA537d238bAD3978580Fc7fbf393624D1bc56",
		"USDTE":   "0xb82dA537d238bAD3978580Fc7fbf393624D1bc56",
		"USDTT":   "TSm41rQRobniWhHrpZCfLosWhQ53DLhCUG",
		"XRP":     "rH8irop6e1CmMXNNNHYAFCB48cKjrKwxgQ",
	}
	got := map[string]string{}
	for _, code := range CryptoCodes() {
		addr, err := GenerateAddress(code, []byte("payform"))
		if err != nil {
			t.Fatalf("GenerateAddress(%q): %v", code, err)
		}
		got[code] = addr
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GenerateAddress(code, \"payform\") mismatch (-want +got):\n%s", diff)
	}
}

func TestGenerateAddressRefuses(t *testing.T) {
	for _, code := range []string{"XYZ", "USD", "btc"} {
		if addr, err := GenerateAddress(code, nil); err == nil {
			t.Errorf("GenerateAddress(%q) = %q, want an error", code, addr)
		}
	}
}

// The encoders GenerateAddress uses reproduce published vectors.
func TestEncodersMatchSpecs(t *testing.T) {
	hash := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	legacyHash := func(addr string) []byte {
		payload, _, err := base58.CheckDecode(addr)
		if err != nil {
			t.Fatal(err)
		}
		return payload
	}
	cardanoKeyHash := func(addr string) []byte {
		_, raw, err := bech32.DecodeToBase256(addr)
		if err != nil {
			t.Fatal(err)
		}
		return raw[1:]
	}
	must := func(s string, err error) string {
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, tc := range []struct{ got, want string }{
		// BIP-173.
		{must(encodeSegwit("bc", 0, hash("751e76e8199196d454941c45d1b3a323f1433bd6"))), "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"},
		// BIP-350.
		{must(encodeSegwit("bc", 1, hash("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"))), "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"},
		// Cashaddr specification: legacy and cashaddr forms of one hash.
		{must(encodeCashAddr(cashAddrPrefix, cashAddrP2PKH, legacyHash("1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu"))), "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a"},
		{must(encodeCashAddr(cashAddrPrefix, cashAddrP2SH, legacyHash("3CWFddi6m4ndiGyKqzYvsFYagqDLPVMTzC"))), "bitcoincash:ppm2qsznhks23z7629mms6s4cwef74vcwvn0h829pq"},
		{must(encodeCashAddr(cashAddrPrefix, cashAddrP2PKH, hash("F5BF48B397DAE70BE82B3CCA4793F8EB2B6CDAC9"))), "bitcoincash:qr6m7j9njldwwzlg9v7v53unlr4jkmx6eylep8ekg2"},
		{must(encodeCashAddr("bchtest", cashAddrP2SH, hash("3173EF6623C6B48FFD1A3DCC0CC6489B0A07BB47A37F47CFEF4FE69DE825C060"))), "bchtest:pvch8mmxy0rtfrlarg7ucrxxfzds5pamg73h7370aa87d80gyhqxq7fqng6m6"},
		// EIP-55.
		{eip55("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"), "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"},
		{eip55("d1220a0cf47c7b9be7a2e6ba89f429762e7b9adb"), "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"},
		// Ripple: the genesis account's ID.
		{encodeRipple(hash("b5f762798a53d543a014caf8b297cff8f2f937e8")), "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh"},
		// CIP-19 type 6.
		{must(encodeCardanoEnterprise(cardanoKeyHash("addr1vx2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzers66hrl8"))), "addr1vx2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzers66hrl8"},
	} {
		if tc.got != tc.want {
			t.Errorf("encoded %q, want %q", tc.got, tc.want)
		}
	}
}

func TestGenerateTag(t *testing.T) {
	if got, want := GenerateTag([]byte("payform")), GenerateTag([]byte("payform")); got != want {
		t.Errorf("GenerateTag is not deterministic: %q then %q", got, want)
	}
	if got, want := GenerateTag([]byte("payform")), "3089999159"; got != want {
		t.Errorf("GenerateTag(\"payform\") = %q, want %q", got, want)
	}
	if got, want := tagFromHash([32]byte{}), "1"; got != want {
		t.Errorf("tagFromHash(zero) = %q, want %q", got, want)
	}
	for i := range 1000 {
		tag := GenerateTag([]byte(strconv.Itoa(i)))
		n, err := strconv.ParseUint(tag, 10, 32)
		if err != nil || n == 0 || strings.HasPrefix(tag, "0") {
			t.Errorf("GenerateTag(%q) = %q, want a decimal uint32 above 0", strconv.Itoa(i), tag)
		}
	}
}

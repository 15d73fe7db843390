package money

import "sort"

// TagRule says whether a chain needs a destination tag (memo) beside the
// address.
type TagRule int

const (
	NoTag TagRule = iota
	TagRequired
)

// Chain groups currencies that share an address format.
type Chain string

const (
	ChainNone     Chain = ""         // fiat
	ChainBitcoin  Chain = "bitcoin"  // base58check P2PKH/P2SH or bech32/bech32m bc1
	ChainLitecoin Chain = "litecoin" // L/M/3 base58check or ltc1 bech32
	ChainBCH      Chain = "bch"      // legacy base58check or cashaddr
	ChainDogecoin Chain = "dogecoin" // D/A/9 base58check
	ChainEthereum Chain = "ethereum" // 0x + 40 hex (EIP-55 checked when mixed case); also BSC
	ChainTron     Chain = "tron"     // base58check, version 0x41, "T..."
	ChainRipple   Chain = "ripple"   // ripple-alphabet base58check, "r..."
	ChainCardano  Chain = "cardano"  // bech32 addr1...
)

// Currency is one currency payform knows: its code, how many decimal
// places an amount may have, and, for crypto, its chain.
type Currency struct {
	Code      string
	Name      string
	Precision int32
	Fiat      bool
	// Stable is a token pegged to a fiat currency: shown with cents, as
	// the currency it follows.
	Stable bool
	Chain  Chain
	Tag    TagRule
}

var currencies = map[string]Currency{}

func add(c Currency) { currencies[c.Code] = c }

func init() {
	for _, c := range []Currency{
		{Code: "BTC", Name: "Bitcoin", Precision: 8, Chain: ChainBitcoin},
		{Code: "LTC", Name: "Litecoin", Precision: 8, Chain: ChainLitecoin},
		{Code: "BCH", Name: "Bitcoin Cash", Precision: 8, Chain: ChainBCH},
		{Code: "DOGE", Name: "Dogecoin", Precision: 8, Chain: ChainDogecoin},
		{Code: "ETH", Name: "Ether", Precision: 18, Chain: ChainEthereum},
		{Code: "BNB-BSC", Name: "BNB (BNB Smart Chain)", Precision: 18, Chain: ChainEthereum},
		{Code: "USDTE", Name: "Tether (ERC-20)", Precision: 6, Chain: ChainEthereum, Stable: true},
		{Code: "USDTB", Name: "Tether (BEP-20)", Precision: 6, Chain: ChainEthereum, Stable: true},
		{Code: "USDTT", Name: "Tether (TRC-20)", Precision: 6, Chain: ChainTron, Stable: true},
		{Code: "USDC", Name: "USD Coin (ERC-20)", Precision: 6, Chain: ChainEthereum, Stable: true},
		{Code: "DAI", Name: "Dai (ERC-20)", Precision: 18, Chain: ChainEthereum, Stable: true},
		{Code: "TRX", Name: "Tron", Precision: 6, Chain: ChainTron},
		{Code: "XRP", Name: "Ripple", Precision: 6, Chain: ChainRipple, Tag: TagRequired},
		{Code: "ADA", Name: "Cardano", Precision: 6, Chain: ChainCardano},
		{Code: "USDT", Name: "Tether", Precision: 6, Chain: ChainEthereum, Stable: true},
	} {
		add(c)
	}
	for _, code := range []string{"USD", "EUR", "GBP", "AED", "MYR", "BRL", "ILS", "RUB", "TRY", "UAH", "NZD", "CAD", "AUD", "CHF", "CNY", "INR"} {
		add(Currency{Code: code, Precision: 2, Fiat: true})
	}
	add(Currency{Code: "JPY", Precision: 0, Fiat: true})
}

// Lookup returns the currency with the given code (exact, upper case).
func Lookup(code string) (Currency, bool) {
	c, ok := currencies[code]
	return c, ok
}

// Codes returns every known currency code, sorted.
func Codes() []string {
	out := make([]string, 0, len(currencies))
	for code := range currencies {
		out = append(out, code)
	}
	sort.Strings(out)
	return out
}

// CryptoCodes returns the known crypto currency codes, sorted.
func CryptoCodes() []string {
	var out []string
	for _, code := range Codes() {
		if !currencies[code].Fiat {
			out = append(out, code)
		}
	}
	return out
}

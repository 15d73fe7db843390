package sandbox

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/payform/payform/money"
)

// Blockchain is one network prompts can be paid on.
type Blockchain struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ProductionBlockchains are the vendor's production blockchain ids.
var ProductionBlockchains = []Blockchain{
	{"btc", "Bitcoin"}, {"eth", "Ethereum"}, {"eth-usdc", "USDC (Ethereum)"}, {"sol", "Solana"},
	{"tron", "TRON"}, {"tron-usdt", "USDT (Tron)"}, {"tron-usdc", "USDC (Tron)"},
}

// DefaultBlockchains are active by default: the production ids and the
// two test ids the vendor's list shows in full.
func DefaultBlockchains() []Blockchain {
	return append(append([]Blockchain(nil), ProductionBlockchains...),
		Blockchain{"btc-test", "Bitcoin Testnet"}, Blockchain{"eth-test", "Ethereum Sepolia"})
}

// DefaultDomains are the redirect domains allowed by default: the page's
// own examples. "Only fully qualified domain names (e.g.,
// shop.example.com) are allowed", so neither localhost nor an IP address
// can be one.
func DefaultDomains() []string {
	return []string{"shop.example.com", "store.mysite.com", "checkout.yourdomain.com"}
}

// DefaultAddresses has one address for every production blockchain, and
// none for the test ones. Addresses are derived, valid in form, and held
// by nobody.
func DefaultAddresses() map[string]string {
	out := map[string]string{}
	for _, b := range ProductionBlockchains {
		code := map[string]string{"btc": "BTC", "eth": "ETH", "eth-usdc": "ETH", "tron": "TRX", "tron-usdt": "TRX", "tron-usdc": "TRX"}[b.ID]
		if code == "" { // Solana: payform has no address format for it
			out[b.ID] = "7Np41oeYqPefeNQEHSv1UDhYrehxin3NStELsSKCT4K2"
			continue
		}
		a, err := money.GenerateAddress(code, []byte("miraclepay/"+b.ID))
		if err != nil {
			panic(err) // a programming error: the codes above are known
		}
		out[b.ID] = a
	}
	return out
}

// configure takes the merchant's configuration from opts.
func (e *Emulator) configure(opts Options) error {
	domains := opts.AllowedDomains
	if domains == nil {
		domains = DefaultDomains()
	}
	if len(domains) > MaxDomains {
		return fmt.Errorf("%d allowed domains; MiraclePay allows at most %d", len(domains), MaxDomains)
	}
	e.domains = map[string]bool{}
	for _, d := range domains {
		if !IsFQDN(d) {
			return fmt.Errorf("allowed domain %q: want a fully qualified domain name such as shop.example.com (no scheme, port, path, wildcard, IP address or single-label name)", d)
		}
		e.domains[strings.ToLower(d)] = true
	}
	e.chains = opts.Blockchains
	if e.chains == nil {
		e.chains = DefaultBlockchains()
	}
	e.active = map[string]bool{}
	for _, b := range e.chains {
		if b.ID == "" || e.active[b.ID] {
			return fmt.Errorf("blockchain id %q is empty or repeated", b.ID)
		}
		e.active[b.ID] = true
	}
	e.addresses = map[string]string{}
	set := opts.PaymentAddresses
	if set == nil {
		set = DefaultAddresses()
	}
	for id, a := range set {
		if a == "" {
			return fmt.Errorf("payment address for %q is empty", id)
		}
		e.addresses[id] = a
	}
	if _, err := url.Parse(e.checkout); err != nil {
		return fmt.Errorf("checkout URL %q: %v", e.checkout, err)
	}
	return nil
}

// Domains returns the allowed redirect domains, sorted.
func (e *Emulator) Domains() []string {
	out := make([]string, 0, len(e.domains))
	for d := range e.domains {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// IsFQDN reports whether d is a fully qualified domain name as the
// vendor's dashboard takes one ("Only FQDNs are accepted (no paths,
// protocols, or wildcards)"): two or more dot-separated labels of
// letters, digits and inner hyphens, at most 63 characters each and 253
// in all, the last one not all digits (so no IP address). A trailing dot
// is not taken. The page does not say more.
func IsFQDN(d string) bool {
	if len(d) > 253 {
		return false
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	return strings.Trim(tld, "0123456789") != ""
}

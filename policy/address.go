package policy

import (
	"strings"

	"github.com/btcsuite/btcd/btcutil/base58"

	"github.com/payform/payform/schema"
)

// canonical returns the form of an address that lists are matched on, so
// that the spellings of one destination match each other: a screened
// address cannot be reached by writing it in another case or encoding.
//
//   - Ethereum-style 0x addresses are compared in lower case (EIP-55
//     mixed case is only a checksum);
//   - bech32 addresses (bc1, ltc1, addr1) in lower case (they are valid
//     in one case only, either one);
//   - Bitcoin Cash cashaddr, with or without "bitcoincash:", as the
//     legacy base58check address of the same hash (both spell one
//     destination);
//   - everything else (base58 is case-sensitive) as written.
func canonical(address string) string {
	if len(address) < 2 {
		return address
	}
	switch address[0] {
	case '0':
		if len(address) == 42 && (address[1] == 'x' || address[1] == 'X') {
			if folded := strings.ToLower(address); isHex(folded[2:]) {
				return folded
			}
		}
		return address
	case 'b', 'B', 'l', 'L', 'a', 'A', 'q', 'Q', 'p', 'P':
		// bech32 and cashaddr are valid in one case only; base58
		// addresses starting with these letters mix cases.
	default:
		return address // base58, case-sensitive
	}
	upper, lower := letterCases(address)
	if upper && lower {
		return address
	}
	folded := address
	if upper {
		folded = strings.ToLower(address)
	}
	if strings.HasPrefix(folded, "bc1") || strings.HasPrefix(folded, "ltc1") || strings.HasPrefix(folded, "addr1") {
		return folded
	}
	payload, hasPrefix := strings.CutPrefix(folded, "bitcoincash:")
	if hasPrefix || folded[0] == 'q' || folded[0] == 'p' {
		if legacy, ok := cashToLegacy(payload); ok {
			return legacy
		}
		if hasPrefix {
			return payload
		}
	}
	return address
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// letterCases reports whether s has upper and lower case ASCII letters.
// Every destination of a plan and every address of its lists goes
// through it: a table lookup per byte, without branches.
func letterCases(s string) (upper, lower bool) {
	var seen byte
	for i := 0; i < len(s); i++ {
		seen |= letterClass[s[i]]
	}
	return seen&upperLetter != 0, seen&lowerLetter != 0
}

const (
	upperLetter = 1 << iota
	lowerLetter
)

var letterClass = func() (t [256]byte) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = upperLetter
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = lowerLetter
	}
	return t
}()

const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// cashToLegacy converts a cashaddr payload (without prefix, lower case)
// of a 20-byte P2PKH or P2SH hash to its legacy address. It does not check
// the checksum: addresses reaching it were validated, or come from a
// screening list, where matching more is the safe side.
func cashToLegacy(payload string) (string, bool) {
	if len(payload) != 42 {
		return "", false
	}
	values := make([]byte, 0, len(payload))
	for i := 0; i < len(payload); i++ {
		v := strings.IndexByte(bech32Charset, payload[i])
		if v < 0 {
			return "", false
		}
		values = append(values, byte(v))
	}
	values = values[:len(values)-8] // the checksum
	var (
		out  []byte
		acc  uint32
		bits uint
	)
	for _, v := range values {
		acc = acc<<5 | uint32(v)
		bits += 5
		for bits >= 8 {
			bits -= 8
			out = append(out, byte(acc>>bits))
		}
	}
	if len(out) != 21 || out[0]&0x07 != 0 { // version byte + 20-byte hash
		return "", false
	}
	var version byte
	switch (out[0] >> 3) & 0x0f {
	case 0, 2: // P2PKH, P2PKH with tokens
		version = 0x00
	case 1, 3: // P2SH, P2SH with tokens
		version = 0x05
	default:
		return "", false
	}
	return base58.CheckEncode(out[1:], version), true
}

// lists are a policy's destination lists, indexed by canonical address
// in one map, so that a payout's destination is looked up once.
type lists struct {
	index map[string]listed
	// allow is set with an allow list; more holds the address book's
	// entries after an address's first (the same address in other
	// currencies, or with other tags).
	allow bool
	more  map[string][]*schema.AddressEntry
}

// listed is what the lists hold of one address: the address book's
// first entry for it and the screening list's.
type listed struct {
	allow *schema.AddressEntry
	deny  *schema.DeniedAddress
}

func indexLists(d *schema.Destinations) *lists {
	ls := &lists{}
	if d == nil {
		return ls
	}
	n := 0
	if d.Allow != nil {
		n += len(d.Allow.Entries)
	}
	if d.Deny != nil {
		n += len(d.Deny.Entries)
	}
	ls.index = make(map[string]listed, n)
	if d.Allow != nil {
		ls.allow = true
		// An address book lists an address once, mostly: each entry is
		// stored with one assignment, from the last to the first so that
		// the first entry of an address is what stays. The map not
		// growing tells of an address listed again.
		entries := d.Allow.Entries
		var again map[string]bool
		for i := len(entries) - 1; i >= 0; i-- {
			e := &entries[i]
			k := canonical(e.Address)
			n := len(ls.index)
			ls.index[k] = listed{allow: e}
			if len(ls.index) == n {
				if again == nil {
					again = map[string]bool{}
				}
				again[k] = true
			}
		}
		if again != nil {
			ls.more = map[string][]*schema.AddressEntry{}
			for i := range entries {
				e := &entries[i]
				if k := canonical(e.Address); again[k] && ls.index[k].allow != e {
					ls.more[k] = append(ls.more[k], e)
				}
			}
		}
	}
	if d.Deny != nil {
		for i := range d.Deny.Entries {
			e := &d.Deny.Entries[i]
			k := canonical(e.Address)
			if l := ls.index[k]; l.deny == nil {
				l.deny = e
				ls.index[k] = l
			}
		}
	}
	return ls
}

// known reports whether the address book lists a payout's currency,
// canonical address and tag; l is what the lists hold of the address.
func (ls *lists) known(l listed, currency, address, tag string) bool {
	e := l.allow
	if e == nil {
		return false
	}
	if e.Currency == currency && e.Tag == tag {
		return true
	}
	for _, e := range ls.more[address] {
		if e.Currency == currency && e.Tag == tag {
			return true
		}
	}
	return false
}

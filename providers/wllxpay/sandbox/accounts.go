package sandbox

import (
	"net/http"
	"sort"

	"github.com/payform/payform/money"
)

// v2Balance is one entry of the v2 accounts/list answer.
type v2Balance struct {
	Currency string `json:"currency"`
	Type     string `json:"type"`
	Balance  string `json:"balance"`
}

// accountsList serves POST /api/v2/accounts/list (only with V2Lookup):
// the merchant's balance in every currency, zero ones included, as
// CoinsPaid documents it. The endpoint takes no parameters; the body is
// an empty JSON object, signed like every request. Balances are written
// with at least 8 decimal places, as in the vendor's example, and never
// rounded.
func (e *Emulator) accountsList(form) reply {
	e.mu.Lock()
	defer e.mu.Unlock()
	codes := make([]string, 0, len(e.enabled))
	for code := range e.enabled {
		codes = append(codes, code)
	}
	for code, d := range e.balances {
		if !e.enabled[code] && !d.IsZero() {
			codes = append(codes, code)
		}
	}
	sort.Strings(codes)
	out := make([]v2Balance, 0, len(codes))
	for _, code := range codes {
		d := e.balances[code]
		out = append(out, v2Balance{Currency: code, Type: "crypto", Balance: d.StringFixed(max(8, money.Places(d)))})
	}
	return reply{http.StatusOK, struct {
		Data []v2Balance `json:"data"`
	}{out}}
}

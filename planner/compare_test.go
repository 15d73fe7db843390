package planner

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
)

// TestMismatch: the one comparison of a gateway's object with the declared
// change. A field the gateway left out is no difference, except a
// destination tag the change sends to a gateway that echoes tags.
func TestMismatch(t *testing.T) {
	c := &Change{Kind: providers.Payout, Key: "po-1", Amount: decimal.RequireFromString("10.50"), Currency: "XRP",
		Attrs: map[string]string{"address": "rAAA", "tag": "7"}}
	amt := func(s string) decimal.Decimal { return decimal.RequireFromString(s) }
	for _, tc := range []struct {
		name       string
		obj        providers.Object
		requireTag bool
		want       string
	}{
		{"the same", providers.Object{Key: "po-1", Amount: amt("10.5"), Currency: "XRP", Address: "rAAA", Tag: "7"}, true, ""},
		{"fields left out", providers.Object{}, false, ""},
		{"key", providers.Object{Key: "po-2"}, false, `key "po-2", declared "po-1"`},
		{"amount", providers.Object{Amount: amt("10.51")}, false, "amount 10.51, declared 10.5"},
		{"currency", providers.Object{Currency: "BTC"}, false, "currency BTC, declared XRP"},
		{"address", providers.Object{Address: "rBBB"}, false, "address rBBB, declared rAAA"},
		{"another tag", providers.Object{Tag: "8"}, false, `tag "8", declared "7"`},
		{"no tag, not echoed by this gateway", providers.Object{Address: "rAAA"}, false, ""},
		{"no tag from a gateway that echoes", providers.Object{Address: "rAAA"}, true, `no tag, declared "7" (the gateway did not echo it)`},
		{"several", providers.Object{Key: "po-2", Currency: "BTC"}, false, `key "po-2", declared "po-1"; currency BTC, declared XRP`},
	} {
		if got := Mismatch(c, tc.obj, tc.requireTag); got != tc.want {
			t.Errorf("%s: Mismatch = %q, want %q", tc.name, got, tc.want)
		}
	}
}

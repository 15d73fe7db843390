package planner

import (
	"fmt"
	"strings"

	"github.com/payform/payform/providers"
)

// Mismatch says how an object a gateway reported differs from the change
// it should be, "" when it is that object: the one comparison that plan
// (an object found by key, to adopt) and apply (a create's answer, an
// object found while in doubt, an import) both make. It compares what the
// gateway reported: the merchant key, the amount, the currency, a payout's
// destination address and tag. A field the gateway left out is not a
// difference, except a destination tag when the change sends one and the
// gateway echoes tags (requireTag): a tag the gateway did not take is
// money lost.
func Mismatch(c *Change, o providers.Object, requireTag bool) string {
	var diffs []string
	if o.Key != "" && o.Key != c.Key {
		diffs = append(diffs, fmt.Sprintf("key %q, declared %q", o.Key, c.Key))
	}
	if !o.Amount.IsZero() && !o.Amount.Equal(c.Amount) {
		diffs = append(diffs, fmt.Sprintf("amount %s, declared %s", o.Amount, c.Amount))
	}
	if o.Currency != "" && o.Currency != c.Currency {
		diffs = append(diffs, fmt.Sprintf("currency %s, declared %s", o.Currency, c.Currency))
	}
	if c.Kind == providers.Payout {
		if a := c.Attrs["address"]; o.Address != "" && o.Address != a {
			diffs = append(diffs, fmt.Sprintf("address %s, declared %s", o.Address, a))
		}
		tag := c.Attrs["tag"]
		switch {
		case o.Tag != "" && o.Tag != tag:
			diffs = append(diffs, fmt.Sprintf("tag %q, declared %q", o.Tag, tag))
		case o.Tag == "" && tag != "" && requireTag:
			diffs = append(diffs, fmt.Sprintf("no tag, declared %q (the gateway did not echo it)", tag))
		}
	}
	return strings.Join(diffs, "; ")
}

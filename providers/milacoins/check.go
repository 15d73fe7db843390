package milacoins

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/payform/payform/providers"
)

var _ providers.Checker = (*Client)(nil)

// Check lists the merchant's wallets (GET /api/v1/wallets): signed like
// every call, it proves the key, the secret and the clock (X-time), and
// changes nothing. A default wallet (the block's wallet option) the
// account does not have is an error here rather than at the first
// invoice.
func (c *Client) Check(ctx context.Context) (providers.CheckResult, error) {
	res := providers.CheckResult{Call: "GET /api/v1/wallets"}
	wallets, err := c.Wallets(ctx)
	if err != nil {
		return res, err
	}
	res.Answer = "no wallets"
	if len(wallets) > 0 {
		res.Answer = fmt.Sprintf("%d %s: %s", len(wallets), plural(len(wallets), "wallet", "wallets"), strings.Join(wallets, ", "))
	}
	if c.wallet != "" && !slices.Contains(wallets, c.wallet) {
		return res, &providers.Error{Class: providers.Rejected, Gateway: gatewayName, Op: "wallets",
			Message: fmt.Sprintf("the account has no wallet %q (it has %s): set wallet to one of them", c.wallet, strings.Join(wallets, ", "))}
	}
	return res, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

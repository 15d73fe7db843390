package miraclepay

import (
	"context"
	"fmt"
	"strings"

	"github.com/payform/payform/providers"
)

var _ providers.Checker = (*provider)(nil)

// Check lists the active blockchains (GET /external/blockchains/active),
// which MiraclePay answers, like every call, only with a valid client id
// and API key of an active merchant admin; it changes nothing.
func (p *provider) Check(ctx context.Context) (providers.CheckResult, error) {
	res := providers.CheckResult{Call: "GET /external/blockchains/active"}
	chains, err := p.c.Blockchains(ctx)
	if err != nil {
		return res, err
	}
	var ids []string
	for _, b := range chains {
		if b.Active {
			ids = append(ids, b.ID)
		}
	}
	switch len(ids) {
	case 0:
		res.Answer = "no active blockchains"
	case 1:
		res.Answer = "1 active blockchain: " + ids[0]
	default:
		res.Answer = fmt.Sprintf("%d active blockchains: %s", len(ids), strings.Join(ids, ", "))
	}
	return res, nil
}

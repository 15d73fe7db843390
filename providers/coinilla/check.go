package coinilla

import (
	"context"
	"errors"
	"strings"

	"github.com/payform/payform/providers"
)

var _ providers.Checker = (*provider)(nil)

// probeInvoice is an invoice id no invoice has (64 zeros), and probeRefnum
// a refnum payform never sends.
var probeInvoice = strings.Repeat("0", 64)

const probeRefnum = "payform-init-probe"

// Check verifies an invoice that does not exist (POST /verify, func=3):
// the cheapest call Coinilla has, and one that changes nothing. Coinilla
// answers "invoice not found" with a good apikey and an error about the
// key with a bad one (its texts are undocumented: the sandbox checks the
// key first, and the client takes any text about the key as a refusal).
func (p *provider) Check(ctx context.Context) (providers.CheckResult, error) {
	res := providers.CheckResult{Call: "POST /verify (func=3)"}
	_, err := p.c.Verify(ctx, probeInvoice, probeRefnum)
	switch {
	case errors.Is(err, ErrInvoiceNotFound):
		res.Answer = "an invoice that does not exist is unknown, as expected"
	case err != nil:
		return res, err
	default:
		res.Answer = "verified"
	}
	return res, nil
}

package coinpay24

import (
	"context"
	"fmt"

	"github.com/payform/payform/providers"
)

var _ providers.Checker = (*provider)(nil)

// Check reads the first page of the invoice list, one invoice long
// (POST /v1/invoices, per_page=1): the cheapest call that needs the
// api_key, and one that changes nothing. It counts against the private
// endpoints' limits, not the invoices'.
func (p *provider) Check(ctx context.Context) (providers.CheckResult, error) {
	res := providers.CheckResult{Call: "POST /v1/invoices (per_page=1)"}
	var out listWire
	form := map[string][]string{"per_page": {"1"}, "page": {"1"}, "sort": {"created_at_desc"}}
	if err := p.c.post(ctx, "/invoices", "invoices/list", form, &out); err != nil {
		return res, err
	}
	res.Answer = fmt.Sprintf("the account holds %d invoices", out.TotalInvoices)
	if out.TotalInvoices == 1 {
		res.Answer = "the account holds 1 invoice"
	}
	return res, nil
}

package wllxpay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/payform/payform/providers"
)

var _ providers.Checker = (*provider)(nil)

// probeKey is a foreign_id the check looks up: no payout carries it.
const probeKey = "payform-init-probe"

// Check proves the endpoint and, where it can, the credentials, sending
// nothing that creates. WllxPay's v1 API has only two calls, and both
// create (addresses/take, withdrawal/make): with it alone the check can
// only reach the endpoint, with an unsigned GET of the base URL, which
// WllxPay answers 403 "No key header" (required_header_key) as it does
// every request without a key. With v2_lookup = true, it looks up a
// foreign_id no payout carries (v2 transactions/info), which proves the
// key, the secret and the lookup payform relies on.
func (p *provider) Check(ctx context.Context) (providers.CheckResult, error) {
	if p.v2Lookup {
		res := providers.CheckResult{Call: "GET /api/v2/transactions/info"}
		_, err := p.Lookup(ctx, providers.Query{Kind: providers.Payout, Key: probeKey})
		switch {
		case errors.Is(err, providers.ErrNotFound):
			res.Answer = fmt.Sprintf("foreign_id %q is unknown, as expected", probeKey)
		case isStatus(err, http.StatusNotFound):
			// Not the lookup's "no such foreign_id": no v2 here at all.
			return res, &providers.Error{Class: providers.Rejected, Gateway: gatewayName, Op: "transactions/info", Status: http.StatusNotFound,
				Message: "the endpoint serves no v2 transactions/info (WllxPay does not document its v2 API): without it, set v2_lookup = false"}
		case err != nil:
			return res, err
		default:
			res.Answer = fmt.Sprintf("a payout with foreign_id %q", probeKey)
		}
		return res, nil
	}
	res := providers.CheckResult{
		Call:     "GET /api/v1 (unsigned)",
		Unproven: "WllxPay's v1 API has no call that reads without creating (addresses/take and withdrawal/make both create), so the credentials are first used by apply; v2_lookup = true checks them with v2 transactions/info",
	}
	const op = "check"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.c.base, nil)
	if err != nil {
		return res, &providers.Error{Class: providers.Rejected, Gateway: gatewayName, Op: op, Message: err.Error()}
	}
	req.Header.Set("Accept", "application/json")
	var trace providers.SendTrace
	resp, err := p.c.http.Do(trace.Attach(req))
	if err != nil {
		return res, trace.Failed(gatewayName, op, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	var env errorEnvelope
	_ = json.Unmarshal(raw, &env)
	if resp.StatusCode != http.StatusForbidden || env.Code != "required_header_key" {
		return res, &providers.Error{Class: providers.Rejected, Gateway: gatewayName, Op: op, Status: resp.StatusCode,
			Message: "the endpoint does not answer as WllxPay's API does (a request without a key is answered 403 No key header, required_header_key); check the endpoint"}
	}
	res.Answer = "403 No key header, as WllxPay answers a request without a key"
	return res, nil
}

func isStatus(err error, status int) bool {
	var e *providers.Error
	return errors.As(err, &e) && e.Status == status
}

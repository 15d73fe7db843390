package wllxpay

import (
	"crypto/hmac"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/payform/payform/providers"
)

var _ providers.CallbackVerifier = (*provider)(nil)

// VerifyCallback checks a WllxPay callback: X-Processing-Key must be the
// merchant's API key and X-Processing-Signature the HMAC-SHA512 of the raw
// body with the secret, in hex (compared in constant time, either case).
func (p *provider) VerifyCallback(header http.Header, body []byte) (*providers.Callback, error) {
	sig := strings.TrimSpace(header.Get("X-Processing-Signature"))
	if sig == "" {
		return nil, errors.New("no X-Processing-Signature header: not a signed WllxPay callback")
	}
	if key := strings.TrimSpace(header.Get("X-Processing-Key")); key != "" && key != p.c.key {
		return nil, errors.New("X-Processing-Key is not this provider's API key: the callback is for another merchant account")
	}
	got, err := hex.DecodeString(strings.ToLower(sig))
	if err != nil {
		return nil, errors.New("X-Processing-Signature is not hex")
	}
	want, _ := hex.DecodeString(Sign(p.c.secret, body))
	if !hmac.Equal(got, want) {
		return nil, errors.New("signature mismatch: the body was altered, or it was signed with another secret")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("signed, but the body is not a JSON object: %v", err)
	}
	fields := make(map[string]string, len(raw))
	names := make([]string, 0, len(raw))
	for k, v := range raw {
		var f providers.FlexString
		if json.Unmarshal(v, &f) != nil {
			f = providers.FlexString(v)
		}
		fields[k] = string(f)
		names = append(names, k)
	}
	sort.Strings(names)
	cb := &providers.Callback{
		Type: fields["type"], ID: fields["id"], Key: fields["foreign_id"], Status: fields["status"],
		Currency: fields["currency"], Amount: fields["amount"], Address: fields["address"], Tag: fields["tag"],
		Fields: fields, Via: "signature",
	}
	if cb.Type == "withdrawal" && cb.Key != "" {
		cb.Object = withdrawalObject(fields)
	}
	return cb, nil
}

// withdrawalObject is the payout a signed withdrawal callback reports:
// its foreign_id, id, status (processing → submitted, confirmed,
// error → failed, cancelled), amount, currency, address and tag (a
// callback names a tag only when the withdrawal has one), with the
// transaction id and error text the callback carries.
func withdrawalObject(f map[string]string) *providers.Object {
	o := &providers.Object{
		Kind: providers.Payout, Key: f["foreign_id"], ID: f["id"],
		Status: mapStatus(f["status"]), RawStatus: f["status"],
		Amount: parseAmount(providers.FlexString(f["amount"])), Currency: f["currency"],
		Address: f["address"], Tag: f["tag"],
	}
	for _, k := range []string{"txid", "error"} {
		if v := strings.TrimSpace(f[k]); v != "" {
			if o.Fields == nil {
				o.Fields = map[string]string{}
			}
			o.Fields[k] = v
		}
	}
	return o
}

package wllxpay_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/providertest"
	"github.com/payform/payform/providers/wllxpay/sandbox"
)

// TestTagIsTheGatewaysEcho: the page's withdrawal/make answer has a
// "tag" member ("tag": null in its example), and its request table lists
// currency, foreign_id, amount and address: no tag. payform sends the
// destination tag all the same (docs/sandboxes.md says why) and reports
// in Object.Tag exactly what the answer echoes, never the tag it sent, so
// that a payout whose tag the gateway did not take can be told apart.
func TestTagIsTheGatewaysEcho(t *testing.T) {
	ctx := context.Background()
	xrp := func(key, tag string) providers.Request {
		return providers.Request{Kind: providers.Payout, Key: key, Amount: decimal.RequireFromString("12.5"), Currency: "XRP",
			Address: addr("XRP"), Tag: tag}
	}

	// The sandbox takes the tag and echoes it.
	_, _, endpoint := gateway(t, sandbox.Options{})
	p := client(t, endpoint, sandbox.DefaultKey, sandbox.DefaultSecret, nil)
	obj, err := p.Create(ctx, xrp("tag-1", "12345"))
	if err != nil || obj.Tag != "12345" {
		t.Errorf("echoed tag: %q, %v; want 12345", obj.Tag, err)
	}

	// --strict: the page's request table has no tag, so the gateway does
	// not take it and answers "tag": null. The object says so: no tag.
	emu, _, endpoint := gateway(t, sandbox.Options{Strict: true})
	p = client(t, endpoint, sandbox.DefaultKey, sandbox.DefaultSecret, nil)
	obj, err = p.Create(ctx, xrp("tag-2", "12345"))
	if err != nil || obj.Tag != "" {
		t.Errorf("tag not taken: Object.Tag %q, %v; want \"\" (the answer's null)", obj.Tag, err)
	}
	if l := emu.Ledger(); len(l) != 1 || l[0].Tag != "" {
		t.Errorf("strict ledger %+v, want one withdrawal without a tag", l)
	}

	// Whatever the gateway echoes is reported as it is: another tag, no
	// member at all.
	a := providertest.NewAnswer(t)
	p = client(t, a.URL, "k", "s", nil)
	for body, want := range map[string]string{
		`{"status":"ok","data":{"id":1,"currency":"XRP","currency_fee":"XRP","address":"r","tag":"999","amount":"12.5","status":"processing"}}`: "999",
		`{"status":"ok","data":{"id":2,"currency":"XRP","currency_fee":"XRP","address":"r","amount":"12.5","status":"processing"}}`:             "",
		`{"status":"ok","data":{"id":3,"currency":"XRP","currency_fee":"XRP","address":"r","tag":12345,"amount":"12.5","status":"processing"}}`: "12345",
	} {
		a.Set(http.StatusCreated, []byte(body))
		obj, err := p.Create(ctx, xrp("tag-3", "12345"))
		if err != nil || obj.Tag != want {
			t.Errorf("answer %s: Object.Tag %q, %v; want %q", body, obj.Tag, err, want)
		}
	}
}

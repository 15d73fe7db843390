package sandbox

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/payform/payform/providers/providertest"
	"github.com/shopspring/decimal"
)

func TestAdminAPI(t *testing.T) {
	h := newHarness(t, Options{
		Balances: map[string]decimal.Decimal{"BTC": decimal.NewFromInt(2), "ETH": decimal.RequireFromString("0.5")},
		Enabled:  []string{"ETH", "BTC"},
	})
	h.post(makePath, withdrawalBody("BTC", "w1", "0.25", address(t, "BTC", "a")))
	admin := func(method, path, body string) (int, string) {
		return h.sandbox(method, "/_sandbox/wllxpay"+path, body)
	}
	for _, tc := range []struct {
		method, path, body string
		wantStatus         int
		wantBody           string
	}{
		{"GET", "/balances", "", 200, `{"BTC":"1.75","ETH":"0.5"}`},
		{"PUT", "/balances", `{"BTC":"12.5","XRP":"3"}`, 200, `{"BTC":"12.5","ETH":"0.5","XRP":"3"}`},
		{"PUT", "/balances", `{"USD":"1"}`, 400, `{"error":"\"USD\" is not a crypto currency payform knows"}`},
		{"PUT", "/balances", `{"BTC":"-1"}`, 400, `{"error":"balance -1 BTC is negative"}`},
		{"PUT", "/balances", `{"BTC":"0.000000001"}`, 400, `{"error":"balance 0.000000001 BTC has more than 8 decimal places"}`},
		{"GET", "/currencies", "", 200, `{"enabled":["BTC","ETH"]}`},
		{"PUT", "/currencies", `{"enabled":["XRP","BTC","XRP"]}`, 200, `{"enabled":["BTC","XRP"]}`},
		{"PUT", "/currencies", `{"enabled":["EUR"]}`, 400, `{"error":"\"EUR\" is not a crypto currency payform knows"}`},
		{"PUT", "/currencies", `{}`, 400, `{"error":"want a JSON body {\"enabled\":[\"BTC\",...]}"}`},
		{"POST", "/status", `{"foreign_id":"w1","status":"cancelled"}`, 200, `{"foreign_id":"w1","status":"cancelled"}`},
		{"POST", "/status", `{"foreign_id":"w1","status":"lost"}`, 400, `{"error":"status \"lost\" is not one of processing, confirmed, error, cancelled"}`},
		{"POST", "/status", `{"foreign_id":"nope","status":"error"}`, 404, `{"error":"no withdrawal with that foreign_id: \"nope\""}`},
		{"DELETE", "/balances", "", 404, `{"error":"no admin route \"DELETE /balances\"; try GET|PUT /balances, GET|PUT /currencies, GET|PUT /callback, GET /deposits, POST /status"}`},
	} {
		status, body := admin(tc.method, tc.path, tc.body)
		providertest.Expect(t, tc.method+" "+tc.path+" "+tc.body, status, body, tc.wantStatus, tc.wantBody)
	}
	if diff := cmp.Diff([]string{"withdrawal w1 1 BTC 0.25 cancelled 1"}, ledgerLines(h.em)); diff != "" {
		t.Errorf("ledger (-want +got):\n%s", diff)
	}
	status, body := h.post(takePath, `{"currency":"ETH","foreign_id":"c1"}`)
	providertest.Expect(t, "ETH after the currencies changed", status, body, 400, `{"errors":{"currency":"Currency ETH is not enabled for your merchant"},"error_code":"forbidden_currency"}`)
}

func TestForceStatusMethod(t *testing.T) {
	h := newHarness(t, Options{})
	h.post(makePath, withdrawalBody("BTC", "w1", "1", address(t, "BTC", "a")))
	for _, s := range []string{StatusConfirmed, StatusError, StatusProcessing} {
		if err := h.em.ForceStatus("w1", s); err != nil {
			t.Fatal(err)
		}
		h.clock.Advance(time.Hour)
		if got := h.em.Ledger()[0].Status; got != s {
			t.Errorf("forced %s, ledger says %s", s, got)
		}
	}
	if err := h.em.ForceStatus("w9", StatusError); !errors.Is(err, ErrUnknownWithdrawal) {
		t.Errorf("ForceStatus(unknown) = %v, want ErrUnknownWithdrawal", err)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	for name, opts := range map[string]Options{
		"fiat balance":      {Balances: map[string]decimal.Decimal{"USD": decimal.NewFromInt(1)}},
		"unknown currency":  {Enabled: []string{"FOO"}},
		"negative duration": {ConfirmAfter: -time.Second},
	} {
		if _, err := New(opts); err == nil {
			t.Errorf("New with %s: no error", name)
		}
	}
	if _, err := New(Options{}); err != nil {
		t.Errorf("New(Options{}): %v", err)
	}
}

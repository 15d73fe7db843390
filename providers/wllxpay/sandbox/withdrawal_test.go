package sandbox

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/payform/payform/providers/providertest"
	"github.com/shopspring/decimal"
)

const makePath = "/api/v1/withdrawal/make"

func withdrawalBody(currency, fid, amount, address string) string {
	return fmt.Sprintf(`{"currency":%q,"foreign_id":%q,"amount":%q,"address":%q}`, currency, fid, amount, address)
}

func TestWithdrawalCreated(t *testing.T) {
	h := newHarness(t, Options{})
	for i, tc := range []struct{ currency, amount, wantAmount, wantFee string }{
		{"BTC", "1.010", "1.01", "BTC"},
		{"USDTE", "25", "25", "ETH"},
		{"USDC", "0.5", "0.5", "ETH"},
		{"DAI", "3", "3", "ETH"},
		{"USDTT", "7.123456", "7.123456", "TRX"},
		{"USDTB", "1", "1", "BNB-BSC"},
		{"BNB-BSC", "0.000000000000000001", "0.000000000000000001", "BNB-BSC"},
		{"ETH", "2", "2", "ETH"},
	} {
		addr := address(t, tc.currency, tc.currency)
		fid := fmt.Sprintf("w-%d", i+1)
		status, body := h.post(makePath, withdrawalBody(tc.currency, fid, tc.amount, addr))
		want := fmt.Sprintf(`{"status":"ok","data":{"id":%d,"currency":%q,"currency_fee":%q,"address":%q,"tag":null,"amount":%q,"status":"processing"}}`,
			i+1, tc.currency, tc.wantFee, addr, tc.wantAmount)
		providertest.Expect(t, tc.currency, status, body, http.StatusCreated, want)
	}
	if got, want := h.em.Balances()["BTC"], decimal.RequireFromString("998.99"); !got.Equal(want) {
		t.Errorf("BTC balance %s, want %s", got, want)
	}
}

func TestWithdrawalNumbersAndTags(t *testing.T) {
	h := newHarness(t, Options{})
	xrp := address(t, "XRP", "dest")
	status, body := h.post(makePath, fmt.Sprintf(`{"currency":"XRP","foreign_id":1001,"amount":12.5,"address":%q,"tag":"12345"}`, xrp))
	providertest.Expect(t, "XRP with tag, numbers for foreign_id and amount", status, body, 201,
		fmt.Sprintf(`{"status":"ok","data":{"id":1,"currency":"XRP","currency_fee":"XRP","address":%q,"tag":"12345","amount":"12.5","status":"processing"}}`, xrp))
	status, body = h.post(makePath, fmt.Sprintf(`{"currency":"XRP","foreign_id":"1002","amount":"1","address":%q,"tag":null}`, xrp))
	providertest.Expect(t, "XRP without tag", status, body, 201,
		fmt.Sprintf(`{"status":"ok","data":{"id":2,"currency":"XRP","currency_fee":"XRP","address":%q,"tag":null,"amount":"1","status":"processing"}}`, xrp))
}

func TestWithdrawalRefusals(t *testing.T) {
	h := newHarness(t, Options{
		Balances: map[string]decimal.Decimal{"BTC": decimal.RequireFromString("1.5")},
		Enabled:  []string{"BTC", "ETH"},
	})
	btc := address(t, "BTC", "a")
	xrp := address(t, "XRP", "a")

	status, body := h.post(makePath, withdrawalBody("XRP", "x1", "1", xrp))
	providertest.Expect(t, "not enabled", status, body, 400, `{"errors":{"currency":"Currency XRP is not enabled for your merchant"},"error_code":"forbidden_currency"}`)

	status, body = h.post(makePath, withdrawalBody("ETH", "e1", "0.01", address(t, "ETH", "a")))
	providertest.Expect(t, "enabled, no balance", status, body, 422, `{"errors":{"amount":"Not enough amount"},"error_code":"not_enough_balance"}`)

	status, body = h.post(makePath, withdrawalBody("BTC", "b1", "1.5", btc))
	if status != 201 {
		t.Fatalf("whole balance: %d %s", status, body)
	}
	status, body = h.post(makePath, withdrawalBody("BTC", "b2", "0.00000001", btc))
	providertest.Expect(t, "empty balance", status, body, 422, `{"errors":{"amount":"Not enough amount"},"error_code":"not_enough_balance"}`)

	// A resend of b1 is told its key is taken, whatever else is wrong
	// with it now (the balance is gone; the body is even incomplete).
	const taken = `{"errors":{"foreign_id":"The Foreign ID has already been taken."},"error_code":"foreign_id_taken"}`
	status, body = h.post(makePath, withdrawalBody("BTC", "b1", "1.5", btc))
	providertest.Expect(t, "duplicate", status, body, 400, taken)
	status, body = h.post(makePath, `{"foreign_id":"b1"}`)
	providertest.Expect(t, "duplicate, incomplete", status, body, 400, taken)

	if !h.em.Balances()["BTC"].IsZero() {
		t.Errorf("BTC balance %s after refusals, want 0", h.em.Balances()["BTC"])
	}
	want := []string{"withdrawal b1 1 BTC 1.5 processing 3"}
	if diff := cmp.Diff(want, ledgerLines(h.em)); diff != "" {
		t.Errorf("ledger (-want +got):\n%s", diff)
	}
	// Refused keys are counted even without an object: b2 may be sent
	// again once there is money, and its count includes the refusal.
	h.em.SetBalances(map[string]decimal.Decimal{"BTC": decimal.NewFromInt(1)})
	if status, body := h.post(makePath, withdrawalBody("BTC", "b2", "0.00000001", btc)); status != 201 {
		t.Fatalf("b2 with money: %d %s", status, body)
	}
	want = append(want, "withdrawal b2 2 BTC 0.00000001 processing 2")
	if diff := cmp.Diff(want, ledgerLines(h.em)); diff != "" {
		t.Errorf("ledger (-want +got):\n%s", diff)
	}
}

func TestWithdrawalConfirmsWithTime(t *testing.T) {
	h := newHarness(t, Options{ConfirmAfter: time.Minute})
	h.post(makePath, withdrawalBody("BTC", "w1", "1", address(t, "BTC", "a")))
	h.clock.Advance(59 * time.Second)
	if got := ledgerLines(h.em); got[0] != "withdrawal w1 1 BTC 1 processing 1" {
		t.Errorf("after 59s: %s", got[0])
	}
	h.clock.Advance(time.Second)
	if got := ledgerLines(h.em); got[0] != "withdrawal w1 1 BTC 1 confirmed 1" {
		t.Errorf("after 60s: %s", got[0])
	}
}

package coinpay24

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
)

func TestMapStatus(t *testing.T) {
	one := decimal.NewFromInt(1)
	for _, tc := range []struct {
		raw         string
		under, over decimal.Decimal
		want        providers.Status
	}{
		{"new", decimal.Zero, decimal.Zero, providers.StatusPending},
		{"pending", decimal.Zero, decimal.Zero, providers.StatusPending},
		{"confirming", decimal.Zero, decimal.Zero, providers.StatusPending},
		{"paid", decimal.Zero, decimal.Zero, providers.StatusPaid},
		{"paid", one, decimal.Zero, providers.StatusUnderpaid},
		{"paid", decimal.Zero, one, providers.StatusOverpaid},
		{"completed", decimal.Zero, decimal.Zero, providers.StatusPaid},
		{"expired", one, decimal.Zero, providers.StatusExpired},
		{"invalid", decimal.Zero, decimal.Zero, providers.StatusInvalid},
		{"canceled", decimal.Zero, decimal.Zero, providers.StatusCancelled},
		{"Cancelled", decimal.Zero, decimal.Zero, providers.StatusCancelled},
		{"refunded", decimal.Zero, decimal.Zero, providers.StatusCancelled},
		{"something_new", decimal.Zero, decimal.Zero, providers.StatusPending},
	} {
		if got := mapStatus(tc.raw, tc.under, tc.over); got != tc.want {
			t.Errorf("mapStatus(%q, %s, %s) = %s, want %s", tc.raw, tc.under, tc.over, got, tc.want)
		}
	}
}

// TestInvoiceDecoding: the vendor's Get example, then the same with
// numbers where it shows strings.
func TestInvoiceDecoding(t *testing.T) {
	want := providers.Object{
		Kind: providers.Invoice, Key: "62315", ID: "1195824", Status: providers.StatusPaid, RawStatus: "paid",
		Amount: decimal.RequireFromString("10"), Currency: "EUR",
		Fields: map[string]string{
			providers.ResultPaymentURL: "https://coinpay24.com/invoice/39b3c1d8984385b44489dcac27ef0d0e",
			providers.ResultPayAmount:  "0.001281", providers.FieldPayCurrency: "BTC",
			providers.ResultPayAddress: "38gmr5MujyDxcEhaqFfC5P9K6bhJo548gu", providers.ResultExpiresAt: "2018-04-25T00:05:40Z",
			providers.ResultPaidAmount: "10",
		},
	}
	for _, body := range []string{
		`{"id": 1195824, "status": "paid", "price_currency": "EUR", "price_amount": "10.0", "pay_currency": "BTC",
		 "pay_amount": "0.001281", "created_at": "2018-04-24T23:43:14+00:00", "expire_at": "2018-04-25T00:05:40+00:00",
		 "payment_address": "38gmr5MujyDxcEhaqFfC5P9K6bhJo548gu", "order_id": "62315", "underpaid_amount": "0",
		 "overpaid_amount": "0", "payment_url": "https://coinpay24.com/invoice/39b3c1d8984385b44489dcac27ef0d0e"}`,
		`{"id": "1195824", "status": "paid", "price_currency": "EUR", "price_amount": 10.0, "pay_currency": "BTC",
		 "pay_amount": 0.001281, "created_at": "2018-04-24T23:43:14+00:00", "expire_at": "2018-04-25T00:05:40Z",
		 "payment_address": "38gmr5MujyDxcEhaqFfC5P9K6bhJo548gu", "order_id": 62315, "underpaid_amount": 0,
		 "overpaid_amount": null, "payment_url": "https://coinpay24.com/invoice/39b3c1d8984385b44489dcac27ef0d0e"}`,
	} {
		var w invoiceWire
		if err := json.Unmarshal([]byte(body), &w); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, w.object("ignored"), cmp.Comparer(decimal.Decimal.Equal)); diff != "" {
			t.Errorf("object (-want +got):\n%s", diff)
		}
	}
	var l listWire
	if err := json.Unmarshal([]byte(`{"current_page":"2","per_page":2,"total_invoices":940,"total_pages":470,"invoices":[]}`), &l); err != nil ||
		l.CurrentPage != 2 || l.TotalPages != 470 {
		t.Errorf("list %+v, %v", l, err)
	}
}

func TestFieldErrs(t *testing.T) {
	for body, want := range map[string]fieldErrs{
		`{"errors":{"order_id":"is required"}}`:              {"order_id": "is required"},
		`{"errors":{"order_id":["is required","is short"]}}`: {"order_id": "is required is short"},
		`{"errors":["Price is missing","Bad"]}`:              {"errors": "Price is missing Bad"},
		`{"errors":"nope"}`:                                  nil,
	} {
		var env errorEnvelope
		if err := json.Unmarshal([]byte(body), &env); err != nil {
			t.Errorf("%s: %v", body, err)
		}
		if diff := cmp.Diff(want, env.Errors); diff != "" {
			t.Errorf("%s (-want +got):\n%s", body, diff)
		}
	}
}

func TestFromDate(t *testing.T) {
	for in, want := range map[string]string{
		"2026-03-01T00:30:00+02:00": "2026-02-27", // 2026-02-28 22:30 UTC
		"2026-03-01T12:00:00Z":      "2026-02-28",
		"0001-01-01T00:00:00Z":      "",
	} {
		if got := fromDate(mustTime(t, in)); got != want {
			t.Errorf("fromDate(%s) = %q, want %q", in, got, want)
		}
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

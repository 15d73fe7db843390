package milacoins_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/milacoins"
	"github.com/payform/payform/providers/milacoins/sandbox"
)

// TestStatusAfterPay: each way a customer can pay, as Refresh reports it
// once the payment is confirmed.
func TestStatusAfterPay(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	c := e.client(t, nil)
	ctx := context.Background()
	type result struct {
		Status     providers.Status
		Raw, Paid  string
		HasPayment bool
	}
	cases := map[string]struct {
		mode, wallet string
		want         result
	}{
		"full":      {emulator.PayFull, "USD", result{providers.StatusPaid, "completed", "40", true}},
		"partial":   {emulator.PayPartial, "USD", result{providers.StatusUnderpaid, "underPaid", "20", true}},
		"over":      {emulator.PayOver, "USD", result{providers.StatusOverpaid, "overPaid", "44", true}},
		"late":      {emulator.PayLate, "USD", result{providers.StatusPaid, "paidLate", "40", true}},
		"in-btc":    {emulator.PayFull, "BTC", result{providers.StatusPaid, "completed", "40", true}},
		"unpaid":    {"", "USD", result{providers.StatusPending, "new", "", false}},
		"pending":   {"-", "USD", result{providers.StatusPending, "waitingForConfirmation", "40", true}},
		"cancelled": {"!", "USD", result{providers.StatusInvalid, "invalid", "", false}},
	}
	var refs []providers.Ref
	for key, tc := range cases {
		obj, err := c.Create(ctx, invoice(key, "40", map[string]string{providers.FieldWallet: tc.wallet}))
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, providers.Ref{Kind: providers.Invoice, Key: key, ID: obj.ID, CreatedAt: t0})
	}
	for key, tc := range cases {
		switch tc.mode {
		case "", "-":
		case "!":
			if err := e.em.ForceStatus(refID(refs, key), sandbox.StatusInvalid); err != nil {
				t.Fatal(err)
			}
		default:
			if _, err := e.em.Pay(emulator.Payment{Key: key, Mode: tc.mode}); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.clock.Advance(sandbox.DefaultConfirmAfter)
	if _, err := e.em.Pay(emulator.Payment{Key: "pending"}); err != nil {
		t.Fatal(err)
	}
	objs, err := c.Refresh(ctx, refs)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]result{}
	for _, o := range objs {
		paid, ok := o.Fields[providers.ResultPaidAmount]
		got[o.Key] = result{o.Status, o.RawStatus, paid, ok}
	}
	want := map[string]result{}
	for key, tc := range cases {
		want[key] = tc.want
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}

	// Unpaid past its expiry, an invoice is invalid.
	e.clock.Advance(sandbox.DefaultExpiry)
	obj, err := c.Lookup(ctx, providers.Query{Kind: providers.Invoice, Key: "unpaid"})
	if err != nil || obj.Status != providers.StatusInvalid || obj.RawStatus != "invalid" || !obj.Status.Final() {
		t.Errorf("expired: %+v, %v", obj, err)
	}
}

func refID(refs []providers.Ref, key string) string {
	for _, r := range refs {
		if r.Key == key {
			return r.ID
		}
	}
	return ""
}

func TestMapStatus(t *testing.T) {
	for raw, want := range map[string]providers.Status{
		"init": providers.StatusPending, "new": providers.StatusPending, "waitingForConfirmation": providers.StatusPending,
		"completed": providers.StatusPaid, "paidLate": providers.StatusPaid, "PAIDLATE": providers.StatusPaid,
		"underPaid": providers.StatusUnderpaid, "overPaid": providers.StatusOverpaid, "invalid": providers.StatusInvalid,
		"refunded": providers.StatusPending, "": providers.StatusPending,
	} {
		if got := milacoins.MapStatus(raw); got != want {
			t.Errorf("MapStatus(%q) = %s, want %s", raw, got, want)
		}
	}
}

func TestPaidAmount(t *testing.T) {
	d := decimal.RequireFromString
	rate := func(base, quote, r string) *milacoins.ExchangeRate {
		return &milacoins.ExchangeRate{Base: base, Quote: quote, Rate: d(r)}
	}
	tests := []struct {
		name string
		inv  milacoins.Invoice
		want string // "" for none
	}{
		{"nothing paid", milacoins.Invoice{InvoiceCurrency: "USD", Wallet: "USD"}, ""},
		{"wallet is the currency", milacoins.Invoice{InvoiceCurrency: "USD", Wallet: "USD", WalletCredited: d("12.5"), Network: "USDT", NetworkAmountReceived: d("12.49")}, "12.5"},
		{"network is the currency", milacoins.Invoice{InvoiceCurrency: "USD", Wallet: "BTC", WalletCredited: d("0.0002"), Network: "USD", NetworkAmountReceived: d("12")}, "12"},
		{"network priced in the currency", milacoins.Invoice{InvoiceCurrency: "EUR", Wallet: "BTC", WalletCredited: d("0.001"), Network: "BTC",
			NetworkAmountReceived: d("0.00123457"), ExchangeRate: rate("BTC", "EUR", "55555.55")}, "68.59"},
		{"currency priced in the network", milacoins.Invoice{InvoiceCurrency: "JPY", Wallet: "USDT", WalletCredited: d("10"), Network: "USDT",
			NetworkAmountReceived: d("10"), ExchangeRate: rate("JPY", "USDT", "0.0067")}, "1493"},
		{"no usable rate", milacoins.Invoice{InvoiceCurrency: "EUR", Wallet: "BTC", WalletCredited: d("0.001"), Network: "BTC",
			NetworkAmountReceived: d("0.001"), ExchangeRate: rate("ETH", "EUR", "3000")}, ""},
	}
	for _, tc := range tests {
		got, ok := milacoins.PaidAmount(tc.inv)
		if (tc.want == "") == ok || (ok && !got.Equal(d(tc.want))) {
			t.Errorf("%s: PaidAmount = %s, %v; want %q", tc.name, got, ok, tc.want)
		}
	}
}

// TestTimes reads both of the gateway's time shapes.
func TestTimes(t *testing.T) {
	for in, want := range map[string]time.Time{
		`"2026-03-01T12:00:00.000Z"`: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		`1772366400000`:              time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		`1772366400`:                 time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		`null`:                       {},
	} {
		var got milacoins.Time
		if err := got.UnmarshalJSON([]byte(in)); err != nil || !got.Equal(want) {
			t.Errorf("Time(%s) = %v, %v; want %v", in, got, err, want)
		}
	}
}

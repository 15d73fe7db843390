package money

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestFormat(t *testing.T) {
	for _, tc := range []struct{ in, currency, want string }{
		{"120.50", "USDTT", "120.50"},
		{"120.5", "USDTT", "120.50"},
		{"100", "USD", "100.00"},
		{"100.00", "USD", "100.00"},
		{"169395.64", "USD", "169,395.64"},
		{"1234567.123", "USDT", "1,234,567.123"},
		{"0.015", "BTC", "0.015"},
		{"0.0150", "BTC", "0.0150"},
		{"2", "BTC", "2"},
		{"1000", "BTC", "1,000"},
		{"999", "ETH", "999"},
		{"100000", "JPY", "100,000"},
		{"-1234.5", "EUR", "-1,234.50"},
		{"12", "NOSUCH", "12"},
	} {
		d := decimal.RequireFromString(tc.in)
		if got := Format(d, tc.currency); got != tc.want {
			t.Errorf("Format(%s, %s) = %q, want %q", tc.in, tc.currency, got, tc.want)
		}
	}
	if got := FormatString("1500.5", "USD"); got != "1,500.50" {
		t.Errorf("FormatString = %q", got)
	}
	if got := FormatString("", "USD"); got != "" {
		t.Errorf("FormatString(empty) = %q", got)
	}
}

package milacoins

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers"
)

// MapStatus maps a MilaCoins invoice status to payform's:
//
//	init, new, waitingForConfirmation   pending
//	completed                           paid
//	underPaid                           underpaid
//	overPaid                            overpaid
//	paidLate                            paid (the money arrived, after the expiry)
//	invalid                             invalid (expired unpaid or cancelled: the
//	                                    gateway does not say which)
//
// Matching ignores case; an unknown status is pending, so that it is
// read again rather than taken as final.
func MapStatus(raw string) providers.Status {
	switch strings.ToLower(raw) {
	case "completed", "paidlate":
		return providers.StatusPaid
	case "underpaid":
		return providers.StatusUnderpaid
	case "overpaid":
		return providers.StatusOverpaid
	case "invalid":
		return providers.StatusInvalid
	}
	return providers.StatusPending
}

// PaidAmount is what the customer paid, in the invoice currency, and
// whether the invoice says:
//
//   - walletCredited, when the wallet is the invoice currency;
//   - else networkAmountReceived, when the network coin is the invoice
//     currency;
//   - else networkAmountReceived converted through exchangeRate (the
//     price of the network coin in the invoice currency, or its inverse)
//     and rounded to the invoice currency's places.
//
// Nothing paid (both amounts zero) is not reported.
func PaidAmount(inv Invoice) (decimal.Decimal, bool) {
	cur := inv.InvoiceCurrency
	switch {
	case inv.WalletCredited.IsZero() && inv.NetworkAmountReceived.IsZero():
		return decimal.Decimal{}, false
	case inv.Wallet == cur && inv.WalletCredited.IsPositive():
		return inv.WalletCredited, true
	case inv.Network == cur:
		return inv.NetworkAmountReceived, true
	}
	r := inv.ExchangeRate
	if r == nil || !r.Rate.IsPositive() {
		return decimal.Decimal{}, false
	}
	places := int32(8)
	if c, ok := money.Lookup(cur); ok {
		places = c.Precision
	}
	switch {
	case r.Base == inv.Network && r.Quote == cur:
		return inv.NetworkAmountReceived.Mul(r.Rate).Round(places), true
	case r.Base == cur && r.Quote == inv.Network:
		return inv.NetworkAmountReceived.DivRound(r.Rate, places), true
	}
	return decimal.Decimal{}, false
}

// object is inv as payform sees it, under the merchant key key.
func (inv Invoice) object(key string) providers.Object {
	obj := providers.Object{
		Kind: providers.Invoice, Key: key, ID: inv.ID,
		Status: MapStatus(inv.Status), RawStatus: inv.Status,
		Amount: inv.InvoiceAmount, Currency: inv.InvoiceCurrency,
	}
	fields := map[string]string{}
	if inv.URL != "" {
		fields[providers.ResultPaymentURL] = inv.URL
	}
	if !inv.ExpiredAt.IsZero() {
		fields[providers.ResultExpiresAt] = inv.ExpiredAt.UTC().Format(time.RFC3339)
	}
	if paid, ok := PaidAmount(inv); ok {
		fields[providers.ResultPaidAmount] = paid.String()
	}
	if len(fields) > 0 {
		obj.Fields = fields
	}
	return obj
}

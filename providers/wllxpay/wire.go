package wllxpay

import (
	"strings"

	"github.com/payform/payform/providers"
)

// Wire types. Field order in the request structs is the order of the
// signed JSON body.

type withdrawalRequest struct {
	Currency  string `json:"currency"`
	ForeignID string `json:"foreign_id"`
	Amount    string `json:"amount"`
	Address   string `json:"address"`
	// Tag is not in the page's request table; payform sends it for tag
	// currencies (XRP) as CoinsPaid-style clients do, and checks the
	// answer's echo (docs/sandboxes.md, WllxPay).
	Tag string `json:"tag,omitempty" undocumented:"not in the v1 request table; the answer has a tag member, CoinsPaid's v1 clients send tag (Merkeleon/Processing-integration src/API.php) and v2 withdrawal/crypto documents it" absent:"the payout goes without its destination tag: the answer's tag is null, and Object.Tag \"\" tells the executor"`
}

type takeRequest struct {
	Currency  string `json:"currency"`
	ForeignID string `json:"foreign_id"`
}

// envelope is the success shape {"status":"ok","data":{...}}.
type envelope[T any] struct {
	Status string `json:"status"`
	Data   T      `json:"data"`
}

// transaction is the v1 withdrawal object, as withdrawal/make answers it.
// Tag is the gateway's echo of the destination tag and nothing else: it
// is never filled from the request, so that a tag the gateway did not
// take shows as "" (missing) or another value (mismatch).
type transaction struct {
	ID          providers.FlexString `json:"id"`
	Currency    providers.FlexString `json:"currency"`
	CurrencyFee providers.FlexString `json:"currency_fee"`
	Address     providers.FlexString `json:"address"`
	Tag         providers.FlexString `json:"tag"`
	Amount      providers.FlexString `json:"amount"`
	Status      providers.FlexString `json:"status"`
}

func (t transaction) object(kind providers.Kind, key string) providers.Object {
	return providers.Object{
		Kind: kind, Key: key, ID: string(t.ID),
		Status: mapStatus(string(t.Status)), RawStatus: string(t.Status),
		Amount: parseAmount(t.Amount), Currency: string(t.Currency),
		Address: string(t.Address), Tag: string(t.Tag),
	}
}

// depositAddress is the addresses/take answer.
type depositAddress struct {
	ID        providers.FlexString `json:"id"`
	Currency  providers.FlexString `json:"currency" undocumented:"not in the page's addresses/take answer; read in case the gateway names the currency it took (CoinsPaid's v2 addresses/take answer does)" absent:"the requested currency"`
	Address   providers.FlexString `json:"address"`
	ForeignID providers.FlexString `json:"foreign_id"`
	Tag       providers.FlexString `json:"tag"`
}

// v2Transaction is the nested v2 transactions/info object.
type v2Transaction struct {
	_ struct{} `undocumented:"CoinsPaid's v2 GET /api/v2/transactions/info (docs.cryptoprocessing.com; NOTES.md section 5), read only with v2_lookup = true" absent:"without v2_lookup payouts are not looked up or refreshed (Lookup and Refresh are ErrUnsupported)"`

	ID           providers.FlexString `json:"id"`
	ForeignID    providers.FlexString `json:"foreign_id"`
	Type         providers.FlexString `json:"type"`
	Status       providers.FlexString `json:"status"`
	CurrencySent struct {
		Currency providers.FlexString `json:"currency"`
		Amount   providers.FlexString `json:"amount"`
	} `json:"currency_sent"`
	CryptoAddress struct {
		Address providers.FlexString `json:"address"`
		Tag     providers.FlexString `json:"tag"`
	} `json:"crypto_address"`
	// Error is the v2 object's error text: v2 reports a withdrawal that
	// ended in error as "cancelled" (it maps error and rejected to
	// cancelled) and says why here.
	Error providers.FlexString `json:"error"`
}

// object maps a v2 transaction to payform's payout. v2 folds v1's error
// into cancelled; the error text tells them apart, so that a withdrawal
// is failed whether payform learns of it from its v1 callback (status
// error) or from a v2 lookup (cancelled, with an error), and cancelled
// only when v2 gives no reason (v1's cancelled: a double spend).
func (t v2Transaction) object(key string) providers.Object {
	o := providers.Object{
		Kind: providers.Payout, Key: key, ID: string(t.ID),
		Status: v2Status(string(t.Status), string(t.Error)), RawStatus: string(t.Status),
		Amount: parseAmount(t.CurrencySent.Amount), Currency: string(t.CurrencySent.Currency),
		Address: string(t.CryptoAddress.Address), Tag: string(t.CryptoAddress.Tag),
	}
	if e := strings.TrimSpace(string(t.Error)); e != "" {
		o.Fields = map[string]string{"error": e}
	}
	return o
}

// v2Status maps a v2 status: as mapStatus, but "cancelled" with an error
// text is failed.
func v2Status(raw, errText string) providers.Status {
	s := mapStatus(raw)
	if s == providers.StatusCancelled && strings.TrimSpace(errText) != "" {
		return providers.StatusFailed
	}
	return s
}

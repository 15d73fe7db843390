package milacoins

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// Wire types. Field order in the request struct is the order of the
// signed JSON body.

// createRequest is the body of both create endpoints; the payment-link
// fields are omitted for a plain invoice.
type createRequest struct {
	Wallet        string      `json:"wallet"`
	Amount        json.Number `json:"amount"`
	Currency      string      `json:"currency"`
	ExternalID    string      `json:"externalID,omitempty"`
	ExpiredAt     string      `json:"expiredAt,omitempty"`
	CancelURL     string      `json:"cancelUrl,omitempty"`
	CompletedURL  string      `json:"completedUrl,omitempty"`
	CallbackURL   string      `json:"callbackUrl,omitempty"`
	CustomerEmail string      `json:"customerEmail,omitempty"`
}

// createResponse is the create answer. The id is read from "_id" too,
// where the vendor's WooCommerce widget reads it; status is not
// documented and used only when present.
type createResponse struct {
	ID         string          `json:"id"`
	MongoID    string          `json:"_id" undocumented:"the vendor's WooCommerce widget reads the created invoice's id as _id (NOTES.md section 1)" absent:"the id comes from id"`
	Wallet     string          `json:"wallet"`
	Amount     decimal.Decimal `json:"amount"`
	Currency   string          `json:"currency"`
	ExternalID string          `json:"externalID"`
	URL        string          `json:"url"`
	ExpiredAt  Time            `json:"expiredAt"`
	CreatedAt  Time            `json:"createdAt"`
	Status     string          `json:"status" undocumented:"the page documents status for invoices (lists, by id), not in the create answer; read in case it is there" absent:"a new invoice is pending, raw status init (payment link) or new (plain), as the sandbox starts them"`
}

// Invoice is an invoice as the list and by-id endpoints report it. URL
// and ExpiredAt are not documented there and are used only when present.
type Invoice struct {
	ID                    string          `json:"id"`
	Type                  string          `json:"type"`
	Status                string          `json:"status"`
	InvoiceCurrency       string          `json:"invoiceCurrency"`
	InvoiceAmount         decimal.Decimal `json:"invoiceAmount"`
	Wallet                string          `json:"wallet"`
	WalletCredited        decimal.Decimal `json:"walletCredited"`
	Network               string          `json:"network"`
	NetworkAmountReceived decimal.Decimal `json:"networkAmountReceived"`
	ExchangeRate          *ExchangeRate   `json:"exchangeRate"`
	Address               string          `json:"address"`
	ExternalID            string          `json:"externalID"`
	CreatedAt             Time            `json:"createdAt"`
	URL                   string          `json:"url" undocumented:"the page documents url in the create answers, not in lists; read in case a list has it" absent:"payment_url comes from the create answer only (adopted invoices have none)"`
	ExpiredAt             Time            `json:"expiredAt" undocumented:"the page documents expiredAt in the create answers, not in lists; read in case a list has it" absent:"expires_at comes from the create answer only"`
}

// ExchangeRate is the price of one Base in Quote.
type ExchangeRate struct {
	Base  string          `json:"base"`
	Quote string          `json:"quote"`
	Rate  decimal.Decimal `json:"rate"`
}

// Page is one page of a list answer.
type Page struct {
	Count int       `json:"count"`
	Limit int       `json:"limit"`
	Skip  int       `json:"skip"`
	Docs  []Invoice `json:"docs"`
}

// Time decodes the gateway's times: an ISO 8601 string (lists) or a
// number of epoch milliseconds (create answers; values below 10^11 are
// taken as seconds). null and "" are the zero time.
type Time struct{ time.Time }

func (t *Time) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" || string(b) == `""` {
		t.Time = time.Time{}
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
			if v, err := time.Parse(layout, s); err == nil {
				t.Time = v.UTC()
				return nil
			}
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			t.Time = epoch(n)
			return nil
		}
		return fmt.Errorf("time %q is not ISO 8601", s)
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("time %s is neither a string nor a number", b)
	}
	t.Time = epoch(int64(f))
	return nil
}

// epoch reads n as milliseconds, or as seconds when below 10^11 (a date
// before 1973 in milliseconds).
func epoch(n int64) time.Time {
	if n < 1e11 {
		return time.Unix(n, 0).UTC()
	}
	return time.UnixMilli(n).UTC()
}

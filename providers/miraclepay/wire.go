package miraclepay

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/payform/payform/providers"
	"github.com/shopspring/decimal"
)

// promptRequest is POST /external/payments/prompt's body. Amount is a JSON
// number written from the exact decimal, never through float64.
type promptRequest struct {
	Amount        json.Number `json:"amount"`
	BlockchainIDs []string    `json:"blockchainIds"`
	Payer         string      `json:"payer"`
	Note          string      `json:"note,omitempty"`
	RedirectURL   string      `json:"redirectUrl,omitempty"`
}

// createResponse is the create answer: {prompt:{...}, checkoutUrl}.
type createResponse struct {
	Prompt struct {
		ID               providers.FlexString `json:"id"`
		Amount           flexAmount           `json:"amount"`
		CommissionAmount flexAmount           `json:"commissionAmount"`
		Status           providers.FlexString `json:"status"`
		SessionStatus    providers.FlexString `json:"sessionStatus"`
		ExpiresAt        providers.FlexString `json:"expiresAt"`
		CreatedAt        providers.FlexString `json:"createdAt"`
		RedirectURL      providers.FlexString `json:"redirectUrl"`
	} `json:"prompt"`
	CheckoutURL providers.FlexString `json:"checkoutUrl"`
}

// statusResponse is GET /external/payments/prompt/:id's answer: the
// page's four fields and nothing more. The page documents neither the
// amount nor the note there, so payform never learns them from it.
type statusResponse struct {
	ID           providers.FlexString `json:"id"`
	BlockchainID providers.FlexString `json:"blockchainId"`
	Status       providers.FlexString `json:"status"`
	CreatedAt    providers.FlexString `json:"createdAt"`
}

// errorBody is NestJS's error shape; message is a string, or an array of
// strings for DTO validation errors.
type errorBody struct {
	StatusCode int      `json:"statusCode"`
	Message    messages `json:"message"`
	Error      string   `json:"error"`
}

// messages decodes a string or an array of strings.
type messages []string

func (m *messages) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*m = messages{s}
		return nil
	}
	var list []string
	if json.Unmarshal(b, &list) == nil {
		*m = list
		return nil
	}
	*m = nil // anything else: no message
	return nil
}

// flexAmount decodes an amount sent as a JSON number or a string,
// exactly; null or "" is zero.
type flexAmount struct{ decimal.Decimal }

func (a *flexAmount) UnmarshalJSON(b []byte) error {
	var s providers.FlexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	if strings.TrimSpace(string(s)) == "" {
		a.Decimal = decimal.Zero
		return nil
	}
	d, err := decimal.NewFromString(strings.TrimSpace(string(s)))
	if err != nil {
		return fmt.Errorf("amount %s: %v", b, err)
	}
	a.Decimal = d
	return nil
}

// parseTime reads an ISO 8601 timestamp; zero when it does not parse.
func parseTime(s providers.FlexString) time.Time {
	t, err := time.Parse(time.RFC3339Nano, string(s))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

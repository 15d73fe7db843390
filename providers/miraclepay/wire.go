package miraclepay

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

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
		ID               flexString `json:"id"`
		Amount           flexAmount `json:"amount"`
		CommissionAmount flexAmount `json:"commissionAmount"`
		Status           flexString `json:"status"`
		SessionStatus    flexString `json:"sessionStatus"`
		ExpiresAt        flexString `json:"expiresAt"`
		CreatedAt        flexString `json:"createdAt"`
		RedirectURL      flexString `json:"redirectUrl"`
	} `json:"prompt"`
	CheckoutURL flexString `json:"checkoutUrl"`
}

// statusResponse is GET /external/payments/prompt/:id's answer.
type statusResponse struct {
	ID           flexString `json:"id"`
	BlockchainID flexString `json:"blockchainId"`
	Status       flexString `json:"status"`
	CreatedAt    flexString `json:"createdAt"`
	// Beyond the vendor's example; read when present.
	Amount           flexString `json:"amount"`
	CommissionAmount flexString `json:"commissionAmount"`
	Payer            flexString `json:"payer"`
	Note             flexString `json:"note"`
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

// flexString decodes a JSON string, number or null into a string.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a string or number, got %s", b)
	}
	*f = flexString(n.String())
	return nil
}

// flexAmount decodes an amount sent as a JSON number or a string,
// exactly; null or "" is zero.
type flexAmount struct{ decimal.Decimal }

func (a *flexAmount) UnmarshalJSON(b []byte) error {
	var s flexString
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
func parseTime(s flexString) time.Time {
	t, err := time.Parse(time.RFC3339Nano, string(s))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

package sandbox

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Prompt statuses.
const (
	StatusPending      = "pending"
	StatusSuccessful   = "successful"
	StatusUnsuccessful = "unsuccessful"
	StatusExpired      = "expired"
	StatusCancelled    = "cancelled"
)

// notePrefix starts the notes payform writes: "payform:KEY description".
const notePrefix = "payform:"

type prompt struct {
	id          string
	key         string          // the ledger key (see ledgerKey)
	amount      decimal.Decimal // as requested
	total       decimal.Decimal // what the customer pays
	commission  decimal.Decimal
	payer       string
	chains      []string
	note        string
	redirectURL string
	createdAt   time.Time
	expiresAt   time.Time

	// The outcome, once there is one.
	final     string // successful, unsuccessful or cancelled
	finalAt   time.Time
	paidChain string
	paid      decimal.Decimal
}

// status is p's status at now: its outcome, else expired from expiresAt,
// else pending.
func (p *prompt) status(now time.Time) string {
	switch {
	case p.final != "":
		return p.final
	case !now.Before(p.expiresAt):
		return StatusExpired
	}
	return StatusPending
}

// chain is the blockchain GET reports: the one paid on, else the first
// allowed.
func (p *prompt) chain() string {
	if p.paidChain != "" {
		return p.paidChain
	}
	return p.chains[0]
}

// ledgerKey is the merchant key a note carries: the word after
// "payform:", else the whole note, else the prompt id.
func ledgerKey(note, id string) string {
	if rest, ok := strings.CutPrefix(note, notePrefix); ok {
		if key, _, _ := strings.Cut(rest, " "); key != "" {
			return key
		}
	}
	if note = strings.TrimSpace(note); note != "" {
		return note
	}
	return id
}

// isoTime is the vendor's timestamp form, "2025-01-28T14:30:00.000Z".
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// promptJSON is the prompt in the create answer.
type promptJSON struct {
	ID               string      `json:"id"`
	Amount           json.Number `json:"amount"`
	CommissionAmount string      `json:"commissionAmount"`
	Status           string      `json:"status"`
	SessionStatus    string      `json:"sessionStatus"`
	ExpiresAt        string      `json:"expiresAt"`
	CreatedAt        string      `json:"createdAt"`
	RedirectURL      *string     `json:"redirectUrl"`
}

func (e *Emulator) createAnswer(p *prompt) any {
	var redirect *string
	if p.redirectURL != "" {
		redirect = &p.redirectURL
	}
	return struct {
		Prompt      promptJSON `json:"prompt"`
		CheckoutURL string     `json:"checkoutUrl"`
	}{
		promptJSON{ID: p.id, Amount: json.Number(p.total.String()), CommissionAmount: p.commission.StringFixed(2),
			Status: StatusPending, SessionStatus: StatusPending, ExpiresAt: isoTime(p.expiresAt), CreatedAt: isoTime(p.createdAt),
			RedirectURL: redirect},
		e.checkout + "?sessionId=" + p.id,
	}
}

// statusJSON is GET /external/payments/prompt/:id's answer: exactly the
// page's example, {id, blockchainId, status, createdAt}. The amount, the
// commission, the payer and the note are not in it: the page does not
// document them there, so a client must not learn them from it.
type statusJSON struct {
	ID           string `json:"id"`
	BlockchainID string `json:"blockchainId"`
	Status       string `json:"status"`
	CreatedAt    string `json:"createdAt"`
}

func statusAnswer(p *prompt, now time.Time) statusJSON {
	return statusJSON{ID: p.id, BlockchainID: p.chain(), Status: p.status(now), CreatedAt: isoTime(p.createdAt)}
}

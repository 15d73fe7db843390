package sandbox

import (
	"errors"
	"fmt"
	"time"

	"github.com/payform/payform/providers/emulator"
	"github.com/shopspring/decimal"
)

// Record ops. Each mutation is one record in the journal; replaying them
// in order rebuilds the state.
const (
	opPrompt  = "prompt"  // a prompt created
	opRequest = "request" // a refused create request, counted for its key
	opOutcome = "outcome" // a prompt's final status (a payment or an admin's)
	opAccount = "account" // the merchant account's state changed
)

// record is one journal line's record. Fields are used per Op.
type record struct {
	Op          string    `json:"op"`
	ID          string    `json:"id,omitzero"`
	Key         string    `json:"key,omitzero"`
	Amount      string    `json:"amount,omitzero"`
	Total       string    `json:"total,omitzero"`
	Commission  string    `json:"commission,omitzero"`
	Payer       string    `json:"payer,omitzero"`
	Chains      []string  `json:"chains,omitzero"`
	Note        string    `json:"note,omitzero"`
	RedirectURL string    `json:"redirect_url,omitzero"`
	Status      string    `json:"status,omitzero"`
	Chain       string    `json:"chain,omitzero"`
	Account     *Account  `json:"account,omitzero"`
	At          time.Time `json:"at,omitzero"`
	ExpiresAt   time.Time `json:"expires_at,omitzero"`
}

// commit journals rec, then applies it. Called with e.mu held, so the
// journal's order is the order of the state's changes; nothing changes if
// the journal refuses the record.
func (e *Emulator) commit(rec record) error {
	return emulator.Commit(e.journal, rec, e.apply)
}

// replay rebuilds the state from the journal.
func (e *Emulator) replay() error {
	return emulator.Replay(e.journal, e.apply)
}

// apply makes one record's change to the state.
func (e *Emulator) apply(rec record) error {
	switch rec.Op {
	case opPrompt:
		var amounts [3]decimal.Decimal
		for i, s := range []string{rec.Amount, rec.Total, rec.Commission} {
			d, err := decimal.NewFromString(s)
			if err != nil {
				return fmt.Errorf("prompt %s: amount %q: %w", rec.ID, s, err)
			}
			amounts[i] = d
		}
		if _, dup := e.prompts[rec.ID]; dup || len(rec.Chains) == 0 {
			return fmt.Errorf("prompt %s is repeated or has no blockchains", rec.ID)
		}
		p := &prompt{id: rec.ID, key: ledgerKey(rec.Note, rec.ID), amount: amounts[0], total: amounts[1], commission: amounts[2],
			payer: rec.Payer, chains: rec.Chains, note: rec.Note, redirectURL: rec.RedirectURL, createdAt: rec.At, expiresAt: rec.ExpiresAt}
		e.prompts[p.id] = p
		e.order = append(e.order, p)
		e.byKey[p.key] = append(e.byKey[p.key], p)
		e.requests[p.key]++
	case opRequest:
		e.requests[rec.Key]++
	case opOutcome:
		p, ok := e.prompts[rec.ID]
		if !ok {
			return fmt.Errorf("outcome for unknown prompt %s", rec.ID)
		}
		p.final, p.finalAt, p.paidChain = rec.Status, rec.At, rec.Chain
		if rec.Amount != "" {
			d, err := decimal.NewFromString(rec.Amount)
			if err != nil {
				return fmt.Errorf("prompt %s: paid %q: %w", rec.ID, rec.Amount, err)
			}
			p.paid = d
		}
	case opAccount:
		if rec.Account == nil {
			return errors.New("account record without an account")
		}
		e.account = *rec.Account
	default:
		return fmt.Errorf("unknown record op %q", rec.Op)
	}
	return nil
}

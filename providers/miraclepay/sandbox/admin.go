package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/payform/payform/providers/emulator"
)

// PromptView is a prompt as the admin API shows it.
type PromptView struct {
	ID          string     `json:"id"`
	Key         string     `json:"key"`
	Note        string     `json:"note,omitempty"`
	Amount      string     `json:"amount"`
	Total       string     `json:"total"`
	Commission  string     `json:"commission"`
	Payer       string     `json:"payer"`
	Blockchains []string   `json:"blockchain_ids"`
	RedirectURL string     `json:"redirect_url,omitempty"`
	Status      string     `json:"status"`
	CreatedAt   time.Time  `json:"created_at"`
	ExpiresAt   time.Time  `json:"expires_at"`
	EndedAt     *time.Time `json:"ended_at,omitempty"`
	PaidOn      string     `json:"paid_on,omitempty"`
	Paid        string     `json:"paid,omitempty"`
}

// Prompts returns every prompt as of now, oldest first.
func (e *Emulator) Prompts() []PromptView {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock.Now()
	out := make([]PromptView, 0, len(e.order))
	for _, p := range e.order {
		v := PromptView{ID: p.id, Key: p.key, Note: p.note, Amount: p.amount.String(), Total: p.total.String(),
			Commission: p.commission.StringFixed(2), Payer: p.payer, Blockchains: p.chains, RedirectURL: p.redirectURL,
			Status: p.status(now), CreatedAt: p.createdAt, ExpiresAt: p.expiresAt, EndedAt: p.endedAt(), PaidOn: p.paidChain}
		if p.final != "" && !p.paid.IsZero() {
			v.Paid = p.paid.String()
		}
		out = append(out, v)
	}
	return out
}

// Account returns the merchant account's state.
func (e *Emulator) Account() Account {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.account
}

// SetAccount changes the merchant account's state.
func (e *Emulator) SetAccount(a Account) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.commit(record{Op: opAccount, Account: &a})
}

// serveAdmin serves, under /_sandbox/miraclepay:
//
//	GET  /prompts                              {"prompts":[PromptView...]}
//	POST /status {"id":ID,"status":"cancelled"} ends a pending prompt
//	GET  /account                              {"active":true,"merchant_admin":true,"main_branch":true}
//	PUT  /account {...}                        replaces it; answers as GET
func (e *Emulator) serveAdmin(w http.ResponseWriter, r *http.Request) {
	var err error
	var view func() any
	switch route := r.Method + " " + r.URL.Path; route {
	case "GET /prompts":
		view = func() any { return map[string]any{"prompts": e.Prompts()} }
	case "GET /account":
		view = func() any { return e.Account() }
	case "PUT /account":
		a := e.Account() // fields left out keep their values
		if err = decode(r, &a); err == nil {
			err = e.SetAccount(a)
		}
		view = func() any { return e.Account() }
	case "POST /status":
		var body struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		}
		var obj emulator.LedgerObject
		if err = decode(r, &body); err == nil {
			obj, err = e.SetStatus(body.ID, body.Status)
		}
		view = func() any { return obj }
	default:
		emulator.WriteJSONError(w, http.StatusNotFound,
			fmt.Sprintf("no admin route %q; try GET /prompts, POST /status, GET|PUT /account", route))
		return
	}
	emulator.WriteResult(w, err, view, emulator.ErrNoInvoice)
}

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("bad JSON body: %v", err)
	}
	return nil
}

package planner

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/state"
)

// FormatVersion is the plan file format this package writes.
const FormatVersion = 1

// Plan is the money diff between a configuration and a state: exactly
// what apply will do. It is also the plan file (plan --out).
type Plan struct {
	FormatVersion  int       `json:"format_version"`
	PayformVersion string    `json:"payform_version"`
	PlanID         string    `json:"plan_id"`
	CreatedAt      time.Time `json:"created_at"`
	ExpiresAt      time.Time `json:"expires_at"`
	// The state the plan was made against.
	StateLineage    string `json:"state_lineage"`
	StateSerial     uint64 `json:"state_serial"`
	StateJournalSeq uint64 `json:"state_journal_seq"`
	// ConfigDigest and Variables are what the configuration was.
	ConfigDigest string                  `json:"config_digest"`
	Variables    map[string]PlanVariable `json:"variables"`
	Changes      []*Change               `json:"changes"`
	Drift        []*Drift                `json:"drift"`
	Summary      Summary                 `json:"summary"`
}

// PlanVariable records one variable's value. Sensitive values are kept
// only as a keyed digest, enough to notice a change.
type PlanVariable struct {
	Value     json.RawMessage `json:"value,omitempty"`
	Sensitive bool            `json:"sensitive,omitempty"`
	Digest    string          `json:"digest,omitempty"`
}

// Change is one action on one resource instance.
type Change struct {
	Address  string         `json:"address"`
	Action   Action         `json:"action"`
	Kind     providers.Kind `json:"kind"`
	Provider string         `json:"provider"`
	Gateway  string         `json:"gateway"`
	Key      string         `json:"key"`
	// Amount, Currency and Attrs are the declared object (After): for
	// forget, the recorded one.
	Amount   decimal.Decimal   `json:"amount"`
	Currency string            `json:"currency,omitempty"`
	Attrs    map[string]string `json:"attrs,omitempty"`
	// Before is the state's record (resolve, forget, restore).
	Before *state.Resource `json:"before,omitempty"`
	// From is where a restored record is kept, when not at Address.
	From string `json:"from,omitempty"`
	// Found is the gateway object an adopt records.
	Found *Found `json:"found,omitempty"`
	// Note explains the action in one sentence, where it needs it.
	Note string `json:"note,omitempty"`
}

// Found is a gateway object found by merchant key.
type Found struct {
	ID        string `json:"id,omitempty"`
	Status    string `json:"status"`
	RawStatus string `json:"raw_status,omitempty"`
}

// Drift is a status the gateway reports that differs from the state's.
type Drift struct {
	Address   string `json:"address"`
	Provider  string `json:"provider"`
	Key       string `json:"key"`
	ID        string `json:"id,omitempty"`
	Before    string `json:"before"`
	After     string `json:"after"`
	RawBefore string `json:"raw_before,omitempty"`
	RawAfter  string `json:"raw_after,omitempty"`
	// Fields are what the gateway reports beside the status (e.g. an
	// invoice's paid_amount); apply records them.
	Fields map[string]string `json:"fields,omitempty"`
}

// Request returns the gateway request a create sends.
func (c *Change) Request() providers.Request {
	return providers.Request{
		Kind: c.Kind, Key: c.Key, Amount: c.Amount, Currency: c.Currency,
		Address: c.Attrs["address"], Tag: c.Attrs["tag"], Fields: c.Attrs,
	}
}

// Declared returns the declared object as the journal records it.
func (c *Change) Declared() *state.Declared {
	d := &state.Declared{Kind: string(c.Kind), Gateway: c.Gateway, Currency: c.Currency, Attrs: c.Attrs}
	if !c.Amount.IsZero() {
		d.Amount = c.Amount.String()
	}
	return d
}

// RequestDigest is a hash of what a create sends, recorded with its
// intent so an auditor can tell two attempts carried the same request.
func (c *Change) RequestDigest() string {
	b, _ := json.Marshal(struct {
		Provider, Kind, Key, Amount, Currency string
		Attrs                                 map[string]string
	}{c.Provider, string(c.Kind), c.Key, c.Amount.String(), c.Currency, c.Attrs})
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// HasChanges reports whether applying the plan would do anything.
func (p *Plan) HasChanges() bool { return len(p.Changes) > 0 || len(p.Drift) > 0 }

package planner

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/policy"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// Plan is the money diff between a configuration and a state: exactly
// what apply will do. On disk it is a plan file (planfile.go).
type Plan struct {
	FormatVersion  int
	PayformVersion string
	PlanID         string
	CreatedAt      time.Time
	ExpiresAt      time.Time
	// Author is who made the plan (the actor); approvals by the author do
	// not count.
	Author string
	// The state the plan was made against.
	StateLineage    string
	StateSerial     uint64
	StateJournalSeq uint64
	// ConfigDigest, Variables and Accounts are what the configuration was.
	ConfigDigest string
	// ConfigFiles are the digests of the files one by one
	// (schema.Config.FileDigests), to say which changed.
	ConfigFiles map[string]string
	Variables   map[string]PlanVariable
	Accounts    map[string]string
	// Targets and RefreshOnly are how the plan was asked for.
	Targets     []string
	RefreshOnly bool
	// Policy is what the policy blocks say of the plan, nil without
	// policy blocks (policies.go).
	Policy *Policy
	// Funding compares what the plan sends with the balances the gateways
	// reported (policy.CheckFunding), when cmd read them; nil otherwise.
	// The plan file carries it for renderings; apply reads the balances
	// again rather than compare them.
	Funding *policy.Funding
	Changes []*Change
	Drift   []*Drift
	Summary Summary
	// Digest is the plan file's digest (Seal, Encode, ReadFile): what
	// approvals sign, with the rest of the file.
	Digest string
}

// PlanVariable records one non-sensitive variable's value; a sensitive
// one is only marked so.
type PlanVariable struct {
	Value     json.RawMessage `json:"value,omitempty"`
	Sensitive bool            `json:"sensitive,omitempty"`
}

// Change is one action on one resource instance.
type Change struct {
	Address  string         `json:"address"`
	Action   Action         `json:"action"`
	Kind     providers.Kind `json:"kind"`
	Provider string         `json:"provider"`
	// Scope is the gateway realm the key lives at (schema.Provider.Realm).
	Scope   string `json:"scope,omitempty"`
	Gateway string `json:"gateway"`
	Key     string `json:"key"`
	// Amount, Currency and Attrs are the declared object (After): for
	// forget, the recorded one.
	Amount   decimal.Decimal   `json:"amount"`
	Currency string            `json:"currency,omitempty"`
	Attrs    map[string]string `json:"attrs,omitempty"`
	// Before is the state's record (resolve, forget, restore).
	Before *state.Resource `json:"-"`
	// From is where a restored record is kept, when not at Address.
	From string `json:"from,omitempty"`
	// Found is the gateway object an adopt records.
	Found *Found `json:"found,omitempty"`
	// Note explains the action in one sentence, where it needs it.
	Note string `json:"note,omitempty"`
	// Verdict is what the policies say of a change that may send money (a
	// create or resolve other than a deposit address's), when the
	// configuration has policies.
	Verdict *policy.Verdict `json:"verdict,omitempty"`
	// decl is the declaration a change of a plan just made comes from.
	decl *schema.Resource
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

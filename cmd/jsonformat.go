package cmd

import (
	"maps"
	"time"

	"github.com/payform/payform/planner"
	"github.com/payform/payform/policy"
	"github.com/payform/payform/state"
)

// JSONFormatVersion is the version of payform's machine-readable output
// (docs/json-format.md). Additions keep the major version; anything that
// could break a policy or a pipeline bumps it.
const JSONFormatVersion = "1.0"

// jsonPlan is a plan as `show --json PLANFILE` prints it.
type jsonPlan struct {
	FormatVersion  string       `json:"format_version"`
	Type           string       `json:"type"` // "plan"
	PayformVersion string       `json:"payform_version"`
	PlanID         string       `json:"plan_id"`
	CreatedAt      time.Time    `json:"created_at"`
	ExpiresAt      time.Time    `json:"expires_at"`
	State          jsonStateRef `json:"state"`
	ConfigDigest   string       `json:"config_digest"`
	// ConfigFiles are the files' digests one by one (a refused plan names
	// the files that changed).
	ConfigFiles map[string]string `json:"config_files,omitempty"`
	Author      string            `json:"author"`
	// Policy, Funding and ApprovalStatus: render_policy.go.
	Policy         *jsonPolicy          `json:"policy,omitempty"`
	Funding        *policy.Funding      `json:"funding,omitempty"`
	ApprovalStatus []jsonApprovalStatus `json:"approval_status,omitempty"`
	Changes        []jsonChange         `json:"changes"`
	Drift          []*planner.Drift     `json:"drift"`
	// Warnings are the configuration's, the planning's and the balances'
	// (a payout without its destination tag, ...), beside the summary.
	Warnings []planner.Warning `json:"warnings"`
	Summary  planner.Summary   `json:"summary"`
}

type jsonStateRef struct {
	Lineage    string `json:"lineage"`
	Serial     uint64 `json:"serial"`
	JournalSeq uint64 `json:"journal_seq"`
}

// jsonChange is one change. Before and After are objects or null; Amount
// and Currency repeat After's (or Before's, for forget) so that policies
// need not look inside.
type jsonChange struct {
	Address  string      `json:"address"`
	Action   string      `json:"action"`
	Kind     string      `json:"kind"`
	Provider string      `json:"provider"`
	Gateway  string      `json:"gateway"`
	Key      string      `json:"key"`
	Amount   string      `json:"amount"`
	Currency string      `json:"currency"`
	Before   *jsonObject `json:"before"`
	After    *jsonObject `json:"after"`
	Note     string      `json:"note,omitempty"`
	// Verdict is what the policies say of a change that may send money.
	Verdict *policy.Verdict `json:"verdict,omitempty"`
}

// jsonObject is a declared or recorded object.
type jsonObject struct {
	Kind       string            `json:"kind"`
	Provider   string            `json:"provider"`
	Key        string            `json:"key"`
	Amount     string            `json:"amount"`
	Currency   string            `json:"currency"`
	Attributes map[string]string `json:"attributes"`
	// What the gateway reported (recorded objects only).
	ID        string            `json:"id,omitempty"`
	Status    string            `json:"status,omitempty"`
	RawStatus string            `json:"raw_status,omitempty"`
	Remote    map[string]string `json:"remote,omitempty"`
	InDoubt   bool              `json:"in_doubt,omitempty"`
	CreatedAt *time.Time        `json:"created_at,omitempty"`
}

func toJSONPlan(p *planner.Plan) jsonPlan {
	out := jsonPlan{
		FormatVersion: JSONFormatVersion, Type: "plan", PayformVersion: p.PayformVersion, PlanID: p.PlanID,
		CreatedAt: p.CreatedAt, ExpiresAt: p.ExpiresAt,
		State:        jsonStateRef{p.StateLineage, p.StateSerial, p.StateJournalSeq},
		ConfigDigest: p.ConfigDigest, ConfigFiles: p.ConfigFiles, Author: p.Author, Changes: make([]jsonChange, len(p.Changes)), Drift: p.Drift,
		Warnings: p.Warnings, Summary: p.Summary,
		Policy: toJSONPolicy(p.Policy), Funding: p.Funding,
	}
	if out.Drift == nil {
		out.Drift = []*planner.Drift{}
	}
	if out.Warnings == nil {
		out.Warnings = []planner.Warning{} // an array a policy can count
	}
	for i, c := range p.Changes {
		out.Changes[i] = toJSONChange(c)
	}
	return out
}

func toJSONChange(c *planner.Change) jsonChange {
	j := jsonChange{
		Address: c.Address, Action: string(c.Action), Kind: string(c.Kind), Provider: c.Provider,
		Gateway: c.Gateway, Key: c.Key, Currency: c.Currency, Note: c.Note, Verdict: c.Verdict,
	}
	if !c.Amount.IsZero() {
		j.Amount = c.Amount.String()
	}
	if c.Before != nil {
		j.Before = toJSONObject(c.Before)
	}
	if c.Action != planner.Forget {
		after := &jsonObject{Kind: string(c.Kind), Provider: c.Provider, Key: c.Key, Amount: j.Amount, Currency: c.Currency, Attributes: nonNil(c.Attrs)}
		if c.Found != nil {
			after.ID, after.Status, after.RawStatus = c.Found.ID, c.Found.Status, c.Found.RawStatus
		}
		if c.Action == planner.Restore && c.Before != nil {
			after.ID, after.Status, after.Remote = c.Before.ID, c.Before.Status, c.Before.Remote
		}
		j.After = after
	}
	return j
}

func toJSONObject(r *state.Resource) *jsonObject {
	created := r.CreatedAt
	return &jsonObject{
		Kind: r.Kind, Provider: r.Provider, Key: r.Key, Amount: r.Amount, Currency: r.Currency,
		Attributes: nonNil(r.Attrs), ID: r.ID, Status: r.Status, RawStatus: r.RawStatus,
		Remote: r.Remote, InDoubt: r.InDoubt(), CreatedAt: &created,
	}
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return maps.Clone(m)
}

// jsonState is the state as `show --json` prints it.
type jsonState struct {
	FormatVersion  string              `json:"format_version"`
	Type           string              `json:"type"` // "state"
	PayformVersion string              `json:"payform_version"`
	Lineage        string              `json:"lineage"`
	Serial         uint64              `json:"serial"`
	JournalSeq     uint64              `json:"journal_seq"`
	Resources      []jsonStateResource `json:"resources"`
	Forgotten      []jsonStateResource `json:"forgotten"`
	ReservedKeys   []state.KeyRef      `json:"reserved_keys"`
}

type jsonStateResource struct {
	Address string `json:"address"`
	jsonObject
	ForgottenAt *time.Time `json:"forgotten_at,omitempty"`
}

func toJSONState(st *state.State) jsonState {
	out := jsonState{
		FormatVersion: JSONFormatVersion, Type: "state", PayformVersion: Version,
		Lineage: st.Lineage, Serial: st.Serial, JournalSeq: st.JournalSeq,
		Resources: []jsonStateResource{}, Forgotten: []jsonStateResource{}, ReservedKeys: []state.KeyRef{},
	}
	for _, r := range st.List() {
		out.Resources = append(out.Resources, jsonStateResource{Address: r.Address, jsonObject: *toJSONObject(r)})
	}
	for _, r := range st.ForgottenList() {
		at := r.ForgottenAt
		out.Forgotten = append(out.Forgotten, jsonStateResource{Address: r.Address, jsonObject: *toJSONObject(r), ForgottenAt: &at})
	}
	out.ReservedKeys = append(out.ReservedKeys, st.ReservedKeyList()...)
	return out
}

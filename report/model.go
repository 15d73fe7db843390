package report

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/state"
)

// Model is everything a report shows, computed from the state and its
// journal by Build. The HTML and CSV renderings read only this, so they
// are tested with plain values.
type Model struct {
	Source    string // the state's storage, e.g. "payform.state.json"
	Lineage   string
	Serial    uint64
	Generated time.Time
	Period    Period
	Check     Check

	// Currencies are the money totals, one per currency, sorted by code.
	Currencies []CurrencyTotals
	// Statuses counts the ledger's items by kind and status.
	Statuses []StatusRow
	// Providers totals the ledger per provider block (an account).
	Providers []ProviderRow
	// Plans lists the plans applied in the period, oldest first.
	Plans []PlanRow
	// Attention lists the items a person must look at, worst first:
	// failed, cancelled, underpaid, in doubt, refused (Category order).
	Attention []*Item
	// Ledger is every item with activity in the period, oldest first.
	Ledger []*Item
}

// Period is the time a report covers: [Since, Until). A zero bound is
// open.
type Period struct {
	Since, Until time.Time
}

// Contains reports whether t falls in the period.
func (p Period) Contains(t time.Time) bool {
	return (p.Since.IsZero() || !t.Before(p.Since)) && (p.Until.IsZero() || t.Before(p.Until))
}

// Check is the journal check: state.Verify's verdict (what audit verify
// says) on the whole journal, and the heads it was checked against.
type Check struct {
	OK      bool
	Entries int    // journal entries replayed from the first
	Error   string // why the check failed, "" when OK
	// Snapshot is the entry the snapshot is at: the state the journal
	// gives up to it is the snapshot, field by field.
	Snapshot uint64
	// Seals: entries with and without one, whether the snapshot has one,
	// whether they were checked (PAYFORM_AUDIT_KEY).
	Sealed, Unsealed int
	SnapshotSealed   bool
	KeyChecked       bool
	// Anchors are the heads kept outside the state that the journal was
	// found to reach.
	Anchors []state.Head
	// HeadSeq and HeadHash name the journal's last entry as read.
	HeadSeq  uint64
	HeadHash string
	// StateSeq and StateHash are the head of the state as loaded (the
	// snapshot and the entries replayed after it): the same entry as the
	// journal's head unless the journal was read short.
	StateSeq  uint64
	StateHash string
}

// Sum is a count of items and their total amount in one currency.
type Sum struct {
	Count  int
	Amount decimal.Decimal
}

func (s *Sum) add(amount decimal.Decimal) {
	s.Count++
	s.Amount = s.Amount.Add(amount)
}

// CurrencyTotals are one currency's totals over the period. Payouts:
// Sent (accepted by the gateway) and, of those, Confirmed and Lost
// (failed or cancelled); InDoubt were attempted but are not known to
// exist. Invoices: Invoiced (created), Paid (paid or overpaid, at their
// declared amount), Underpaid.
type CurrencyTotals struct {
	Currency  string
	Sent      Sum
	Confirmed Sum
	Lost      Sum
	InDoubt   Sum
	Invoiced  Sum
	Paid      Sum
	Underpaid Sum
	// Days are the per-day totals (UTC), every day of the span, oldest
	// first; Chart draws them.
	Days  []DayTotals
	Chart Chart
}

// DayTotals are one day's sent, invoiced and paid totals in a currency.
type DayTotals struct {
	Day                  string // 2006-01-02, UTC
	Sent, Invoiced, Paid Sum
}

// Money is an amount in a currency.
type Money struct {
	Currency string
	Amount   decimal.Decimal
}

// StatusRow counts one kind's items in one status.
type StatusRow struct {
	Kind     string
	Status   string
	Category string // the status's Category, "" for the ordinary ones
	Count    int
	Amounts  []Money // per currency, sorted
	// Share is the row's part of its kind's items, in percent (0-100),
	// for the bar beside it.
	Share int
}

// ProviderRow totals the ledger of one provider block (one gateway
// account, as the configuration names it: "wllxpay.eu").
type ProviderRow struct {
	Provider  string
	Gateway   string
	Items     int
	Kinds     []KindCount
	Sent      []Money // payouts accepted by the gateway
	Invoiced  []Money
	Paid      []Money
	Attention int // items in Attention
}

// KindCount is how many items of a kind.
type KindCount struct {
	Kind  string
	Count int
}

// PlanRow is one plan applied (its apply entry) and what it touched.
type PlanRow struct {
	ID    string
	Actor string
	At    time.Time
	Items int // ledger items whose journal entries name the plan
	// Approvals are the signatures that counted when the plan was
	// applied, as its apply entry records them.
	Approvals []Approval
}

// Approval is one signature a policy counted: whom it signs as and the
// key's fingerprint.
type Approval struct {
	Policy, Principal, Fingerprint string
}

// Categories of items that need a person's attention, in the order the
// report lists them.
const (
	CategoryFailed    = "failed"    // the gateway gave up (payout failed, invoice invalid)
	CategoryCancelled = "cancelled" // cancelled at the gateway
	CategoryUnderpaid = "underpaid" // an invoice paid short
	CategoryInDoubt   = "in-doubt"  // payform cannot tell whether it exists
	CategoryRefused   = "refused"   // refused by the gateway: nothing exists
)

// categoryOrder ranks categories for the attention list.
var categoryOrder = map[string]int{
	CategoryFailed: 1, CategoryCancelled: 2, CategoryUnderpaid: 3, CategoryInDoubt: 4, CategoryRefused: 5,
}

// Item is one ledger line: a resource in the state (managed or
// forgotten), or an attempt the gateway refused, which the state no
// longer holds but the journal does.
type Item struct {
	Address  string // payform's instance address
	Kind     string
	Provider string
	Gateway  string
	Key      string // the merchant key
	ID       string // the gateway's id
	// Amount is the declared amount as recorded (a canonical decimal
	// string, "" for kinds without one).
	Amount   string
	Currency string
	// Destination is where the money goes or comes from: a payout's
	// address, a deposit address, an invoice's payment URL. Tag is the
	// destination tag or memo, if any.
	Destination string
	Tag         string
	Status      string
	RawStatus   string
	Category    string // "" or one of the Category constants
	// Reason says why an attention item is there: the gateway's error,
	// payform's note on an item in doubt.
	Reason    string
	Forgotten bool // no longer managed; its key stays reserved
	Actor     string
	At        time.Time // when it was first recorded (intent or adopt)
	PlanID    string
	History   []Event

	amount decimal.Decimal
}

// Event is one journal entry about an item.
type Event struct {
	Seq       uint64
	At        time.Time
	Actor     string
	Op        string
	Outcome   string
	Status    string
	RawStatus string
	Text      string // the entry's error or note
	PlanID    string
	From      string // a move's or restore's earlier address
}

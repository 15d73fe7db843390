package executor

import (
	"sort"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/planner"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/state"
)

// TallyRow counts the records of one kind at one status, with what they
// amount to in each currency.
type TallyRow struct {
	Kind    providers.Kind
	Status  string
	Count   int
	Amounts []Amount // one per currency, by code
}

// Amount is a sum in one currency.
type Amount struct {
	Currency string
	Amount   decimal.Decimal
}

// statusOrder is the tally's order: what failed first, then what is not
// settled, then what is under way, then what is done.
var statusOrder = map[string]int{
	string(providers.StatusFailed): 1, string(providers.StatusCancelled): 2, string(providers.StatusInvalid): 3,
	string(providers.StatusUnderpaid): 4, string(providers.StatusUnknown): 5, string(providers.StatusExpired): 6,
	string(providers.StatusPending): 7, string(providers.StatusSubmitted): 8, string(providers.StatusOverpaid): 9,
	string(providers.StatusPaid): 10, string(providers.StatusConfirmed): 11,
}

// NeedsAttention reports whether a status is one a person must look at:
// failed, cancelled, invalid, underpaid, or unknown (in doubt).
func NeedsAttention(status string) bool {
	n := statusOrder[status]
	return n >= 1 && n <= 5
}

// Tally counts the managed payouts and invoices (those targets match;
// all without targets) by kind and status as the refresh left them: the
// status a gateway just reported (obs.Current) where it did, else the
// recorded one, "unknown" for an item in doubt. Rows are payouts first,
// then invoices, each failed, cancelled, invalid, underpaid and unknown
// first, confirmed and paid last.
func Tally(st *state.State, obs *planner.Observed, targets []string) []TallyRow {
	match := targetMatcher(targets)
	type key struct {
		kind   providers.Kind
		status string
	}
	rows := map[key]*TallyRow{}
	sums := map[key]map[string]decimal.Decimal{}
	st.Each(func(r *state.Resource) {
		if r.Kind == string(providers.DepositAddress) || !match(r.Address) {
			return
		}
		status := r.Status
		if r.InDoubt() {
			status = string(providers.StatusUnknown)
		} else if obs != nil {
			if o, ok := obs.Current[r.Address]; ok && o.Status != "" {
				status = string(o.Status)
			}
		}
		k := key{providers.Kind(r.Kind), status}
		row := rows[k]
		if row == nil {
			row = &TallyRow{Kind: k.kind, Status: status}
			rows[k], sums[k] = row, map[string]decimal.Decimal{}
		}
		row.Count++
		if a, err := decimal.NewFromString(r.Amount); err == nil {
			sums[k][r.Currency] = sums[k][r.Currency].Add(a)
		}
	})
	out := make([]TallyRow, 0, len(rows))
	for k, row := range rows {
		for _, c := range sortedNames(sums[k]) {
			row.Amounts = append(row.Amounts, Amount{Currency: c, Amount: sums[k][c]})
		}
		out = append(out, *row)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Kind != b.Kind {
			return a.Kind == providers.Payout || (a.Kind == providers.Invoice && b.Kind != providers.Payout)
		}
		oa, ob := order(a.Status), order(b.Status)
		if oa != ob {
			return oa < ob
		}
		return a.Status < b.Status
	})
	return out
}

func order(status string) int {
	if n, ok := statusOrder[status]; ok {
		return n
	}
	return 100
}

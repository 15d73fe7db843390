package sandbox

import (
	"net/http"
	"sort"
	"strconv"
	"time"
)

// get serves POST /v1/invoices/{id}.
func (e *Emulator) get(_ params, id string) reply {
	inv, ok := e.lookup(id)
	if !ok {
		return invoiceNotFound(id)
	}
	return reply{status: http.StatusOK, body: inv.view(e.clock.Now())}
}

// Sort orders of the list.
const (
	sortAsc  = "created_at_asc"
	sortDesc = "created_at_desc"
)

const maxPerPage = 100

type listView struct {
	CurrentPage   int           `json:"current_page"`
	PerPage       int           `json:"per_page"`
	TotalInvoices int           `json:"total_invoices"`
	TotalPages    int           `json:"total_pages"`
	Invoices      []invoiceView `json:"invoices"`
}

// list serves POST /v1/invoices: per_page (1 to 100, default 100), page
// (from 1), sort (created_at_desc by default, or created_at_asc; ties
// by id in the same direction), created_at[from] and created_at[to]
// (YYYY-MM-DD, UTC, both days included). It costs O(log n + per_page).
func (e *Emulator) list(p params, _ string) reply {
	errs := map[string]string{}
	perPage := intParam(p, "per_page", maxPerPage, 1, maxPerPage, errs)
	page := intParam(p, "page", 1, 1, 0, errs)
	order, _ := p.get("sort")
	switch order {
	case "":
		order = sortDesc
	case sortAsc, sortDesc:
	default:
		errs["sort"] = "must be created_at_asc or created_at_desc"
	}
	lo, hi := 0, len(e.order)
	if from, ok := dateParam(p, "created_at[from]", errs); ok {
		lo = e.firstAtOrAfter(from)
	}
	if to, ok := dateParam(p, "created_at[to]", errs); ok {
		hi = e.firstAtOrAfter(to.AddDate(0, 0, 1))
	}
	if len(errs) > 0 {
		return invalid("List request", errs)
	}
	total := max(hi-lo, 0)
	out := listView{CurrentPage: page, PerPage: perPage, TotalInvoices: total,
		TotalPages: (total + perPage - 1) / perPage, Invoices: []invoiceView{}}
	now := e.clock.Now()
	for i := (page - 1) * perPage; i < total && i < page*perPage; i++ {
		j := lo + i
		if order == sortDesc {
			j = hi - 1 - i
		}
		out.Invoices = append(out.Invoices, e.order[j].view(now))
	}
	return reply{status: http.StatusOK, body: out}
}

// firstAtOrAfter is the index in e.order of the first invoice created at
// or after t.
func (e *Emulator) firstAtOrAfter(t time.Time) int {
	return sort.Search(len(e.order), func(i int) bool { return !e.order[i].createdAt.Before(t) })
}

// insertOrdered adds inv to e.order, keeping it sorted by (createdAt, id):
// an append, unless the clock went back.
func (e *Emulator) insertOrdered(inv *invoice) {
	n := len(e.order)
	if n == 0 || !inv.createdAt.Before(e.order[n-1].createdAt) {
		e.order = append(e.order, inv)
		return
	}
	i := sort.Search(n, func(i int) bool { return inv.createdAt.Before(e.order[i].createdAt) })
	e.order = append(e.order, nil)
	copy(e.order[i+1:], e.order[i:])
	e.order[i] = inv
}

// intParam reads a whole number in [lo, hi]; hi 0 means no upper bound.
func intParam(p params, name string, def, lo, hi int, errs map[string]string) int {
	s, ok := p.get(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(s)
	switch {
	case hi == 0 && (err != nil || n < lo || n > 1<<30):
		errs[name] = "must be a whole number of at least " + strconv.Itoa(lo)
	case hi != 0 && (err != nil || n < lo || n > hi):
		errs[name] = "must be a whole number from " + strconv.Itoa(lo) + " to " + strconv.Itoa(hi)
	default:
		return n
	}
	return def
}

func dateParam(p params, name string, errs map[string]string) (time.Time, bool) {
	s, ok := p.get(name)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		errs[name] = "must be a date such as 2018-09-01"
		return time.Time{}, false
	}
	return t, true
}

package coinpay24

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/payform/payform/providers"
)

// CoinPay24 cannot look an invoice up by order_id, nor read several by
// id; both go through the invoice list, newest first, 100 to a page.
const (
	perPage  = 100
	maxPages = 100_000 // ten million invoices: past that, something is wrong
)

// scan pages through the invoices created on or after the day from
// ("" for all), newest first, handing each page to visit until it says
// stop. It returns nil only when visit stopped it or the list provably
// ended; a failed page, a page other than the one asked for, an empty
// page before the last, or fewer invoices than the list said it held is
// an error.
func (c *Client) scan(ctx context.Context, op, from string, visit func([]invoiceWire) bool) error {
	total, seen := -1, 0
	for page := 1; ; page++ {
		if page > maxPages {
			return scanError(op, fmt.Sprintf("gave up after %d pages", maxPages))
		}
		form := map[string][]string{
			"per_page": {strconv.Itoa(perPage)},
			"page":     {strconv.Itoa(page)},
			"sort":     {"created_at_desc"},
		}
		if from != "" {
			form["created_at[from]"] = []string{from}
		}
		var out listWire
		if err := c.post(ctx, "/invoices", op, form, &out); err != nil {
			return err
		}
		if out.CurrentPage != 0 && int(out.CurrentPage) != page {
			return scanError(op, fmt.Sprintf("asked for page %d, got page %d", page, out.CurrentPage))
		}
		if total < 0 {
			total = int(out.TotalInvoices)
		}
		seen += len(out.Invoices)
		if !visit(out.Invoices) {
			return nil
		}
		size := perPage
		if out.PerPage > 0 {
			size = int(out.PerPage)
		}
		switch {
		case out.TotalPages > 0 && page < int(out.TotalPages) && len(out.Invoices) == 0:
			return scanError(op, fmt.Sprintf("page %d of %d was empty", page, out.TotalPages))
		case out.TotalPages > 0 && page < int(out.TotalPages):
			continue
		case out.TotalPages == 0 && len(out.Invoices) == size:
			continue
		}
		if seen < total {
			return scanError(op, fmt.Sprintf("the list holds %d invoices, but its pages held %d", total, seen))
		}
		return nil
	}
}

func scanError(op, msg string) error {
	return &providers.Error{Class: providers.Ambiguous, Gateway: gatewayName, Op: op, Message: "incomplete invoice list: " + msg}
}

// fromDate is the first day to list for objects made at or after t: the
// day before t's, so that no time zone the gateway may count days in
// hides one. The zero time lists everything.
func fromDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().AddDate(0, 0, -1).Format(time.DateOnly)
}

// Lookup finds the invoice with order_id q.Key by paging through the list
// from the day before q.Since. CoinPay24 takes repeated order_ids: the
// whole range is read, the newest invoice wins and the others are named
// in Others. ErrNotFound means the whole range was read without error;
// any failure is returned as it is, never as absence.
func (p *provider) Lookup(ctx context.Context, q providers.Query) (providers.Object, error) {
	if q.Kind != providers.Invoice {
		return providers.Object{}, providers.ErrUnsupported
	}
	var found []invoiceWire
	seen := map[string]bool{} // a page may repeat an invoice when new ones push the list down
	err := p.c.scan(ctx, "invoices/list", fromDate(q.Since), func(page []invoiceWire) bool {
		for _, inv := range page {
			if string(inv.OrderID) == q.Key && !seen[string(inv.ID)] {
				seen[string(inv.ID)] = true
				found = append(found, inv)
			}
		}
		return true
	})
	if err != nil {
		return providers.Object{}, err
	}
	if len(found) == 0 {
		return providers.Object{}, providers.ErrNotFound
	}
	sort.Slice(found, func(i, j int) bool { return newer(found[j], found[i]) })
	obj := found[len(found)-1].object(q.Key)
	for _, inv := range found[:len(found)-1] {
		obj.Others = append(obj.Others, string(inv.ID))
	}
	return obj, nil
}

// newer reports whether a was created after b: by created_at, then by id.
func newer(a, b invoiceWire) bool {
	ta, errA := time.Parse(time.RFC3339, string(a.CreatedAt))
	tb, errB := time.Parse(time.RFC3339, string(b.CreatedAt))
	if errA == nil && errB == nil && !ta.Equal(tb) {
		return ta.After(tb)
	}
	na, errA := strconv.ParseInt(string(a.ID), 10, 64)
	nb, errB := strconv.ParseInt(string(b.ID), 10, 64)
	if errA == nil && errB == nil {
		return na > nb
	}
	return a.ID > b.ID
}

// Refresh reads invoices through the list, not one request each: from the
// day before the oldest ref's CreatedAt (everything if one has none) to
// now, 100 to a page, newest first, stopping once every ref is read. A
// ref is matched by id, or by order_id (the newest) when it has no id.
// It returns the objects read, in the order of refs; a ref not seen is
// left out, never reported as gone. On a failed page it returns what it
// read and the error.
func (p *provider) Refresh(ctx context.Context, refs []providers.Ref) ([]providers.Object, error) {
	byID, byKey := map[string][]int{}, map[string][]int{}
	var oldest time.Time
	want := 0
	for i, r := range refs {
		if r.Kind != providers.Invoice {
			continue
		}
		if r.ID != "" {
			byID[r.ID] = append(byID[r.ID], i)
		} else {
			byKey[r.Key] = append(byKey[r.Key], i)
		}
		if want == 0 || r.CreatedAt.Before(oldest) {
			oldest = r.CreatedAt
		}
		want++
	}
	if want == 0 {
		return nil, nil
	}
	found := make([]*providers.Object, len(refs))
	left := want
	take := func(idxs []int, inv invoiceWire) {
		for _, i := range idxs {
			if found[i] == nil {
				o := inv.object(refs[i].Key)
				found[i] = &o
				left--
			}
		}
	}
	err := p.c.scan(ctx, "invoices/list", fromDate(oldest), func(page []invoiceWire) bool {
		for _, inv := range page {
			take(byID[string(inv.ID)], inv)
			take(byKey[string(inv.OrderID)], inv) // newest first: the first seen is the newest
		}
		return left > 0
	})
	var out []providers.Object
	for _, o := range found {
		if o != nil {
			out = append(out, *o)
		}
	}
	return out, err
}

// List reads every invoice made on or after the day before since (zero:
// every invoice) through the invoice list, newest first, 100 to a page.
// It returns them only once the list provably ended; any failure is the
// error and nothing else.
func (p *provider) List(ctx context.Context, kind providers.Kind, since time.Time) ([]providers.Object, error) {
	if kind != providers.Invoice {
		return nil, providers.ErrUnsupported
	}
	var out []providers.Object
	seen := map[string]bool{} // a page may repeat an invoice when new ones push the list down
	err := p.c.scan(ctx, "invoices/list", fromDate(since), func(page []invoiceWire) bool {
		for _, inv := range page {
			if !seen[string(inv.ID)] {
				seen[string(inv.ID)] = true
				out = append(out, inv.object(string(inv.OrderID)))
			}
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

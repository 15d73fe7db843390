package milacoins

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/payform/payform/providers"
)

// Margins around payform's own times when they bound a list by the
// gateway's createdAt: payform records an intent before the gateway makes
// the invoice, and the two clocks differ.
const (
	// lookupMargin widens a lookup, which must prove absence, generously;
	// the externalID filter keeps the answer small anyway.
	lookupMargin = 24 * time.Hour
	// refreshMargin widens a refresh; an invoice outside the range is read
	// by id instead.
	refreshMargin = time.Hour
)

// Lookup finds the invoice with externalID q.Key, listing
// /api/v1/transactions/invoices/?externalID=KEY from q.Since less a
// margin. MilaCoins accepts a repeated externalID: the newest invoice
// with it wins and the others are named in Others. ErrNotFound means
// every page of the answer was read and none carried the key.
func (c *Client) Lookup(ctx context.Context, q providers.Query) (providers.Object, error) {
	if q.Kind != providers.Invoice {
		return providers.Object{}, providers.ErrUnsupported
	}
	lq := ListQuery{ExternalID: q.Key}
	if !q.Since.IsZero() {
		lq.From = q.Since.Add(-lookupMargin)
	}
	var found []Invoice
	seen := map[string]bool{} // a page may repeat an invoice when new ones shift the list
	err := c.Each(ctx, lq, func(inv Invoice) {
		if inv.ExternalID == q.Key && !seen[inv.ID] {
			seen[inv.ID] = true
			found = append(found, inv)
		}
	})
	switch {
	case err != nil:
		return providers.Object{}, err
	case len(found) == 0:
		return providers.Object{}, providers.ErrNotFound
	}
	sort.Slice(found, func(i, j int) bool { return newer(found[j], found[i]) })
	obj := found[len(found)-1].object(q.Key)
	for _, inv := range found[:len(found)-1] {
		obj.Others = append(obj.Others, inv.ID)
	}
	return obj, nil
}

// newer orders invoices by createdAt, then by id (ObjectIds grow with
// time).
func newer(a, b Invoice) bool {
	if !a.CreatedAt.Equal(b.CreatedAt.Time) {
		return a.CreatedAt.After(b.CreatedAt.Time)
	}
	return a.ID > b.ID
}

// Refresh reads the invoices' statuses from the list, limit=500, from and
// to spanning the refs' CreatedAt with a margin: 1,000 invoices alone in
// that range take two requests. A ref is matched by id, or by externalID
// (the newest) when it has none. Refs the list did not show (no
// CreatedAt, or made outside the range, e.g. adopted) are then read one
// by one: by id, else by lookup. An invoice that cannot be read is left
// out, never reported as gone; the first failure stops the refresh and is
// returned with what was read.
func (c *Client) Refresh(ctx context.Context, refs []providers.Ref) ([]providers.Object, error) {
	var todo []providers.Ref
	var from, to time.Time
	for _, r := range refs {
		if r.Kind != providers.Invoice {
			continue
		}
		todo = append(todo, r)
		if t := r.CreatedAt; !t.IsZero() {
			if from.IsZero() || t.Before(from) {
				from = t
			}
			if to.IsZero() || t.After(to) {
				to = t
			}
		}
	}
	var out []providers.Object
	if !from.IsZero() {
		found := map[int]Invoice{}
		err := c.Each(ctx, ListQuery{From: from.Add(-refreshMargin), To: to.Add(refreshMargin)}, indexer(todo, found))
		if err != nil {
			// Only a match by id is certain in a list not read to its end.
			for i, r := range todo {
				if inv, ok := found[i]; ok && r.ID != "" {
					out = append(out, inv.object(r.Key))
				}
			}
			return out, err
		}
		var rest []providers.Ref
		for i, r := range todo {
			if inv, ok := found[i]; ok {
				out = append(out, inv.object(r.Key))
			} else {
				rest = append(rest, r)
			}
		}
		todo = rest
	}
	for _, r := range todo {
		obj, err := c.readOne(ctx, r)
		switch {
		case errors.Is(err, providers.ErrNotFound):
			continue
		case err != nil:
			return out, err
		}
		out = append(out, obj)
	}
	return out, nil
}

// indexer returns a list callback that records, by position in refs, the
// invoice each ref names.
func indexer(refs []providers.Ref, found map[int]Invoice) func(Invoice) {
	byID := map[string][]int{}
	byKey := map[string][]int{}
	for i, r := range refs {
		if r.ID != "" {
			byID[r.ID] = append(byID[r.ID], i)
		} else {
			byKey[r.Key] = append(byKey[r.Key], i)
		}
	}
	return func(inv Invoice) {
		for _, i := range byID[inv.ID] {
			found[i] = inv
		}
		for _, i := range byKey[inv.ExternalID] {
			if prev, ok := found[i]; !ok || newer(inv, prev) {
				found[i] = inv
			}
		}
	}
}

// readOne reads one invoice by id, or by key when the ref has no id;
// ErrNotFound when the gateway has no such invoice (404/1604, or 401/1600
// DB_CAST for an id that cannot name one).
func (c *Client) readOne(ctx context.Context, r providers.Ref) (providers.Object, error) {
	if r.ID == "" {
		return c.Lookup(ctx, providers.Query{Kind: r.Kind, Key: r.Key, Since: r.CreatedAt})
	}
	inv, err := c.Get(ctx, r.ID)
	switch {
	case isNotFound(err) || hasCode(err, codeCast):
		return providers.Object{}, providers.ErrNotFound
	case err != nil:
		return providers.Object{}, err
	}
	return inv.object(r.Key), nil
}

// List reads every invoice made since (zero: every invoice), through the
// invoice list from since, 500 to a page. It returns them only once every
// page was read; the first failure is the error and nothing else.
func (c *Client) List(ctx context.Context, kind providers.Kind, since time.Time) ([]providers.Object, error) {
	if kind != providers.Invoice {
		return nil, providers.ErrUnsupported
	}
	var out []providers.Object
	seen := map[string]bool{} // a page may repeat an invoice when new ones shift the list
	err := c.Each(ctx, ListQuery{From: since}, func(inv Invoice) {
		if !seen[inv.ID] {
			seen[inv.ID] = true
			out = append(out, inv.object(inv.ExternalID))
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

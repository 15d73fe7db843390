package sandbox

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// List paging: the documented default and maximum page sizes.
const (
	defaultLimit = 100
	maxLimit     = 500
)

// page is the documented list answer.
type page[T any] struct {
	Count int `json:"count"`
	Limit int `json:"limit"`
	Skip  int `json:"skip"`
	Docs  []T `json:"docs"`
}

// listCurrencies serves GET /api/v1/currencies.
func (e *Emulator) listCurrencies(c *call) reply {
	e.mu.Lock()
	defer e.mu.Unlock()
	return reply{status: http.StatusOK, body: map[string][]string{"currencies": slices.Clone(e.currencies)}}
}

// listWallets serves GET /api/v1/wallets.
func (e *Emulator) listWallets(c *call) reply {
	e.mu.Lock()
	defer e.mu.Unlock()
	return reply{status: http.StatusOK, body: map[string][]string{"wallets": slices.Clone(e.wallets)}}
}

// listInvoices serves GET /api/v1/transactions/invoices/: the invoices
// matching every filter given, newest first, one page of them.
func (e *Emulator) listInvoices(c *call) reply {
	q := c.query
	if aerr := checkQuery(q, "limit", "page", "from", "to", "wallet", "externalID", "status", "type"); aerr != nil {
		return aerr.reply(c.requestID)
	}
	limit, pageNo, aerr := paging(q)
	if aerr != nil {
		return aerr.reply(c.requestID)
	}
	var from, to time.Time
	for _, b := range []struct {
		name string
		t    *time.Time
	}{{"from", &from}, {"to", &to}} {
		if s := q.Get(b.name); s != "" {
			t, ok := parseISO(s)
			if !ok {
				return errIncorrectType(b.name, "ISO 8601 date", "string").reply(c.requestID)
			}
			*b.t = t
		}
	}
	var statuses []string
	if s := q.Get("status"); s != "" {
		statuses = strings.Split(s, ",")
		for _, st := range statuses {
			if !slices.Contains(Statuses, st) {
				return errStatus(st).reply(c.requestID)
			}
		}
	}
	typ := q.Get("type")
	if typ != "" && !slices.Contains(Types, typ) {
		return errEnum("type", typ, Types).reply(c.requestID)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	wallet := q.Get("wallet")
	if wallet != "" && !slices.Contains(e.wallets, wallet) {
		return errWallet(wallet, e.wallets).reply(c.requestID)
	}
	_, hasKey := q["externalID"]
	key := q.Get("externalID")
	var match []*invoice
	for _, inv := range e.invoices {
		switch {
		case !from.IsZero() && inv.createdAt.Before(from),
			!to.IsZero() && inv.createdAt.After(to),
			wallet != "" && inv.wallet != wallet,
			hasKey && inv.externalID != key,
			typ != "" && inv.typ != typ,
			statuses != nil && !slices.Contains(statuses, e.status(inv, c.now)):
			continue
		}
		match = append(match, inv)
	}
	slices.SortFunc(match, func(a, b *invoice) int {
		if newer(a, b) {
			return -1
		}
		return 1
	})
	out := page[doc]{Count: len(match), Limit: limit, Skip: (pageNo - 1) * limit, Docs: []doc{}}
	for i := out.Skip; i < len(match) && i < out.Skip+limit; i++ {
		out.Docs = append(out.Docs, e.doc(match[i], c.now))
	}
	return reply{status: http.StatusOK, body: out}
}

// getInvoice serves GET /api/v1/transactions/invoices/{id}.
func (e *Emulator) getInvoice(c *call) reply {
	if aerr := checkQuery(c.query); aerr != nil {
		return aerr.reply(c.requestID)
	}
	if !isObjectID(c.id) {
		return errCast("_id", c.id).reply(c.requestID)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	inv, ok := e.byID[strings.ToLower(c.id)]
	if !ok {
		return errNoDocument("Invoice", c.id).reply(c.requestID)
	}
	return reply{status: http.StatusOK, body: e.doc(inv, c.now)}
}

// paging reads limit (default 100, at most 500: more is cut to 500) and
// page (from 1), each a positive integer (page at most 2^31).
func paging(q url.Values) (limit, pageNo int, aerr *apiError) {
	limit, pageNo = defaultLimit, 1
	for _, p := range []struct {
		name string
		v    *int
	}{{"limit", &limit}, {"page", &pageNo}} {
		s := q.Get(p.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1<<31 || !allDigits(s) {
			a := errIncorrectType(p.name, "positive integer", "string")
			return 0, 0, &a
		}
		*p.v = n
	}
	return min(limit, maxLimit), pageNo, nil
}

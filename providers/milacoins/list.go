package milacoins

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
)

// maxPageSize is the list's documented maximum page size.
const maxPageSize = 500

// maxPages bounds one listing, so that a gateway that never says "done"
// cannot keep payform reading.
const maxPages = 2000

// ListQuery filters the invoice list; zero fields filter nothing.
type ListQuery struct {
	From, To   time.Time
	ExternalID string
	Wallet     string
	Status     []string
	Type       string
}

func (q ListQuery) params(limit, page int) []param {
	ps := []param{{"limit", strconv.Itoa(limit)}, {"page", strconv.Itoa(page)}}
	if !q.From.IsZero() {
		ps = append(ps, param{"from", isoTime(q.From)})
	}
	if !q.To.IsZero() {
		ps = append(ps, param{"to", isoTime(q.To)})
	}
	for _, p := range []param{{"externalID", q.ExternalID}, {"wallet", q.Wallet}, {"status", strings.Join(q.Status, ",")}, {"type", q.Type}} {
		if p.value != "" {
			ps = append(ps, p)
		}
	}
	return ps
}

// ListPage reads one page (from 1) of the invoice list, GET
// /api/v1/transactions/invoices/, at the largest page size.
func (c *Client) ListPage(ctx context.Context, q ListQuery, page int) (Page, error) {
	var out Page
	err := c.do(ctx, http.MethodGet, "/api/v1/transactions/invoices/", q.params(c.pageSize, page), nil, "transactions/invoices", &out)
	return out, err
}

// Each calls fn with every invoice the query matches, page by page, and
// returns nil only once the gateway's count of matches has been read in
// full. A page that fails, or a list that ends early, is an error: what
// was not read is unknown, never absent.
func (c *Client) Each(ctx context.Context, q ListQuery, fn func(Invoice)) error {
	prevSkip := -1
	for page := 1; page <= maxPages; page++ {
		p, err := c.ListPage(ctx, q, page)
		if err != nil {
			return err
		}
		for _, inv := range p.Docs {
			fn(inv)
		}
		switch {
		case p.Skip+len(p.Docs) >= p.Count:
			return nil
		case len(p.Docs) == 0 || p.Skip <= prevSkip:
			return &providers.Error{Class: providers.Ambiguous, Gateway: gatewayName, Op: "transactions/invoices",
				Message: fmt.Sprintf("the list stopped at %d of the %d invoices it counted", p.Skip+len(p.Docs), p.Count)}
		}
		prevSkip = p.Skip
	}
	return &providers.Error{Class: providers.Ambiguous, Gateway: gatewayName, Op: "transactions/invoices",
		Message: fmt.Sprintf("the list did not end within %d pages", maxPages)}
}

// Get reads one invoice, GET /api/v1/transactions/invoices/{id}. An
// unknown id is a *providers.Error with Status 404.
func (c *Client) Get(ctx context.Context, id string) (Invoice, error) {
	var out Invoice
	err := c.do(ctx, http.MethodGet, "/api/v1/transactions/invoices/"+url.PathEscape(id), nil, nil, "transactions/invoices/{id}", &out)
	return out, err
}

// Wallets lists the merchant's wallets, GET /api/v1/wallets.
func (c *Client) Wallets(ctx context.Context) ([]string, error) {
	var out struct {
		Wallets []string `json:"wallets"`
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/wallets", nil, nil, "wallets", &out)
	return out.Wallets, err
}

// Currencies lists the invoice currencies, GET /api/v1/currencies.
func (c *Client) Currencies(ctx context.Context) ([]string, error) {
	var out struct {
		Currencies []string `json:"currencies"`
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/currencies", nil, nil, "currencies", &out)
	return out.Currencies, err
}

// jsonNumber writes an exact decimal as a JSON number, never through
// float64.
func jsonNumber(d decimal.Decimal) json.Number { return json.Number(d.String()) }

package coinpay24_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers"
)

func TestLookup(t *testing.T) {
	e := newEnv(t, noLimits)
	p := client(t, e.endpoint, "coinpay24-test-key")
	ctx := context.Background()
	first, err := p.Create(ctx, invoice("k", "5", "USD"))
	if err != nil {
		t.Fatal(err)
	}
	fill(t, p, "a", 150)
	e.clock.Advance(time.Hour)
	newest, err := p.Create(ctx, invoice("k", "6", "USD"))
	if err != nil {
		t.Fatal(err)
	}
	fill(t, p, "b", 100)
	l := e.watchLists()

	// Found: the newest of the two, with the older named in Others. The
	// whole range is read, since CoinPay24 takes a repeated order_id.
	got, err := p.Lookup(ctx, providers.Query{Kind: providers.Invoice, Key: "k", Since: t0})
	if err != nil || got.ID != newest.ID || !cmp.Equal(got.Others, []string{first.ID}) {
		t.Errorf("Lookup(k) = %+v, %v; want id %s, others [%s]", got, err, newest.ID, first.ID)
	}
	want := url.Values{"api_key": {"coinpay24-test-key"}, "per_page": {"100"}, "page": {"3"}, "sort": {"created_at_desc"}, "created_at[from]": {"2026-02-28"}}
	if l.count() != 3 || !cmp.Equal(want, l.forms[2]) {
		t.Errorf("list requests %v, want 3, the last %v", l.forms, want)
	}

	// Proven absent: every page read, without error.
	l.reset(nil)
	if _, err := p.Lookup(ctx, providers.Query{Kind: providers.Invoice, Key: "never"}); !errors.Is(err, providers.ErrNotFound) {
		t.Errorf("Lookup(never) = %v, want ErrNotFound", err)
	}
	if l.count() != 3 || l.forms[0].Has("created_at[from]") {
		t.Errorf("list requests %v, want 3 with no date bound", l.forms)
	}

	// A failed page is never absence.
	for _, status := range []int{500, 429, 401} {
		l.reset(map[string]int{"2": status})
		_, err := p.Lookup(ctx, providers.Query{Kind: providers.Invoice, Key: "never"})
		if err == nil || errors.Is(err, providers.ErrNotFound) {
			t.Errorf("Lookup with page 2 answering %d = %v, want an error that is not ErrNotFound", status, err)
		}
	}

	// Since bounds the scan: invoices older than the day before are not
	// looked at.
	e.setWrap(nil)
	e.clock.Advance(72 * time.Hour)
	if _, err := p.Lookup(ctx, providers.Query{Kind: providers.Invoice, Key: "k", Since: e.clock.Now()}); !errors.Is(err, providers.ErrNotFound) {
		t.Errorf("Lookup(k) since 3 days later = %v, want ErrNotFound", err)
	}
	if _, err := p.Lookup(ctx, providers.Query{Kind: providers.Payout, Key: "k"}); !errors.Is(err, providers.ErrUnsupported) {
		t.Errorf("Lookup(payout) = %v, want ErrUnsupported", err)
	}
}

// TestLookupIncompleteList: a list that does not add up proves nothing.
func TestLookupIncompleteList(t *testing.T) {
	item := `{"id":%d,"order_id":"o%d","status":"new","price_amount":"1.0","price_currency":"USD","created_at":"2026-03-01T12:00:00+00:00"}`
	for _, tc := range []struct {
		name string
		page func(page int) string
	}{
		{"empty page before the last", func(page int) string {
			if page == 1 {
				return `{"current_page":1,"per_page":1,"total_invoices":3,"total_pages":3,"invoices":[` + fmt.Sprintf(item, 1, 1) + `]}`
			}
			return fmt.Sprintf(`{"current_page":%d,"per_page":1,"total_invoices":3,"total_pages":3,"invoices":[]}`, page)
		}},
		{"paging ignored", func(int) string {
			return `{"current_page":1,"per_page":1,"total_invoices":2,"total_pages":2,"invoices":[` + fmt.Sprintf(item, 1, 1) + `]}`
		}},
		{"fewer invoices than announced", func(int) string {
			return `{"current_page":1,"per_page":100,"total_invoices":150,"invoices":[` + fmt.Sprintf(item, 1, 1) + `]}`
		}},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.ParseForm()
			var page int
			fmt.Sscan(r.PostForm.Get("page"), &page)
			w.Write([]byte(tc.page(page)))
		}))
		_, err := client(t, srv.URL, "k").Lookup(context.Background(), providers.Query{Kind: providers.Invoice, Key: "never"})
		srv.Close()
		if err == nil || errors.Is(err, providers.ErrNotFound) || providers.ClassOf(err) != providers.Ambiguous {
			t.Errorf("%s: Lookup = %v, want an Ambiguous error", tc.name, err)
		}
	}
}

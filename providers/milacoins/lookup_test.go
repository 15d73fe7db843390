package milacoins_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/milacoins"
	"github.com/payform/payform/providers/milacoins/sandbox"
)

func TestLookup(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	c := e.client(t, nil)
	ctx := context.Background()
	var ids []string
	for _, amount := range []string{"1", "2", "3"} { // MilaCoins takes a repeated externalID
		obj, err := c.Create(ctx, invoice("dup", amount, nil))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, obj.ID)
		e.clock.Advance(time.Second)
	}
	if _, err := c.Create(ctx, invoice("other", "9", nil)); err != nil {
		t.Fatal(err)
	}
	e.requests()

	obj, err := c.Lookup(ctx, providers.Query{Kind: providers.Invoice, Key: "dup", Since: t0})
	if err != nil || obj.ID != ids[2] || obj.Key != "dup" || obj.Amount.String() != "3" || obj.RawStatus != "new" ||
		!slices.Equal(obj.Others, ids[:2]) {
		t.Errorf("Lookup(dup) = %+v, %v; want the newest, %s, the others %v", obj, err, ids[2], ids[:2])
	}
	if r := e.requests(); len(r) != 1 || r[0].RawQuery != "limit=500&page=1&from=2026-02-28T12:00:00.000Z&externalID=dup" {
		t.Errorf("lookup requests %+v", r)
	}
	if _, err := c.Lookup(ctx, providers.Query{Kind: providers.Invoice, Key: "never sent"}); !errors.Is(err, providers.ErrNotFound) {
		t.Errorf("Lookup(never sent) = %v, want ErrNotFound", err)
	}
	if _, err := c.Lookup(ctx, providers.Query{Kind: providers.Payout, Key: "dup"}); !errors.Is(err, providers.ErrUnsupported) {
		t.Errorf("Lookup(payout) = %v, want ErrUnsupported", err)
	}

	e.requests()

	// Two a page: three invoices take two pages, and the newest wins.
	small := e.client(t, nil)
	milacoins.SetPageSize(small, 2)
	obj, err = small.Lookup(ctx, providers.Query{Kind: providers.Invoice, Key: "dup"})
	if err != nil || obj.ID != ids[2] || !slices.Equal(obj.Others, ids[:2]) {
		t.Errorf("paged Lookup = %+v, %v", obj, err)
	}
	if n := len(e.requests()); n != 2 {
		t.Errorf("paged lookup took %d requests, want 2", n)
	}

	// A failed page is not absence, whichever page fails.
	for _, page := range []string{"page=1", "page=2"} {
		e.failWhen(func(r *http.Request) bool { return strings.Contains(r.URL.RawQuery, page) })
		_, err := small.Lookup(ctx, providers.Query{Kind: providers.Invoice, Key: "dup"})
		if err == nil || errors.Is(err, providers.ErrNotFound) || providers.ClassOf(err) != providers.Ambiguous {
			t.Errorf("Lookup with %s failing = %v, want an ambiguous error", page, err)
		}
	}
	e.failWhen(nil)
	e.faults.Set(emulator.Faults{Status429: 1})
	_, err = c.Lookup(ctx, providers.Query{Kind: providers.Invoice, Key: "never sent"})
	e.faults.Set(emulator.Faults{})
	if providers.ClassOf(err) != providers.Retryable || errors.Is(err, providers.ErrNotFound) {
		t.Errorf("Lookup during a 429 = %v, want retryable", err)
	}
}

// TestLookupListEndsEarly: a list that counts more than it gives is
// incomplete, not proof of absence.
func TestLookupListEndsEarly(t *testing.T) {
	srv := stub(t, `{"count":3,"limit":500,"skip":0,"docs":[]}`)
	c, err := milacoins.NewClient(milacoins.Options{Endpoint: srv, APIKey: "k", Secret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Lookup(context.Background(), providers.Query{Kind: providers.Invoice, Key: "x"})
	if err == nil || errors.Is(err, providers.ErrNotFound) || !strings.Contains(err.Error(), "the list stopped at 0 of the 3 invoices it counted") {
		t.Errorf("Lookup = %v", err)
	}
}

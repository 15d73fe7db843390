package milacoins_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/milacoins/sandbox"
)

// TestRefreshThousand: 1,000 invoices, alone in their range, are read
// through the list in at most ten requests.
func TestRefreshThousand(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	c := e.client(t, nil)
	ctx := context.Background()
	refs := make([]providers.Ref, 0, 1000)
	for i := range 1000 {
		obj, err := c.Create(ctx, invoice(fmt.Sprintf("ord-%04d", i), "1", nil))
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, providers.Ref{Kind: providers.Invoice, Key: obj.Key, ID: obj.ID, CreatedAt: e.clock.Now()})
		if i%100 == 99 {
			e.clock.Advance(time.Second)
		}
	}
	if _, err := e.em.Pay(emulator.Payment{Key: "ord-0500"}); err != nil {
		t.Fatal(err)
	}
	e.requests()
	objs, err := c.Refresh(ctx, refs)
	if err != nil {
		t.Fatal(err)
	}
	reqs := e.requests()
	for _, r := range reqs {
		if r.Path != "/milacoins/api/v1/transactions/invoices/" || !strings.Contains(r.RawQuery, "limit=500") {
			t.Errorf("request %s %s?%s is not a list request", r.Method, r.Path, r.RawQuery)
		}
	}
	if len(reqs) > 10 {
		t.Errorf("Refresh took %d requests, want at most 10", len(reqs))
	}
	if len(objs) != 1000 {
		t.Fatalf("Refresh read %d objects, want 1000", len(objs))
	}
	for _, o := range objs {
		want := "new"
		if o.Key == "ord-0500" {
			want = "waitingForConfirmation"
		}
		if o.RawStatus != want || o.Status != providers.StatusPending {
			t.Errorf("%s: status %s (%s), want %s", o.Key, o.RawStatus, o.Status, want)
		}
	}
	t.Logf("1,000 invoices refreshed in %d list requests", len(reqs))
}

// TestRefreshOutsideTheRange: invoices the list does not show (adopted
// long after they were made; refs without CreatedAt) are read by id, and
// one that does not exist is left out.
func TestRefreshOutsideTheRange(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	c := e.client(t, nil)
	ctx := context.Background()
	old, err := c.Create(ctx, invoice("old", "1", nil))
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(48 * time.Hour)
	recent, err := c.Create(ctx, invoice("recent", "1", nil))
	if err != nil {
		t.Fatal(err)
	}
	noID, err := c.Create(ctx, invoice("no-id", "1", nil))
	if err != nil {
		t.Fatal(err)
	}
	e.requests()
	refs := []providers.Ref{
		{Kind: providers.Invoice, Key: "recent", ID: recent.ID, CreatedAt: e.clock.Now()},
		{Kind: providers.Invoice, Key: "no-id", CreatedAt: e.clock.Now()},
		{Kind: providers.Invoice, Key: "old", ID: old.ID, CreatedAt: e.clock.Now()}, // adopted today
		{Kind: providers.Invoice, Key: "gone", ID: "0123456789abcdef01234567"},
		{Kind: providers.Invoice, Key: "junk", ID: "not-an-id"},
		{Kind: providers.Payout, Key: "payout", ID: "1"},
	}
	objs, err := c.Refresh(ctx, refs)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, o := range objs {
		got[o.Key] = o.ID
	}
	want := map[string]string{"recent": recent.ID, "no-id": noID.ID, "old": old.ID}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Refresh read %v, want %v", got, want)
	}
	var shape []string
	for _, r := range e.requests() {
		shape = append(shape, r.Path)
	}
	wantShape := []string{"/milacoins/api/v1/transactions/invoices/", "/milacoins/api/v1/transactions/invoices/" + old.ID,
		"/milacoins/api/v1/transactions/invoices/0123456789abcdef01234567", "/milacoins/api/v1/transactions/invoices/not-an-id"}
	if fmt.Sprint(shape) != fmt.Sprint(wantShape) {
		t.Errorf("requests %v, want %v", shape, wantShape)
	}
}

// TestRefreshFailure: a failed list reports what it read with certainty
// (matches by id) and the error; a failed read by id stops there.
func TestRefreshFailure(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	c := e.client(t, nil)
	ctx := context.Background()
	var refs []providers.Ref
	for _, key := range []string{"a", "b"} {
		obj, err := c.Create(ctx, invoice(key, "1", nil))
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, providers.Ref{Kind: providers.Invoice, Key: key, ID: obj.ID, CreatedAt: t0})
	}
	e.failWhen(func(r *http.Request) bool { return true })
	objs, err := c.Refresh(ctx, refs)
	if err == nil || len(objs) != 0 {
		t.Errorf("Refresh during a 500 = %v, %v", objs, err)
	}
	e.failWhen(func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, refs[1].ID) })
	refs[0].CreatedAt, refs[1].CreatedAt = time.Time{}, time.Time{}
	objs, err = c.Refresh(ctx, refs)
	if providers.ClassOf(err) != providers.Ambiguous || len(objs) != 1 || objs[0].Key != "a" {
		t.Errorf("Refresh with b failing = %v, %v; want a and an error", objs, err)
	}
}

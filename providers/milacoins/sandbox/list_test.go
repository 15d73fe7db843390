package sandbox

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestListPaging(t *testing.T) {
	h := newHarness(t, Options{})
	for i := range 5 {
		wallet := "USD"
		if i%2 == 1 {
			wallet = "EUR"
		}
		h.create(`{"wallet":"` + wallet + `","amount":1,"currency":"USD","externalID":"k` + string(rune('0'+i)) + `"}`)
		h.clock.Advance(time.Minute)
	}
	tests := []struct {
		query string
		want  page[string]
	}{
		{"limit=2", page[string]{Count: 5, Limit: 2, Skip: 0, Docs: []string{"k4", "k3"}}},
		{"limit=2&page=3", page[string]{Count: 5, Limit: 2, Skip: 4, Docs: []string{"k0"}}},
		{"limit=2&page=9", page[string]{Count: 5, Limit: 2, Skip: 16, Docs: nil}},
		{"limit=9999", page[string]{Count: 5, Limit: 500, Docs: []string{"k4", "k3", "k2", "k1", "k0"}}},
		{"", page[string]{Count: 5, Limit: 100, Docs: []string{"k4", "k3", "k2", "k1", "k0"}}},
		{"wallet=EUR", page[string]{Count: 2, Limit: 100, Docs: []string{"k3", "k1"}}},
		{"from=2026-03-01T12:01:00Z&to=2026-03-01T12:03:00.000Z", page[string]{Count: 3, Limit: 100, Docs: []string{"k3", "k2", "k1"}}},
		{"from=2026-3-2", page[string]{Count: 0, Limit: 100}},
		{"externalID=k2&status=new,completed&type=invoice", page[string]{Count: 1, Limit: 100, Docs: []string{"k2"}}},
		{"type=paymentLink", page[string]{Count: 0, Limit: 100}},
		{"externalID=", page[string]{Count: 0, Limit: 100}},
	}
	for _, tc := range tests {
		p := h.list("/api/v1/transactions/invoices/?" + tc.query)
		got := page[string]{Count: p.Count, Limit: p.Limit, Skip: p.Skip}
		for _, d := range p.Docs {
			got.Docs = append(got.Docs, d.ExternalID)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("?%s (-want +got):\n%s", tc.query, diff)
		}
	}
}

func TestGetInvoice(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.create(`{"wallet":"USD","amount":7.25,"currency":"USD","externalID":"one"}`)
	if !objectID.MatchString(id) {
		t.Errorf("id %q is not 24 hex digits", id)
	}
	for _, path := range []string{"/api/v1/transactions/invoices/" + id, "/api/v1/transactions/invoices/" + id + "/"} {
		status, body := h.call(http.MethodGet, path, "")
		want := `{"id":"` + id + `","receiptID":100001,"type":"invoice","status":"new","refund":{"id":"","status":"","network":"","amount":0,"agent":"","createdAt":"","address":"","txID":""},"invoiceCurrency":"USD","invoiceAmount":7.25,` +
			`"wallet":"USD","walletCredited":0,"network":"","networkAmountReceived":0,"exchangeRate":{"base":"","quote":"","rate":0},"address":"","txs":[],` +
			`"externalID":"one","customer":{"firstName":"","lastName":"","email":""},"createdAt":"2026-03-01T12:00:00.000Z"}`
		if diff := cmp.Diff(want, body); diff != "" || status != http.StatusOK {
			t.Errorf("GET %s: %d (-want +got):\n%s", path, status, diff)
		}
	}
}

package sandbox

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/payform/payform/providers/providertest"
)

// page is what a list answer says, with the invoices by id.
type page struct {
	CurrentPage, PerPage, TotalInvoices, TotalPages int
	IDs                                             []int64
}

func (h *harness) list(t *testing.T, fields ...string) page {
	t.Helper()
	status, body := h.post("/invoices", fields...)
	if status != http.StatusOK {
		t.Fatalf("list %v: %d %s", fields, status, body)
	}
	var out struct {
		CurrentPage   int `json:"current_page"`
		PerPage       int `json:"per_page"`
		TotalInvoices int `json:"total_invoices"`
		TotalPages    int `json:"total_pages"`
		Invoices      []struct {
			ID int64 `json:"id"`
		} `json:"invoices"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("list: %v in %s", err, body)
	}
	p := page{CurrentPage: out.CurrentPage, PerPage: out.PerPage, TotalInvoices: out.TotalInvoices, TotalPages: out.TotalPages, IDs: []int64{}}
	for _, inv := range out.Invoices {
		p.IDs = append(p.IDs, inv.ID)
	}
	return p
}

func TestList(t *testing.T) {
	h := newHarness(t, Options{})
	// Invoices 1-5, one a day from 2026-03-01 12:00; 6 at the same instant as 5.
	for i := 1; i <= 5; i++ {
		h.create("o"+strconv.Itoa(i), "1", "USD")
		if i < 5 {
			h.clock.Advance(24 * time.Hour)
		}
	}
	h.create("o6", "1", "USD")
	for _, tc := range []struct {
		name   string
		fields []string
		want   page
	}{
		{"defaults: newest first", nil, page{1, 100, 6, 1, []int64{6, 5, 4, 3, 2, 1}}},
		{"pages of 4", []string{"per_page", "4", "page", "2"}, page{2, 4, 6, 2, []int64{2, 1}}},
		{"past the end", []string{"per_page", "4", "page", "3"}, page{3, 4, 6, 2, []int64{}}},
		{"oldest first", []string{"per_page", "4", "sort", "created_at_asc"}, page{1, 4, 6, 2, []int64{1, 2, 3, 4}}},
		{"from, inclusive", []string{"created_at[from]", "2026-03-04"}, page{1, 100, 3, 1, []int64{6, 5, 4}}},
		{"to, the whole day", []string{"created_at[to]", "2026-03-02", "sort", "created_at_asc"}, page{1, 100, 2, 1, []int64{1, 2}}},
		{"one day", []string{"created_at[from]", "2026-03-03", "created_at[to]", "2026-03-03"}, page{1, 100, 1, 1, []int64{3}}},
		{"empty range", []string{"created_at[from]", "2026-03-04", "created_at[to]", "2026-03-03"}, page{1, 100, 0, 0, []int64{}}},
	} {
		if diff := cmp.Diff(tc.want, h.list(t, tc.fields...)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

// TestListClockBack: an invoice made after the clock went back is listed
// in creation-time order.
func TestListClockBack(t *testing.T) {
	h := newHarness(t, Options{})
	h.create("a", "1", "USD")
	h.clock.Advance(time.Hour)
	h.create("b", "1", "USD")
	h.clock.Advance(-30 * time.Minute)
	h.create("c", "1", "USD")
	if diff := cmp.Diff([]int64{1, 3, 2}, h.list(t, "sort", "created_at_asc").IDs); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

func TestListValidation(t *testing.T) {
	h := newHarness(t, Options{})
	status, body := h.post("/invoices", "per_page", "101", "page", "0", "sort", "id", "created_at[from]", "2026-3-1", "created_at[to]", "yesterday")
	providertest.Expect(t, "list", status, body, 422, `{"error_message":"List request is not valid: `+
		`created_at[from] must be a date such as 2018-09-01; created_at[to] must be a date such as 2018-09-01; `+
		`page must be a whole number of at least 1; per_page must be a whole number from 1 to 100; sort must be created_at_asc or created_at_desc",`+
		`"errors":{"created_at[from]":"must be a date such as 2018-09-01","created_at[to]":"must be a date such as 2018-09-01",`+
		`"page":"must be a whole number of at least 1","per_page":"must be a whole number from 1 to 100","sort":"must be created_at_asc or created_at_desc"}}`)
	// JSON may nest created_at.
	status, body = h.send(http.MethodPost, "/invoices", "application/json",
		`{"api_key":"`+DefaultAPIKey+`","per_page":2,"created_at":{"from":"2026-03-01","to":"2026-03-01"}}`)
	providertest.Expect(t, "JSON list", status, body, 200, `{"current_page":1,"per_page":2,"total_invoices":0,"total_pages":0,"invoices":[]}`)
}

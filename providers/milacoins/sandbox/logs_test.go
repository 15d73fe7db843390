package sandbox

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRequestLog(t *testing.T) {
	h := newHarness(t, Options{})
	body := `{"wallet":"USD","amount":2,"currency":"USD","externalID":"log-1"}`
	id := h.create(body)
	hdr := h.signed(http.MethodGet, "/api/v1/transactions/invoices/"+id, "")
	hdr["X-Sig"] = Sign("wrong", hdr["X-time"], "GET", "/milacoins/api/v1/transactions/invoices/"+id, nil)
	h.send(http.MethodGet, "/api/v1/transactions/invoices/"+id, "", hdr) // logged: the key is right
	hdr["X-api-key"] = "someone-else"
	h.send(http.MethodGet, "/api/v1/wallets", "", hdr) // not logged: not this merchant's

	status, got := h.call(http.MethodGet, "/api/v1/logs/?limit=5", "")
	var p page[logEntry]
	if err := json.Unmarshal([]byte(got), &p); err != nil || status != http.StatusOK {
		t.Fatalf("logs: %d %s", status, got)
	}
	type summary struct {
		Status      int
		Method, URI string
		Error, Key  string
		Params      map[string]string
	}
	var sums []summary
	for _, l := range p.Docs {
		sums = append(sums, summary{l.Status, l.Method, l.URI, l.Error, l.Headers["x-api-key"], l.Params})
	}
	// uri is from the gateway's own root: a MilaCoins host has no
	// /milacoins mount point.
	want := []summary{
		{403, "GET", "/api/v1/transactions/invoices/" + id, "FAIL_TO_AUTH", "mila…", map[string]string{"id": id}},
		{200, "POST", "/api/v1/invoices", "", "mila…", map[string]string{}},
	}
	if diff := cmp.Diff(want, sums); diff != "" || p.Count != 2 {
		t.Errorf("log (count %d) (-want +got):\n%s", p.Count, diff)
	}
	if string(p.Docs[1].Response) == "" || p.Docs[1].Body == nil {
		t.Errorf("the create's entry lost its body or response: %+v", p.Docs[1])
	}
	status, got = h.call(http.MethodGet, "/api/v1/logs/"+p.Docs[1].ID, "")
	var one logEntry
	if err := json.Unmarshal([]byte(got), &one); err != nil || status != http.StatusOK || one.ID != p.Docs[1].ID || one.URI != "/api/v1/invoices" {
		t.Errorf("log by id: %d %s", status, got)
	}
}

package sandbox

import (
	"net/http"
	"strings"
	"testing"

	"github.com/payform/payform/providers/providertest"
)

func TestRouting(t *testing.T) {
	h := newHarness(t, Options{})
	for _, tc := range []struct {
		method, path string
		status       int
		body         string
	}{
		{http.MethodGet, "/nope", 404, `{"error":"not found"}`},
		{http.MethodPut, "/pay", 405, `{"error":"method not allowed"}`},
		{http.MethodGet, "/verify", 405, `{"error":"method not allowed"}`},
		{http.MethodGet, "/pay?invoice=nope", 404, "<!doctype html><title>Coinilla sandbox</title><p>Invoice not found.</p>\n"},
	} {
		req, _ := http.NewRequest(tc.method, h.url+tc.path, nil)
		resp, err := h.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 512)
		n, _ := resp.Body.Read(b)
		resp.Body.Close()
		providertest.Expect(t, tc.method+" "+tc.path, resp.StatusCode, string(b[:n]), tc.status, tc.body)
	}
	// A JSON body is not form fields: PHP's $_POST would be empty.
	resp, err := h.srv.Client().Post(h.url+"/pay", "application/json", strings.NewReader(`{"func":"1","apikey":"coinilla-test-key"}`))
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 512)
	n, _ := resp.Body.Read(b)
	resp.Body.Close()
	providertest.Expect(t, "JSON body", resp.StatusCode, string(b[:n]), 200, `{"invoice":"","error":"invalid apikey"}`)

	id := h.create("page")
	resp, err = h.srv.Client().Get(h.url + "/pay?invoice=" + id)
	if err != nil {
		t.Fatal(err)
	}
	b = make([]byte, 4096)
	n, _ = resp.Body.Read(b)
	resp.Body.Close()
	if page := string(b[:n]); resp.StatusCode != 200 || !strings.Contains(page, "0.00083317 BTC") {
		t.Errorf("payment page: %d %s", resp.StatusCode, page)
	}
}

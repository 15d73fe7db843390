package gateways_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers/gateways"
)

// TestPageCoinillaReturnForms: the page's Step 2, "We will redirect user
// to one of the URLs (return_url, fail_url or unconfirm_url) you set in
// the API setup (or overridden in Step #1). We POST these parameters to
// return_url, fail_url or unconfirm_url: state, refnum, invoice,
// trans_id, address, amount, satoshi, extra_1, extra_2, extra_3", and "We
// only send OK state to return_url URL, PENDING to unconfirm_url URL and
// CANCELED to fail_url URL."
func TestPageCoinillaReturnForms(t *testing.T) {
	s := serve(t, gateways.SandboxOptions{})
	rc := newReceiver(t)
	pay := func(refnum string) string {
		t.Helper()
		status, body := s.form("/coinilla/pay", url.Values{"func": {"1"}, "apikey": {"coinilla-test-key"}, "currency": {"USD"},
			"amount": {"25.00"}, "refnum": {refnum}, "desc": {"Order " + refnum}, "duplicate_refnum": {"0"},
			"return_url": {rc.URL + "/ok"}, "fail_url": {rc.URL + "/fail"}, "unconfirm_url": {rc.URL + "/pending"},
			"extra_1": {"one"}, "extra_2": {"two"}, "extra_3": {"three"}})
		var out struct{ Invoice, Error string }
		if err := json.Unmarshal([]byte(body), &out); status != 200 || err != nil || out.Error != "" || len(out.Invoice) != 64 {
			t.Fatalf("pay %s: %d %s", refnum, status, body)
		}
		return out.Invoice
	}
	paid := pay("r-paid")
	short := pay("r-short")
	gone := pay("r-gone")
	s.admin(http.MethodPost, "/_sandbox/pay", `{"gateway":"coinilla","id":"`+paid+`"}`)
	s.admin(http.MethodPost, "/_sandbox/pay", `{"gateway":"coinilla","id":"`+short+`","mode":"partial"}`)
	s.admin(http.MethodPost, "/_sandbox/coinilla/cancel", `{"invoice":"`+gone+`"}`)

	got := rc.wait(3)
	type ret struct {
		Method, Path, ContentType, State, Refnum string
		Fields                                   []string
	}
	var rets []ret
	for _, r := range got {
		f, err := url.ParseQuery(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for k := range f {
			names = append(names, k)
		}
		sort.Strings(names)
		rets = append(rets, ret{r.Method, r.Path, r.ContentType, f.Get("state"), f.Get("refnum"), names})
		if f.Get("extra_1") != "one" || f.Get("extra_3") != "three" || (f.Get("invoice") != paid && f.Get("invoice") != short && f.Get("invoice") != gone) {
			t.Errorf("return form %s", r.Body)
		}
	}
	sort.Slice(rets, func(i, j int) bool { return rets[i].Refnum < rets[j].Refnum })
	all := []string{"address", "amount", "extra_1", "extra_2", "extra_3", "invoice", "refnum", "satoshi", "state", "trans_id"}
	const form = "application/x-www-form-urlencoded"
	want := []ret{
		// Not zero-conf: the buyer is back before a confirmation.
		{"POST", "/fail", form, "CANCELED", "r-gone", all},
		{"POST", "/pending", form, "PENDING", "r-paid", all},
		{"POST", "/fail", form, "CANCELED", "r-short", all},
	}
	if diff := cmp.Diff(want, rets); diff != "" {
		t.Errorf("return forms (-want +got):\n%s", diff)
	}
}

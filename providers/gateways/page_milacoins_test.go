package gateways_test

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers/gateways"
	"github.com/payform/payform/providers/milacoins"
	milasandbox "github.com/payform/payform/providers/milacoins/sandbox"
)

// mila sends one signed MilaCoins request, as the page's JavaScript
// sample signs it: X-time (whole seconds of the sandbox's clock), then
// METHOD, then the path as sent, then the body.
func mila(s *sandbox, method, path, body string) (int, string) {
	s.t.Helper()
	xtime := strconv.FormatInt(s.clock.Now().Unix(), 10)
	h := http.Header{
		"X-Api-Key": {milasandbox.DefaultAPIKey}, "X-Time": {xtime},
		"X-Sig": {milacoins.Sign(milasandbox.DefaultSecret, xtime, method, "/milacoins"+path, []byte(body))},
	}
	ct := ""
	if body != "" {
		ct = "application/json"
	}
	return s.do(method, "/milacoins"+path, ct, body, h)
}

// milaLink makes a payment link whose callbackUrl is the receiver's, as
// the page's callbackUrl row says ("include {EVENT} ,{INVOICE_ID} and
// {EXTERNAL_ID} in the URL"), and returns its id.
func milaLink(s *sandbox, rc *receiver, key, amount string) string {
	s.t.Helper()
	status, body := mila(s, http.MethodPost, "/api/v1/invoices/payment-link", `{"wallet":"USD","amount":`+amount+`,"currency":"USD","externalID":"`+key+`",`+
		`"cancelUrl":"https://shop.example.com/cancel","completedUrl":"https://shop.example.com/done",`+
		`"callbackUrl":"`+rc.URL+`/hook/{EVENT}/{EXTERNAL_ID}"}`)
	var out struct{ ID string }
	if err := json.Unmarshal([]byte(body), &out); status != 200 || err != nil || out.ID == "" {
		s.t.Fatalf("payment link %s: %d %s", key, status, body)
	}
	return out.ID
}

// events lists the callbacks received as "EVENT/EXTERNAL_ID", sorted.
func events(got []received) []string {
	out := []string{}
	for _, r := range got {
		out = append(out, strings.TrimPrefix(r.Path, "/hook/"))
	}
	sort.Strings(out)
	return out
}

// TestPageMilaCoinsCallbackEvents: the page's payment-link table:
// callbackUrl "Callback url to get events ... events options:
// cancel,complete"; completedUrl "Redirect url on complete payment";
// cancelUrl "Redirect url on cancel payment or error". So: complete when
// the payment is complete, which it is not while the invoice is
// waitingForConfirmation (a status of the page's enum); nothing while it
// waits; complete at completed or overPaid; cancel for an underPaid one
// (an error of payment, not a complete one) and for a link that expires
// unpaid; complete again for a link paid late (paidLate).
func TestPageMilaCoinsCallbackEvents(t *testing.T) {
	s := serve(t, gateways.SandboxOptions{})
	rc := newReceiver(t)
	for _, key := range []string{"full", "short", "more", "unpaid", "late"} {
		milaLink(s, rc, key, "10")
	}
	for key, mode := range map[string]string{"full": "full", "short": "partial", "more": "over"} {
		s.admin(http.MethodPost, "/_sandbox/pay", `{"gateway":"milacoins","key":"`+key+`","mode":"`+mode+`"}`)
	}
	status, body := mila(s, http.MethodGet, "/api/v1/transactions/invoices/?externalID=full", "")
	if status != 200 || !strings.Contains(body, `"status":"waitingForConfirmation"`) {
		t.Fatalf("paid link: %d %s, want waitingForConfirmation", status, body)
	}
	if got := rc.quiet(); len(got) != 0 {
		t.Errorf("callbacks while waitingForConfirmation: %v, want none", events(got))
	}

	s.clock.Advance(milasandbox.DefaultConfirmAfter)
	mila(s, http.MethodGet, "/api/v1/wallets", "")
	want := []string{"cancel/short", "complete/full", "complete/more"}
	if diff := cmp.Diff(want, events(rc.wait(3))); diff != "" {
		t.Errorf("at the final statuses (-want +got):\n%s", diff)
	}

	s.clock.Advance(milasandbox.DefaultExpiry)
	mila(s, http.MethodGet, "/api/v1/wallets", "")
	want = []string{"cancel/late", "cancel/short", "cancel/unpaid", "complete/full", "complete/more"}
	if diff := cmp.Diff(want, events(rc.wait(5))); diff != "" {
		t.Errorf("at the links' expiry (-want +got):\n%s", diff)
	}
	s.admin(http.MethodPost, "/_sandbox/pay", `{"gateway":"milacoins","key":"late"}`)
	s.clock.Advance(milasandbox.DefaultConfirmAfter)
	mila(s, http.MethodGet, "/api/v1/wallets", "")
	want = []string{"cancel/late", "cancel/short", "cancel/unpaid", "complete/full", "complete/late", "complete/more"}
	if diff := cmp.Diff(want, events(rc.wait(6))); diff != "" {
		t.Errorf("after a late payment (-want +got):\n%s", diff)
	}
	if got := rc.quiet(); len(got) != 6 {
		t.Errorf("%d callbacks, want each event once", len(got))
	}
}

// TestPageMilaCoinsObjects: the page's invoice tables type refund
// "Object" (id, status, network, amount, agent, createdAt, address, txID)
// and exchangeRate "Object" (base, quote, rate): objects, with those
// members, whether or not the invoice is paid — never null.
func TestPageMilaCoinsObjects(t *testing.T) {
	s := serve(t, gateways.SandboxOptions{})
	rc := newReceiver(t)
	unpaid := milaLink(s, rc, "o-1", "10")
	paid := milaLink(s, rc, "o-2", "10")
	s.admin(http.MethodPost, "/_sandbox/pay", `{"gateway":"milacoins","key":"o-2","currency":"BTC"}`)
	for _, id := range []string{unpaid, paid} {
		status, body := mila(s, http.MethodGet, "/api/v1/transactions/invoices/"+id, "")
		if status != 200 {
			t.Fatalf("get %s: %d %s", id, status, body)
		}
		doc := object(t, body)
		refund, rate := object(t, string(doc["refund"])), object(t, string(doc["exchangeRate"]))
		if diff := cmp.Diff([]string{"address", "agent", "amount", "createdAt", "id", "network", "status", "txID"}, members(refund)); diff != "" {
			t.Errorf("%s refund (-want +got):\n%s", id, diff)
		}
		if diff := cmp.Diff([]string{"base", "quote", "rate"}, members(rate)); diff != "" {
			t.Errorf("%s exchangeRate (-want +got):\n%s", id, diff)
		}
		if id == paid && (str(rate["base"]) != "BTC" || str(rate["quote"]) != "USD" || string(rate["rate"]) != "60000") {
			t.Errorf("paid exchangeRate %s", doc["exchangeRate"])
		}
		// And in the list: every document the same.
		_, list := mila(s, http.MethodGet, "/api/v1/transactions/invoices/?externalID="+str(doc["externalID"]), "")
		if strings.Contains(list, "null") {
			t.Errorf("list with a null: %s", list)
		}
	}
}

// TestPageMilaCoinsLogURI: the page's request log documents uri
// "String": the URI the gateway received, from its own root. A MilaCoins
// host has no /milacoins mount point, so neither has the sandbox's log.
func TestPageMilaCoinsLogURI(t *testing.T) {
	s := serve(t, gateways.SandboxOptions{})
	mila(s, http.MethodGet, "/api/v1/wallets", "")
	mila(s, http.MethodGet, "/api/v1/transactions/invoices/?limit=2&externalID=x", "")
	status, body := mila(s, http.MethodGet, "/api/v1/logs/", "")
	var logs struct {
		Docs []struct {
			URI string `json:"uri"`
		} `json:"docs"`
	}
	if err := json.Unmarshal([]byte(body), &logs); status != 200 || err != nil {
		t.Fatalf("logs: %d %s", status, body)
	}
	var uris []string
	for _, d := range logs.Docs {
		uris = append(uris, d.URI)
	}
	want := []string{"/api/v1/transactions/invoices/?limit=2&externalID=x", "/api/v1/wallets"}
	if diff := cmp.Diff(want, uris); diff != "" {
		t.Errorf("logged uris (-want +got):\n%s", diff)
	}
}

package gateways_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/gateways"
	"github.com/payform/payform/providers/milacoins"
	milasandbox "github.com/payform/payform/providers/milacoins/sandbox"
)

// TestStrictTurnsLeniencyOff: each leniency docs/sandboxes.md lists is
// taken without --strict and refused with it.
func TestStrictTurnsLeniencyOff(t *testing.T) {
	lenient, strict := serve(t, gateways.SandboxOptions{}), serve(t, gateways.SandboxOptions{Strict: true})

	// MilaCoins: the signed path is "the URL without host, starting with a
	// slash and including all query parameters" (NOTES.md, from the
	// vendor's page); the JavaScript sample signs the path without the
	// sandbox's mount point, which only the lenient sandbox takes.
	milaSigned := func(s *sandbox, signedPath, sentPath string, skew time.Duration) int {
		xtime := strconv.FormatInt(s.clock.Now().Add(skew).Unix(), 10)
		h := http.Header{"X-Api-Key": {milasandbox.DefaultAPIKey}, "X-Time": {xtime},
			"X-Sig": {milacoins.Sign(milasandbox.DefaultSecret, xtime, "GET", signedPath, nil)}}
		status, _ := s.do(http.MethodGet, "/milacoins"+sentPath, "", "", h)
		return status
	}
	for _, tc := range []struct {
		what                string
		signed, sent        string
		skew                time.Duration
		lenientOK, strictOK bool
	}{
		{"the full URI", "/milacoins/api/v1/wallets", "/api/v1/wallets", 0, true, true},
		{"the path from the mount point", "/api/v1/wallets", "/api/v1/wallets", 0, true, false},
		{"no leading slash", "milacoins/api/v1/wallets", "/api/v1/wallets", 0, true, false},
		{"X-time 30 s behind", "/milacoins/api/v1/wallets", "/api/v1/wallets", -30 * time.Second, true, false},
		{"X-time 1 s ahead", "/milacoins/api/v1/wallets", "/api/v1/wallets", time.Second, true, true},
		{"a trailing slash", "/milacoins/api/v1/wallets/", "/api/v1/wallets/", 0, true, false},
		{"the list without its slash", "/milacoins/api/v1/transactions/invoices", "/api/v1/transactions/invoices", 0, true, false},
		{"the list with its slash", "/milacoins/api/v1/transactions/invoices/", "/api/v1/transactions/invoices/", 0, true, true},
	} {
		for _, s := range []struct {
			sb   *sandbox
			ok   bool
			name string
		}{{lenient, tc.lenientOK, "lenient"}, {strict, tc.strictOK, "strict"}} {
			if got := milaSigned(s.sb, tc.signed, tc.sent, tc.skew); (got == 200) != s.ok {
				t.Errorf("milacoins %s, %s: %d, want ok=%v", tc.what, s.name, got, s.ok)
			}
		}
	}

	// CoinPay24: the page's requests are curl -d forms; the vendor's
	// plugins send JSON, which only the lenient sandbox takes; paths as
	// the page writes them.
	for _, tc := range []struct {
		what, path, contentType, body string
		lenient, strict               int
	}{
		{"a form", "/coinpay24/v1/invoices", "application/x-www-form-urlencoded", "api_key=" + cp24Key, 200, 200},
		{"JSON", "/coinpay24/v1/invoices", "application/json", `{"api_key":"` + cp24Key + `"}`, 200, 400},
		{"no Content-Type", "/coinpay24/v1/invoices", "", "api_key=" + cp24Key, 200, 400},
		{"a trailing slash", "/coinpay24/v1/invoices/", "application/x-www-form-urlencoded", "api_key=" + cp24Key, 200, 404},
	} {
		if got, _ := lenient.do(http.MethodPost, tc.path, tc.contentType, tc.body, nil); got != tc.lenient {
			t.Errorf("coinpay24 %s, lenient: %d, want %d", tc.what, got, tc.lenient)
		}
		if got, _ := strict.do(http.MethodPost, tc.path, tc.contentType, tc.body, nil); got != tc.strict {
			t.Errorf("coinpay24 %s, strict: %d, want %d", tc.what, got, tc.strict)
		}
	}
	// "Payment notification will be canceled and terminated if ...
	// Payment notification is sent to a private network, such as
	// localhost."
	for _, s := range []*sandbox{lenient, strict} {
		rc := newReceiver(t)
		id := cp24Create(s, "private", "10", "callback_url", rc.URL+"/hook")
		s.form("/coinpay24/v1/invoices/"+id+"/checkout", url.Values{"api_key": {cp24Key}, "pay_currency": {"BTC"}})
		ds, err := s.deliveries("/_sandbox/coinpay24/callbacks", 1)
		if err != nil {
			t.Fatal(err)
		}
		got := rc.quiet()
		if s == lenient && (len(got) != 1 || ds[0].Status != 200) {
			t.Errorf("lenient: a callback to %s: received %d, deliveries %+v", rc.URL, len(got), ds)
		}
		if s == strict && (len(got) != 0 || !ds[0].Final || !strings.Contains(ds[0].Error, "private network")) {
			t.Errorf("strict: a callback to %s: received %d, deliveries %+v", rc.URL, len(got), ds)
		}
	}

	// WllxPay: "amount string": numbers only in the lenient sandbox.
	wllx := func(s *sandbox, body string) int {
		h := http.Header{"X-Processing-Key": {"wllxpay-test-key"}, "X-Processing-Signature": {sign512("wllxpay-test-secret", body)}}
		status, _ := s.do(http.MethodPost, "/wllxpay/api/v1/withdrawal/make", "application/json", body, h)
		return status
	}
	btc, _ := money.GenerateAddress("BTC", []byte("strict"))
	if got := wllx(lenient, `{"currency":"BTC","foreign_id":"n-1","amount":0.01,"address":"`+btc+`"}`); got != 201 {
		t.Errorf("wllxpay number amount, lenient: %d", got)
	}
	if got := wllx(strict, `{"currency":"BTC","foreign_id":"n-1","amount":0.01,"address":"`+btc+`"}`); got != 400 {
		t.Errorf("wllxpay number amount, strict: %d", got)
	}

	// The v2 lookup is not on WllxPay's page.
	if _, _, err := gateways.NewSandboxServer(gateways.SandboxOptions{Strict: true, Options: map[string]string{"v2_lookup": "true"}}); err == nil {
		t.Error("strict with v2_lookup: no error")
	}
}

// TestStrictTakesPayformsClients: payform's own clients ask nothing of a
// strict sandbox that the pages do not promise: a create at every
// gateway succeeds (an XRP payout's tag aside: TestPageWllxPayTagEcho).
func TestStrictTakesPayformsClients(t *testing.T) {
	// The documented rate limits, scaled so that pacing costs no time.
	s := serve(t, gateways.SandboxOptions{Strict: true, Clock: time.Now, LimitScale: 3600})
	btc, _ := money.GenerateAddress("BTC", []byte("strict-client"))
	for _, g := range gateways.All() {
		creds := map[string]string{}
		for _, c := range g.Credentials {
			creds[c.Attr] = c.Sandbox
		}
		p, closer, err := gateways.Open(gateways.Spec{Gateway: g, Name: g.Name, Endpoint: s.base + g.SandboxPath, Credentials: creds,
			Timeout: 5 * time.Second, LimitScale: 3600})
		if err != nil {
			t.Fatal(err)
		}
		req := providers.Request{Kind: providers.Invoice, Key: "strict-" + g.Name, Amount: decimal.RequireFromString("10"), Currency: "USD",
			Fields: map[string]string{}}
		switch g.Name {
		case "wllxpay":
			req = providers.Request{Kind: providers.Payout, Key: "strict-1", Amount: decimal.RequireFromString("0.01"), Currency: "BTC", Address: btc}
		case "miraclepay":
			req.Fields[providers.FieldBlockchains] = "eth"
		case "milacoins":
			req.Currency = "EUR"
		}
		obj, err := p.Create(context.Background(), req)
		if err != nil || obj.ID == "" {
			t.Errorf("%s: %+v, %v", g.Name, obj, err)
		}
		if _, err := p.Refresh(context.Background(), []providers.Ref{{Kind: req.Kind, Key: req.Key, ID: obj.ID, CreatedAt: time.Now()}}); err != nil && err != providers.ErrUnsupported {
			t.Errorf("%s refresh: %v", g.Name, err)
		}
		closer.Close()
	}
}

package coinilla_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/payform/payform/providers/coinilla"
	"github.com/payform/payform/providers/coinilla/sandbox"
	"github.com/payform/payform/providers/emulator"
)

// TestVendorPage walks the vendor page's steps, host replaced: request a
// payment, send the buyer to /pay?invoice=, take the browser's return,
// verify it.
func TestVendorPage(t *testing.T) {
	emu, _, _, endpoint := gateway(t, sandbox.Options{ZeroConf: true})
	post := func(path string, form url.Values) map[string]string {
		t.Helper()
		resp, err := http.PostForm(endpoint+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]string
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
			t.Fatalf("POST %s: %d %v", path, resp.StatusCode, err)
		}
		return out
	}
	step1 := url.Values{
		"func": {"1"}, "apikey": {sandbox.DefaultAPIKey}, "currency": {"USD"}, "amount": {"25.00"},
		"refnum": {"order-12345"}, "desc": {"Order #12345"},
		"return_url": {"https://shop.example.com/ok"}, "fail_url": {"https://shop.example.com/fail"},
		"unconfirm_url": {"https://shop.example.com/pending"}, "duplicate_refnum": {"0"},
		"extra_1": {"customer-7"}, "extra_2": {"x"}, "extra_3": {"y"},
	}
	got := post("/pay", step1)
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(got["invoice"]) || got["error"] != "" {
		t.Fatalf("Step 1: %v, want a 64-hex invoice and no error", got)
	}
	id := got["invoice"]
	if again := post("/pay", step1); again["invoice"] != "" || again["error"] != "duplicate refnum" {
		t.Errorf("Step 1 repeated: %v, want the duplicate refnum error", again)
	}
	resp, err := http.Get(endpoint + "/pay?invoice=" + id)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the buyer's payment page: %v %v", resp, err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !regexp.MustCompile(`0\.00041667 BTC`).Match(page) {
		t.Errorf("the payment page does not ask for 25.00 USD in BTC:\n%s", page)
	}

	verify := url.Values{"func": {"3"}, "apikey": {sandbox.DefaultAPIKey}, "invoice": {id}, "refnum": {"order-12345"}}
	if v := post("/verify", verify); v["status"] != "notpaid" || v["error"] != "" {
		t.Errorf("Step 2 verify before payment: %v", v)
	}
	if _, err := emu.Pay(emulator.Payment{ID: id}); err != nil {
		t.Fatal(err)
	}
	returns := emu.Returns()
	if len(returns) != 1 || returns[0].URL != "https://shop.example.com/ok" {
		t.Fatalf("returns %+v, want one to return_url", returns)
	}
	form := returns[0].Form
	if form.Get("state") != "OK" || form.Get("extra_1") != "customer-7" || form.Get("satoshi") != "41667" || form.Get("amount") != "25" {
		t.Errorf("return form %v", form)
	}
	if v := post("/verify", verify); v["status"] != "paid-0" || v["error"] != "" {
		t.Errorf("Step 2 verify after payment: %v", v)
	}
	byTrans := url.Values{"func": {"4"}, "apikey": {sandbox.DefaultAPIKey}, "trans_id": {form.Get("trans_id")}}
	if v := post("/verify", byTrans); v["status"] != "paid-0" || v["error"] != "" {
		t.Errorf("alternative verification: %v", v)
	}

	// The merchant's side: parse the unsigned form, then verify it.
	ret, err := coinilla.VerifyReturn(form)
	if err != nil {
		t.Fatal(err)
	}
	c := coinilla.NewClient(endpoint, sandbox.DefaultAPIKey, nil)
	v, ok, err := c.ConfirmReturn(context.Background(), ret)
	if err != nil || !ok || v.Status != "paid-0" {
		t.Errorf("ConfirmReturn = %+v, %v, %v; want paid-0 accepted", v, ok, err)
	}
}

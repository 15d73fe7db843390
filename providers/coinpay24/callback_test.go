package coinpay24_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/coinpay24"
	"github.com/payform/payform/providers/coinpay24/sandbox"
)

// vectorForm is the vendor's callback example; its verify_hash is the
// one computed in gateways/NOTES.md with the plugins' recipe and the key
// API_KEY (the vendor publishes no vector of its own).
func vectorForm() url.Values {
	return url.Values{
		"txn_id": {"309272569091632"}, "order_id": {"14037"}, "status": {"paid"}, "price_amount": {"1050.99"},
		"price_currency": {"USD"}, "pay_amount": {"4.81849315"}, "pay_currency": {"BTC"},
		"created_at":  {"2014-11-03T13:07:28+00:00"},
		"verify_hash": {"dbdfeb96db59c4e17207346edd2feced866f9e66b49a70a7e8f9d1327122e919"},
	}
}

func TestVerifyCallbackVector(t *testing.T) {
	form := vectorForm()
	const message = "created_at=2014-11-03T13%3A07%3A28%2B00%3A00&order_id=14037&pay_amount=4.81849315&pay_currency=BTC&price_amount=1050.99&price_currency=USD&status=paid&txn_id=309272569091632"
	if got := coinpay24.CallbackMessage(form); got != message {
		t.Errorf("CallbackMessage = %s\nwant             %s", got, message)
	}
	if err := coinpay24.VerifyCallback("API_KEY", form); err != nil {
		t.Errorf("the NOTES vector: %v", err)
	}
	form.Set("verify_hash", strings.ToUpper(form.Get("verify_hash")))
	if err := coinpay24.VerifyCallback("API_KEY", form); err != nil {
		t.Errorf("upper-case hex: %v", err)
	}
	m := hmac.New(sha512.New, []byte("API_KEY"))
	io.WriteString(m, message)
	form.Set("verify_hash", strings.ToUpper(hex.EncodeToString(m.Sum(nil))))
	if err := coinpay24.VerifyCallback("API_KEY", form); err != nil {
		t.Errorf("SHA-512 variant: %v", err)
	}
}

func TestVerifyCallbackRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  string
		edit func(url.Values)
		want string
	}{
		{"wrong key", "OTHER_KEY", func(url.Values) {}, "verify_hash does not match"},
		{"changed amount", "API_KEY", func(f url.Values) { f.Set("price_amount", "1050.98") }, "verify_hash does not match"},
		{"added field", "API_KEY", func(f url.Values) { f.Set("note", "x") }, "verify_hash does not match"},
		{"no hash", "API_KEY", func(f url.Values) { f.Del("verify_hash") }, "no verify_hash"},
		{"short hash", "API_KEY", func(f url.Values) { f.Set("verify_hash", "abc") }, "verify_hash has 3 characters, want 64 (or 128)"},
		{"repeated field", "API_KEY", func(f url.Values) { f.Add("status", "paid") }, `field "status" is sent 2 times`},
		{"no key", "", func(url.Values) {}, "no API key to check it with"},
	} {
		form := vectorForm()
		tc.edit(form)
		err := coinpay24.VerifyCallback(tc.key, form)
		if !errors.Is(err, coinpay24.ErrBadCallback) || !strings.HasSuffix(err.Error(), tc.want) {
			t.Errorf("%s: %v, want ErrBadCallback: ...%s", tc.name, err, tc.want)
		}
	}
}

// TestVerifyEmulatorCallback: what the sandbox sends, VerifyCallback
// accepts, also with characters that form encodings treat differently.
func TestVerifyEmulatorCallback(t *testing.T) {
	forms := make(chan url.Values, 10)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		forms <- r.PostForm
	}))
	defer rcv.Close()
	e := newEnv(t, sandbox.Options{})
	p := client(t, e.endpoint, sandbox.DefaultAPIKey)
	if _, err := p.Create(context.Background(), invoice("ord ~*'!+&=/ é", "12.34", "EUR",
		providers.FieldCallbackURL, rcv.URL, providers.FieldPayCurrency, "DOGE")); err != nil {
		t.Fatal(err)
	}
	select {
	case form := <-forms:
		if err := coinpay24.VerifyCallback(sandbox.DefaultAPIKey, form); err != nil || form.Get("status") != "pending" {
			t.Errorf("emulator callback %v: %v", form, err)
		}
		if err := coinpay24.VerifyCallback("coinpay24-wrong-key", form); err == nil {
			t.Error("accepted with the wrong key")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no callback")
	}
}

package milacoins_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/milacoins"
	"github.com/payform/payform/providers/milacoins/sandbox"
)

var ignoreErr = cmpopts.IgnoreFields(providers.Error{}, "Err")

func TestCreateErrors(t *testing.T) {
	e := newEnv(t, sandbox.Options{StrictExternalID: true})
	good := e.client(t, nil)
	if _, err := good.Create(context.Background(), invoice("taken", "5", nil)); err != nil {
		t.Fatal(err)
	}
	const auth = "Fail to Authentication: Check the api key, the secret key and the sign function"
	rejected := func(status int, code, msg string) *providers.Error {
		return &providers.Error{Class: providers.Rejected, Gateway: "milacoins", Op: "invoices", Status: status, Code: code, Message: msg,
			Auth: code == "FAIL_TO_AUTH"}
	}
	tests := []struct {
		name   string
		c      *milacoins.Client
		req    providers.Request
		faults string
		want   *providers.Error
		made   int // ledger objects with the key afterwards
	}{
		{"wrong key", e.client(t, func(o *milacoins.Options) { o.APIKey = "nope" }), invoice("a", "1", nil), "",
			rejected(403, "FAIL_TO_AUTH", auth), 0},
		{"wrong secret", e.client(t, func(o *milacoins.Options) { o.Secret = "nope" }), invoice("a", "1", nil), "",
			rejected(403, "FAIL_TO_AUTH", auth), 0},
		{"clock off", e.client(t, func(o *milacoins.Options) { o.Clock = func() time.Time { return t0.Add(-2 * time.Minute) } }), invoice("a", "1", nil), "",
			rejected(403, "INVALID_TIME", "X-time hadear is invalid: 1772366280"), 0},
		{"wallet", good, invoice("a", "1", map[string]string{providers.FieldWallet: "DOGE"}), "",
			rejected(401, "VALIDATION_REQUEST_ENUM_WALLETS", `"DOGE" is not a valid wallet. Valid wallets: BTC,BCH,ETH,USDT,USDC,EUR,GBP,USD`), 0},
		{"currency", good, func() providers.Request {
			r := invoice("a", "1", map[string]string{providers.FieldWallet: "USD"})
			r.Currency = "CAD"
			return r
		}(), "", rejected(401, "VALIDATION_REQUEST_ENUM_CURRENCY", `"CAD" is not a valid currency. Valid currencies: AED,MYR,BRL,EUR,USD,GBP,ILS,JPY,RUB,TRY,UAH,NZD`), 0},
		{"wallet defaults to the currency", good, func() providers.Request { r := invoice("a", "1", nil); r.Currency = "ILS"; return r }(), "",
			rejected(401, "VALIDATION_REQUEST_ENUM_WALLETS", `"ILS" is not a valid wallet. Valid wallets: BTC,BCH,ETH,USDT,USDC,EUR,GBP,USD`), 0},
		{"amount places", good, invoice("a", "1.005", nil), "",
			rejected(401, "DB_INVALID_INPUT", `Invalid input data. "amount" may have at most 2 decimal places in USD.`), 0},
		{"duplicate (strict)", good, invoice("taken", "5", nil), "",
			&providers.Error{Class: providers.Duplicate, Gateway: "milacoins", Op: "invoices", Status: 401, Code: "DB_DUPLICATE", Message: "Already exist."}, 1},
		{"429", good, invoice("b", "1", nil), "status-429=1",
			&providers.Error{Class: providers.Retryable, Gateway: "milacoins", Op: "invoices", Status: 429, Code: "LIMIT_ERROR", Message: "Too many requests, please try again later.", RetryAfter: time.Second}, 0},
		{"500", good, invoice("c", "1", nil), "status-500=1",
			&providers.Error{Class: providers.Ambiguous, Gateway: "milacoins", Op: "invoices", Status: 500, Message: "Internal Server Error"}, 0},
		{"cut after commit", good, invoice("d", "1", nil), "drop-after-commit=1",
			&providers.Error{Class: providers.Ambiguous, Gateway: "milacoins", Op: "invoices", Message: "EOF"}, 1},
		{"cut after the request was written", good, invoice("f", "1", nil), "fail-before-commit=1",
			&providers.Error{Class: providers.Ambiguous, Gateway: "milacoins", Op: "invoices", Message: "EOF"}, 0},
		{"payment link without cancel_url", good, invoice("g", "1", map[string]string{providers.FieldSuccessURL: "https://shop.example/ok"}), "",
			&providers.Error{Class: providers.Rejected, Gateway: "milacoins", Op: "create", Message: "a MilaCoins payment link needs both success_url and cancel_url; declare cancel_url too, or neither for a plain invoice",
				Fields: map[string]string{"success_url": "a MilaCoins payment link needs both success_url and cancel_url; declare cancel_url too, or neither for a plain invoice"}}, 0},
		{"callback on a plain invoice", good, invoice("g", "1", map[string]string{providers.FieldCallbackURL: "https://shop.example/cb"}), "",
			&providers.Error{Class: providers.Rejected, Gateway: "milacoins", Op: "create", Message: "callback_url is taken only by MilaCoins payment links; declare success_url and cancel_url too",
				Fields: map[string]string{"callback_url": "callback_url is taken only by MilaCoins payment links; declare success_url and cancel_url too"}}, 0},
		{"expires_at", good, invoice("g", "1", map[string]string{providers.FieldExpiresAt: "tomorrow"}), "",
			&providers.Error{Class: providers.Rejected, Gateway: "milacoins", Op: "create", Message: `expires_at "tomorrow" is not an RFC 3339 time such as 2026-12-31T23:59:00Z`,
				Fields: map[string]string{"expires_at": `expires_at "tomorrow" is not an RFC 3339 time such as 2026-12-31T23:59:00Z`}}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := emulator.ParseFaults(tc.faults)
			e.faults.Set(f)
			defer e.faults.Set(emulator.Faults{})
			_, err := tc.c.Create(context.Background(), tc.req)
			var got *providers.Error
			if !errors.As(err, &got) {
				t.Fatalf("Create = %v, want a *providers.Error", err)
			}
			if diff := cmp.Diff(tc.want, got, ignoreErr); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			n := 0
			for _, o := range e.em.Ledger() {
				if o.Key == tc.req.Key {
					n++
				}
			}
			if n != tc.made {
				t.Errorf("ledger has %d objects with key %q, want %d", n, tc.req.Key, tc.made)
			}
		})
	}
	if n := len(e.requests()); n != len(tests)-3+1 {
		t.Errorf("%d requests reached the server, want %d: the client-side refusals send nothing", n, len(tests)-3+1)
	}
}

// TestUnreachable: a refused connection never reached the gateway.
func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + ln.Addr().String() + "/milacoins"
	ln.Close()
	c, err := milacoins.NewClient(milacoins.Options{Endpoint: endpoint, APIKey: "k", Secret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Create(context.Background(), invoice("a", "1", nil))
	if cl := providers.ClassOf(err); cl != providers.Retryable {
		t.Errorf("class = %v (%v), want retryable", cl, err)
	}
}

package coinpay24_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/coinpay24/sandbox"
	"github.com/payform/payform/providers/emulator"
)

func TestCreateErrors(t *testing.T) {
	e := newEnv(t, sandbox.Options{StrictOrderID: true, InvoiceLimit: sandbox.Limit{N: 2, Per: time.Hour}})
	good := client(t, e.endpoint, sandbox.DefaultAPIKey)
	if _, err := good.Create(context.Background(), invoice("taken", "10", "USD")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		p      providers.Provider
		req    providers.Request
		faults string
		want   *providers.Error
	}{
		{"wrong key", client(t, e.endpoint, "nope"), invoice("a", "10", "USD"), "",
			&providers.Error{Class: providers.Rejected, Gateway: "coinpay24", Op: "invoices/create", Status: 401,
				Message: "Unauthorized: your API key is wrong.", Fields: map[string]string{"api_key": "is wrong"}, Auth: true}},
		{"validation", good, invoice("b", "0.001", "USD", providers.FieldCallbackURL, "mailto:x"), "",
			&providers.Error{Class: providers.Rejected, Gateway: "coinpay24", Op: "invoices/create", Status: 422,
				Message: "Invoice is not valid: callback_url must be a valid http or https URL; price_amount may not have more than 2 decimal places for USD",
				Fields:  map[string]string{"callback_url": "must be a valid http or https URL", "price_amount": "may not have more than 2 decimal places for USD"}}},
		{"pay_currency not crypto", good, invoice("c", "10", "USD", providers.FieldPayCurrency, "EUR"), "",
			&providers.Error{Class: providers.Rejected, Gateway: "coinpay24", Op: "invoices/create",
				Message: `pay_currency "EUR" is not a crypto currency CoinPay24 takes`, Fields: map[string]string{"pay_currency": `pay_currency "EUR" is not a crypto currency CoinPay24 takes`}}},
		{"order_id taken (strict account)", good, invoice("taken", "10", "USD"), "",
			&providers.Error{Class: providers.Duplicate, Gateway: "coinpay24", Op: "invoices/create", Status: 422,
				Message: "order_id has already been taken", Fields: map[string]string{"order_id": "has already been taken"}}},
		{"cut after commit", good, invoice("g", "10", "USD"), "drop-after-commit=1",
			&providers.Error{Class: providers.Ambiguous, Gateway: "coinpay24", Op: "invoices/create", Message: "EOF"}},
		{"invoices per hour (the third)", good, invoice("d", "10", "USD"), "",
			&providers.Error{Class: providers.Retryable, Gateway: "coinpay24", Op: "invoices/create", Status: 429,
				Message: "Too Many Requests: slow down.", RetryAfter: time.Hour}},
		{"429 fault", good, invoice("e", "10", "USD"), "status-429=1",
			&providers.Error{Class: providers.Retryable, Gateway: "coinpay24", Op: "invoices/create", Status: 429,
				Message: "Too Many Requests: slow down.", RetryAfter: time.Second}},
		{"500", good, invoice("f", "10", "USD"), "status-500=1",
			&providers.Error{Class: providers.Ambiguous, Gateway: "coinpay24", Op: "invoices/create", Status: 500, Message: "Internal Server Error"}},
		{"payout", good, providers.Request{Kind: providers.Payout, Key: "h"}, "",
			&providers.Error{Class: providers.Rejected, Gateway: "coinpay24", Message: "payout is not supported by coinpay24"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := emulator.ParseFaults(tc.faults)
			e.faults.Set(f)
			defer e.faults.Set(emulator.Faults{})
			_, err := tc.p.Create(context.Background(), tc.req)
			var got *providers.Error
			if !errors.As(err, &got) {
				t.Fatalf("Create = %v, want a *providers.Error", err)
			}
			if diff := cmp.Diff(tc.want, got, ignoreErr); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
	var keys []string
	for _, o := range e.emu.Ledger() {
		keys = append(keys, o.Key)
	}
	if diff := cmp.Diff([]string{"g", "taken"}, keys); diff != "" {
		t.Errorf("invoices made (-want +got):\n%s", diff)
	}
}

// TestUnreachable: a refused connection never reached the gateway.
func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + ln.Addr().String() + "/coinpay24/v1"
	ln.Close()
	_, err = client(t, endpoint, "k").Create(context.Background(), invoice("a", "1", "USD"))
	if c := providers.ClassOf(err); c != providers.Retryable {
		t.Errorf("class = %v (%v), want retryable", c, err)
	}
}

// TestOddAnswers: answers the emulator never gives but a gateway might.
func TestOddAnswers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		class  providers.Class
		msg    string
	}{
		{"2xx not JSON", 200, "<html>ok</html>", providers.Ambiguous, "undecodable success response: invalid character '<' looking for beginning of value"},
		{"2xx naming no invoice", 200, `{"created_at":"2021-05-14T17:37:18+00:00"}`, providers.Ambiguous, "the answer names no invoice (no id, no payment_url)"},
		{"503 page", 503, "<h1>maintenance</h1>", providers.Ambiguous, "Service Unavailable"},
		{"408", 408, "", providers.Retryable, "Request Timeout"},
		{"400 CoinGate-style", 400, `{"message":"Bad Request","errors":["Price is missing"]}`, providers.Rejected, "Bad Request"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tc.status)
			w.Write([]byte(tc.body))
		}))
		_, err := client(t, srv.URL, "k").Create(context.Background(), invoice("a", "1", "USD"))
		srv.Close()
		var perr *providers.Error
		if !errors.As(err, &perr) || perr.Class != tc.class || perr.Message != tc.msg {
			t.Errorf("%s: %v, want %v %q", tc.name, err, tc.class, tc.msg)
		}
	}
	// Numbers where the vendor shows strings, and the id alone.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"id":1723,"order_id":"a","status":"new","price_amount":100.10,"price_currency":"USD","created_at":"2021-05-14T17:37:18+00:00"}`))
	}))
	defer srv.Close()
	obj, err := client(t, srv.URL, "k").Create(context.Background(), invoice("a", "100.1", "USD"))
	want := providers.Object{Kind: providers.Invoice, Key: "a", ID: "1723", Status: providers.StatusPending, RawStatus: "new",
		Amount: decimal.RequireFromString("100.1"), Currency: "USD", Fields: map[string]string{}}
	if diff := cmp.Diff(want, obj, decimalEqual); err != nil || diff != "" {
		t.Errorf("Create = %v (-want +got):\n%s", err, diff)
	}
}

package wllxpay_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/wllxpay"
	"github.com/payform/payform/providers/wllxpay/sandbox"
)

// gateway serves the WllxPay emulator over real HTTP behind a fault
// injector, mounted as `payform sandbox serve` mounts it.
func gateway(t *testing.T, opts sandbox.Options) (*sandbox.Emulator, *emulator.FaultInjector, string) {
	t.Helper()
	emu, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	faults := emulator.NewFaultInjector(emulator.Faults{})
	srv := emulator.NewServer(emulator.ServerOptions{Emulators: []emulator.Emulator{emu}, Faults: faults})
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return emu, faults, hs.URL + wllxpay.Gateway.SandboxPath
}

func client(t *testing.T, endpoint, key, secret string, opts map[string]string) providers.Provider {
	t.Helper()
	p, err := wllxpay.Gateway.New(providers.Settings{
		Name: "wllxpay", Endpoint: endpoint,
		Credentials: map[string]string{"api_key": key, "secret_key": secret},
		HTTPClient:  &http.Client{Timeout: 2 * time.Second}, Options: opts,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func addr(currency string) string {
	a, err := money.GenerateAddress(currency, []byte("client-test"))
	if err != nil {
		panic(err)
	}
	return a
}

func payout(key, amount string) providers.Request {
	return providers.Request{Kind: providers.Payout, Key: key, Amount: decimal.RequireFromString(amount), Currency: "BTC", Address: addr("BTC")}
}

var ignoreErr = cmpopts.IgnoreFields(providers.Error{}, "Err")

func TestCreateErrors(t *testing.T) {
	_, faults, endpoint := gateway(t, sandbox.Options{Balances: map[string]decimal.Decimal{"BTC": decimal.RequireFromString("1")}})
	good := client(t, endpoint, sandbox.DefaultKey, sandbox.DefaultSecret, nil)
	if _, err := good.Create(context.Background(), payout("taken", "0.1")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		p      providers.Provider
		req    providers.Request
		faults string
		want   *providers.Error
	}{
		{"wrong key", client(t, endpoint, "nope", sandbox.DefaultSecret, nil), payout("a", "0.1"), "",
			&providers.Error{Class: providers.Rejected, Gateway: "wllxpay", Op: "withdrawal/make", Status: 403, Code: "bad_header_key", Message: "Bad key header", Auth: true}},
		{"wrong secret", client(t, endpoint, sandbox.DefaultKey, "nope", nil), payout("a", "0.1"), "",
			&providers.Error{Class: providers.Rejected, Gateway: "wllxpay", Op: "withdrawal/make", Status: 403, Code: "bad_header_signature", Message: "Bad signature header", Auth: true}},
		{"field errors", good, providers.Request{Kind: providers.Payout, Key: "b", Amount: decimal.RequireFromString("0.1"), Currency: "BTC", Address: "bc1qnotanaddress"}, "",
			&providers.Error{Class: providers.Rejected, Gateway: "wllxpay", Op: "withdrawal/make", Status: 400, Code: "validation_error", Fields: map[string]string{"address": "Not supported address format."}}},
		{"duplicate foreign_id", good, payout("taken", "0.1"), "",
			&providers.Error{Class: providers.Duplicate, Gateway: "wllxpay", Op: "withdrawal/make", Status: 400, Code: "foreign_id_taken", Message: "The Foreign ID has already been taken.", Fields: map[string]string{"foreign_id": "The Foreign ID has already been taken."}}},
		{"balance", good, payout("c", "5"), "",
			&providers.Error{Class: providers.Rejected, Gateway: "wllxpay", Op: "withdrawal/make", Status: 422, Code: "not_enough_balance", Fields: map[string]string{"amount": "Not enough amount"}}},
		{"429", good, payout("d", "0.1"), "status-429=1",
			&providers.Error{Class: providers.Retryable, Gateway: "wllxpay", Op: "withdrawal/make", Status: 429, Code: "rate_limited", Fields: map[string]string{"rate_limit": "error code: 1015"}, RetryAfter: time.Second}},
		{"500", good, payout("e", "0.1"), "status-500=1",
			&providers.Error{Class: providers.Ambiguous, Gateway: "wllxpay", Op: "withdrawal/make", Status: 500, Message: "Internal Server Error"}},
		{"cut after commit", good, payout("f", "0.1"), "drop-after-commit=1",
			&providers.Error{Class: providers.Ambiguous, Gateway: "wllxpay", Op: "withdrawal/make", Message: "EOF"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := emulator.ParseFaults(tc.faults)
			faults.Set(f)
			defer faults.Set(emulator.Faults{})
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
}

// TestUnreachable: a refused connection never reached the gateway.
func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + ln.Addr().String() + "/wllxpay/api/v1"
	ln.Close()
	_, err = client(t, endpoint, "k", "s", nil).Create(context.Background(), payout("a", "0.1"))
	if c := providers.ClassOf(err); c != providers.Retryable {
		t.Errorf("class = %v (%v), want retryable", c, err)
	}
}

func TestCreateAndLookup(t *testing.T) {
	_, _, endpoint := gateway(t, sandbox.Options{V2Lookup: true})
	p := client(t, endpoint, sandbox.DefaultKey, sandbox.DefaultSecret, map[string]string{"v2_lookup": "true"})
	ctx := context.Background()
	obj, err := p.Create(ctx, payout("po-1", "0.015"))
	if err != nil {
		t.Fatal(err)
	}
	want := providers.Object{Kind: providers.Payout, Key: "po-1", ID: "1", Status: providers.StatusSubmitted, RawStatus: "processing",
		Amount: decimal.RequireFromString("0.015"), Currency: "BTC", Address: addr("BTC")}
	if diff := cmp.Diff(want, obj, cmp.Comparer(decimal.Decimal.Equal)); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	found, err := p.Lookup(ctx, providers.Query{Kind: providers.Payout, Key: "po-1"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, found, cmp.Comparer(decimal.Decimal.Equal)); diff != "" {
		t.Errorf("looked up (-want +got):\n%s", diff)
	}
	if _, err := p.Lookup(ctx, providers.Query{Kind: providers.Payout, Key: "po-404"}); !errors.Is(err, providers.ErrNotFound) {
		t.Errorf("Lookup(missing) = %v, want ErrNotFound", err)
	}
	if _, err := client(t, endpoint, sandbox.DefaultKey, sandbox.DefaultSecret, nil).Lookup(ctx, providers.Query{Kind: providers.Payout, Key: "po-1"}); !errors.Is(err, providers.ErrUnsupported) {
		t.Errorf("Lookup without v2_lookup = %v, want ErrUnsupported", err)
	}
	objs, err := p.Refresh(ctx, []providers.Ref{{Kind: providers.Payout, Key: "po-1"}, {Kind: providers.Payout, Key: "po-404"}})
	if err != nil || len(objs) != 1 || objs[0].Key != "po-1" {
		t.Errorf("Refresh = %v, %v; want po-1 only (a missing object is never reported as gone)", objs, err)
	}
}

func TestTakeAddress(t *testing.T) {
	_, _, endpoint := gateway(t, sandbox.Options{})
	p := client(t, endpoint, sandbox.DefaultKey, sandbox.DefaultSecret, nil)
	for _, cur := range []string{"BTC", "XRP"} {
		obj, err := p.Create(context.Background(), providers.Request{Kind: providers.DepositAddress, Key: "cust-1872", Currency: cur})
		if err != nil {
			t.Fatal(err)
		}
		if err := money.ValidateAddress(cur, obj.Address); err != nil {
			t.Errorf("%s address %q: %v", cur, obj.Address, err)
		}
		if (cur == "XRP") != (obj.Tag != "") {
			t.Errorf("%s tag = %q", cur, obj.Tag)
		}
	}
}

// TestLookupAnswerWithoutTransaction: a 2xx from transactions/info that
// names no transaction, or another foreign_id, is neither found nor
// absent.
func TestLookupAnswerWithoutTransaction(t *testing.T) {
	for _, body := range []string{`{}`, `null`, `{"data":{}}`, `{"data":{"id":7,"foreign_id":"other"}}`} {
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(body)) }))
		p := client(t, hs.URL+"/api/v1", "k", "s", map[string]string{"v2_lookup": "true"})
		obj, err := p.Lookup(context.Background(), providers.Query{Kind: providers.Payout, Key: "po-1"})
		if err == nil || errors.Is(err, providers.ErrNotFound) || providers.ClassOf(err) != providers.Ambiguous {
			t.Errorf("answer %s: Lookup = %+v, %v; want an ambiguous error", body, obj, err)
		}
		hs.Close()
	}
}

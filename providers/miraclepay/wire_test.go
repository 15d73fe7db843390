package miraclepay_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/miraclepay"
	"github.com/payform/payform/providers/miraclepay/sandbox"
)

// fake answers every request with status and body, and keeps the last
// request body.
func fake(t *testing.T, status int, body string) (string, *string) {
	t.Helper()
	var got string
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = string(b)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(hs.Close)
	return hs.URL, &got
}

// TestAmountIsExact: the amount is written from the decimal, digit for
// digit, as a JSON number.
func TestAmountIsExact(t *testing.T) {
	url, got := fake(t, 201, `{"prompt":{"id":"x","amount":"12345678901234567.89","commissionAmount":0.1},"checkoutUrl":"c"}`)
	c := miraclepay.NewClient(url, "id", "key", nil)
	pr, err := c.CreatePrompt(context.Background(), miraclepay.PromptRequest{Amount: decimal.RequireFromString("12345678901234567.89"), BlockchainIDs: []string{"eth"}, Payer: "merchant"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"amount":12345678901234567.89,"blockchainIds":["eth"],"payer":"merchant"}`; *got != want {
		t.Errorf("body %s, want %s", *got, want)
	}
	// Amounts are read exactly too, as strings or numbers.
	if !pr.Amount.Equal(decimal.RequireFromString("12345678901234567.89")) || !pr.CommissionAmount.Equal(decimal.RequireFromString("0.1")) {
		t.Errorf("prompt %+v", pr)
	}
}

func TestOddAnswers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		class  providers.Class
		msg    string
	}{
		{"message string", 400, `{"statusCode":400,"message":"No redirect domains configured","error":"Bad Request"}`, providers.Rejected, "No redirect domains configured"},
		{"message array", 400, `{"statusCode":400,"message":["a must be x","b must be y"],"error":"Bad Request"}`, providers.Rejected, "a must be x; b must be y"},
		{"no message", 403, `{"statusCode":403,"error":"Forbidden"}`, providers.Rejected, "Forbidden"},
		{"not JSON", 404, `Not Found`, providers.Rejected, "Not Found"},
		{"503", 503, ``, providers.Ambiguous, "Service Unavailable"},
		{"201, not JSON", 201, `<html>`, providers.Ambiguous, ""},
		{"201 without id", 201, `{"prompt":{},"checkoutUrl":"x"}`, providers.Ambiguous, "answer without a prompt id"},
	} {
		url, _ := fake(t, tc.status, tc.body)
		p, _ := miraclepay.Gateway.New(providers.Settings{Endpoint: url, Credentials: map[string]string{"client_id": "i", "api_key": "k"}})
		_, err := p.Create(context.Background(), prompt("a", "1"))
		perr, ok := err.(*providers.Error)
		if !ok || perr.Class != tc.class || (tc.msg != "" && perr.Message != tc.msg) {
			t.Errorf("%s: Create = %v, want %v %q", tc.name, err, tc.class, tc.msg)
		}
	}
}

// TestWrongEndpoint: a 404 that is not the documented one is an error, so
// that a wrong endpoint cannot make every prompt vanish from a refresh.
func TestWrongEndpoint(t *testing.T) {
	url, _ := fake(t, 404, `{"statusCode":404,"message":"Cannot GET /v2/external/payments/prompt/x","error":"Not Found"}`)
	p, _ := miraclepay.Gateway.New(providers.Settings{Endpoint: url, Credentials: map[string]string{"client_id": "i", "api_key": "k"}})
	objs, err := p.Refresh(context.Background(), []providers.Ref{{Kind: providers.Invoice, Key: "a", ID: "x"}})
	if err == nil || len(objs) != 0 {
		t.Errorf("Refresh = %v, %v; want an error", objs, err)
	}
	url, _ = fake(t, 404, `{"statusCode":404,"message":"Payment prompt not found","error":"Not Found"}`)
	if _, err := miraclepay.NewClient(url, "i", "k", nil).GetPrompt(context.Background(), "x"); !errors.Is(err, miraclepay.ErrPromptNotFound) {
		t.Errorf("GetPrompt = %v, want ErrPromptNotFound", err)
	}
}

func TestBlockchainShapes(t *testing.T) {
	for _, tc := range []struct {
		body string
		want []miraclepay.Blockchain
	}{
		{`[{"id":"eth","name":"Ethereum","active":true},{"id":"btc","name":"Bitcoin","active":false}]`,
			[]miraclepay.Blockchain{{ID: "eth", Name: "Ethereum", Active: true}, {ID: "btc", Name: "Bitcoin"}}},
		{`["eth","btc"]`, []miraclepay.Blockchain{{ID: "eth", Active: true}, {ID: "btc", Active: true}}},
		{`{"data":[{"blockchainId":"sol"}]}`, []miraclepay.Blockchain{{ID: "sol", Active: true}}},
		{`{"blockchains":["tron",{"id":""},7]}`, []miraclepay.Blockchain{{ID: "tron", Active: true}}},
	} {
		url, _ := fake(t, 200, tc.body)
		got, err := miraclepay.NewClient(url, "i", "k", nil).Blockchains(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.body, diff)
		}
	}
}

func TestBlockchainsFromTheEmulator(t *testing.T) {
	_, _, _, endpoint := gateway(t, sandbox.Options{Blockchains: []sandbox.Blockchain{{ID: "eth", Name: "Ethereum"}}})
	got, err := miraclepay.NewClient(endpoint, sandbox.DefaultClientID, sandbox.DefaultAPIKey, nil).Blockchains(context.Background())
	if err != nil || len(got) != 1 || got[0] != (miraclepay.Blockchain{ID: "eth", Name: "Ethereum", Active: true}) {
		t.Errorf("Blockchains = %+v, %v", got, err)
	}
}

// TestUnreachable: a refused connection never reached the gateway.
func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + ln.Addr().String() + "/miraclepay"
	ln.Close()
	_, err = provider(t, endpoint, "i", "k").Create(context.Background(), prompt("a", "1"))
	if c := providers.ClassOf(err); c != providers.Retryable {
		t.Errorf("class = %v (%v), want retryable", c, err)
	}
}

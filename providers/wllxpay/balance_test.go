package wllxpay_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/wllxpay"
	"github.com/payform/payform/providers/wllxpay/sandbox"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

var cmpDecimal = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

// TestBalances: the client reads exactly what the emulator holds, before
// and after a payout, through v2 accounts/list.
func TestBalances(t *testing.T) {
	emu, _, endpoint := gateway(t, sandbox.Options{V2Lookup: true, Enabled: []string{"BTC", "ETH", "USDTT"},
		Balances: map[string]decimal.Decimal{"BTC": dec("2.5"), "ETH": dec("1.000000000000000001")}})
	p := client(t, endpoint, sandbox.DefaultKey, sandbox.DefaultSecret, map[string]string{"v2_lookup": "true"})
	ctx := context.Background()
	got, err := providers.ReadBalances(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]decimal.Decimal{"BTC": dec("2.5"), "ETH": dec("1.000000000000000001"), "USDTT": decimal.Zero}
	if diff := cmp.Diff(want, got, cmpDecimal); diff != "" {
		t.Errorf("Balances (-want +got):\n%s", diff)
	}
	if _, err := p.Create(ctx, payout("po-1", "0.75")); err != nil {
		t.Fatal(err)
	}
	got, err = providers.ReadBalances(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	want["BTC"] = dec("1.75")
	if diff := cmp.Diff(want, got, cmpDecimal); diff != "" {
		t.Errorf("Balances after a payout (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(emu.Balances()["BTC"], got["BTC"], cmpDecimal); diff != "" {
		t.Errorf("the client and the emulator disagree (-emulator +client):\n%s", diff)
	}

	// Without the opt-in there is no balance call, and none is made.
	if _, err := providers.ReadBalances(ctx, client(t, endpoint, sandbox.DefaultKey, sandbox.DefaultSecret, nil)); !errors.Is(err, providers.ErrUnsupported) {
		t.Errorf("without v2_lookup: %v, want ErrUnsupported", err)
	}
	// A wrong secret is refused, as every signed request.
	_, err = providers.ReadBalances(ctx, client(t, endpoint, sandbox.DefaultKey, "nope", map[string]string{"v2_lookup": "true"}))
	if diff := cmp.Diff(&providers.Error{Class: providers.Rejected, Gateway: "wllxpay", Op: "accounts/list", Status: 403, Code: "bad_header_signature", Message: "Bad signature header", Auth: true}, err, ignoreErr); diff != "" {
		t.Errorf("wrong secret (-want +got):\n%s", diff)
	}
}

// TestBalancesAnswers: answers the client must read exactly, and those
// it must not guess at.
func TestBalancesAnswers(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       map[string]decimal.Decimal
		wantErr    string
	}{
		{"strings", `{"data":[{"currency":"BTC","type":"crypto","balance":"0.04000000"},{"currency":"EUR","type":"fiat","balance":"10000"}]}`,
			map[string]decimal.Decimal{"BTC": dec("0.04"), "EUR": dec("10000")}, ""},
		{"numbers", `{"data":[{"currency":"BTC","type":"crypto","balance":0.04},{"currency":"ETH","type":"crypto","balance":1.000000000000000001}]}`,
			map[string]decimal.Decimal{"BTC": dec("0.04"), "ETH": dec("1.000000000000000001")}, ""},
		{"empty", `{"data":[]}`, map[string]decimal.Decimal{}, ""},
		{"exponent", `{"data":[{"currency":"BTC","balance":1e-8}]}`, nil, `wllxpay accounts/list: the BTC balance "1e-8" is not a decimal amount`},
		{"negative", `{"data":[{"currency":"BTC","balance":"-1"}]}`, nil, `wllxpay accounts/list: the BTC balance "-1" is not a decimal amount`},
		{"twice", `{"data":[{"currency":"BTC","balance":"1"},{"currency":"BTC","balance":"2"}]}`, nil, "wllxpay accounts/list: the answer lists BTC twice"},
		{"no currency", `{"data":[{"balance":"1"}]}`, nil, "wllxpay accounts/list: a balance names no currency"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var gotPath, gotBody, gotSig string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b := make([]byte, 64)
				n, _ := r.Body.Read(b)
				gotPath, gotBody, gotSig = r.Method+" "+r.URL.Path, string(b[:n]), r.Header.Get("X-Processing-Signature")
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()
			p := client(t, srv.URL+"/api/v1", "k", "s", map[string]string{"v2_lookup": "true"})
			got, err := providers.ReadBalances(context.Background(), p)
			if gotPath != "POST /api/v2/accounts/list" || gotBody != "{}" || gotSig != wllxpay.Sign([]byte("s"), []byte("{}")) {
				t.Errorf("request: %s %q signed %q", gotPath, gotBody, gotSig)
			}
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr || providers.ClassOf(err) != providers.Ambiguous {
					t.Errorf("error %v (%v), want %q (ambiguous)", err, providers.ClassOf(err), tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmpDecimal); diff != "" {
				t.Errorf("Balances (-want +got):\n%s", diff)
			}
		})
	}
}

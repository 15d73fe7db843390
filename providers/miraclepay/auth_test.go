package miraclepay_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/miraclepay"
	"github.com/payform/payform/providers/miraclepay/sandbox"
)

// TestAuthMessages: the documented 401s reach the caller word for word.
func TestAuthMessages(t *testing.T) {
	emu, _, _, endpoint := gateway(t, sandbox.Options{})
	ctx := context.Background()
	c := miraclepay.NewClient(endpoint, sandbox.DefaultClientID, sandbox.DefaultAPIKey, nil)
	check := func(what string, err error, want string) {
		t.Helper()
		var perr *providers.Error
		if !errors.As(err, &perr) || perr.Status != 401 || perr.Message != want || perr.Class != providers.Rejected {
			t.Errorf("%s: %v, want a rejected 401 %q", what, err, want)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, endpoint+"/external/blockchains/active", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("no Authorization header: %d", resp.StatusCode)
	}
	_, err = miraclepay.NewClient(endpoint, "", "", nil).Blockchains(ctx)
	check("empty credentials", err, "Invalid client ID")
	_, err = miraclepay.NewClient(endpoint, "a1b2c3d4-e5f6-7890-abcd-ef1234567890", sandbox.DefaultAPIKey, nil).GetPrompt(ctx, "x")
	check("unknown client id", err, "Invalid client ID")
	_, err = miraclepay.NewClient(endpoint, sandbox.DefaultClientID, "mpay_abc123xyz", nil).Blockchains(ctx)
	check("wrong key", err, "Invalid API key")
	emu.SetAccount(sandbox.Account{Active: true, MerchantAdmin: false, MainBranch: true})
	_, err = c.CreatePrompt(ctx, miraclepay.PromptRequest{Amount: decimal.NewFromInt(1), BlockchainIDs: []string{"btc"}, Payer: "merchant"})
	check("not a merchant admin", err, "User is not a merchant admin")
	emu.SetAccount(sandbox.Account{Active: false, MerchantAdmin: true, MainBranch: true})
	_, err = c.Blockchains(ctx)
	check("inactive", err, "User is not active")
}

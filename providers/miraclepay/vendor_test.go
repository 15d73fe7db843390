package miraclepay_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/miraclepay"
	"github.com/payform/payform/providers/miraclepay/sandbox"
)

// TestVendorCurl sends the vendor page's curl example, host replaced.
func TestVendorCurl(t *testing.T) {
	_, _, _, endpoint := gateway(t, sandbox.Options{})
	req, _ := http.NewRequest(http.MethodPost, endpoint+"/external/payments/prompt", strings.NewReader(`{
	    "amount": 100.50,
	    "blockchainIds": ["eth"],
	    "payer": "customer",
	    "note": "Order #12345",
	    "redirectUrl": "https://shop.example.com/order/12345/complete"
	  }`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(sandbox.DefaultClientID+":"+sandbox.DefaultAPIKey)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var out struct {
		Prompt struct {
			ID               string
			Amount           json.Number
			CommissionAmount string
			Status           string
			SessionStatus    string
			ExpiresAt        string
			CreatedAt        string
			RedirectURL      *string
		}
		CheckoutURL string
	}
	if err := json.Unmarshal(body, &out); err != nil || resp.StatusCode != 201 {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	p := out.Prompt
	if p.Amount != "103.52" || p.CommissionAmount != "3.02" || p.Status != "pending" || p.SessionStatus != "pending" ||
		p.ExpiresAt != "2025-01-29T14:30:00.000Z" || p.CreatedAt != "2025-01-28T14:30:00.000Z" ||
		p.RedirectURL == nil || *p.RedirectURL != "https://shop.example.com/order/12345/complete" ||
		out.CheckoutURL != "https://checkout.miraclepay.com/?sessionId="+p.ID {
		t.Errorf("answer %s", body)
	}
}

// TestVendorExample: the vendor's example through the client: 100.50 USD,
// the customer pays the commission → 103.52, commission "3.02".
func TestVendorExample(t *testing.T) {
	_, _, _, endpoint := gateway(t, sandbox.Options{})
	ctx := context.Background()
	c := miraclepay.NewClient(endpoint, sandbox.DefaultClientID, sandbox.DefaultAPIKey, nil)
	pr, err := c.CreatePrompt(ctx, miraclepay.PromptRequest{Amount: decimal.RequireFromString("100.50"), BlockchainIDs: []string{"eth"},
		Payer: "customer", Note: "Order #12345", RedirectURL: "https://shop.example.com/order/12345/complete"})
	if err != nil {
		t.Fatal(err)
	}
	want := miraclepay.Prompt{ID: pr.ID, Amount: decimal.RequireFromString("103.52"), CommissionAmount: decimal.RequireFromString("3.02"),
		Status: "pending", SessionStatus: "pending", ExpiresAt: t0.Add(24 * time.Hour), CreatedAt: t0,
		RedirectURL: "https://shop.example.com/order/12345/complete", CheckoutURL: "https://checkout.miraclepay.com/?sessionId=" + pr.ID}
	if diff := cmp.Diff(want, pr, cmp.Comparer(decimal.Decimal.Equal)); diff != "" {
		t.Errorf("prompt (-want +got):\n%s", diff)
	}
	st, err := c.GetPrompt(ctx, pr.ID)
	// The page's GET example: {id, blockchainId, status, createdAt}, and
	// nothing else.
	wantSt := miraclepay.PromptStatus{ID: pr.ID, BlockchainID: "eth", Status: "pending", CreatedAt: t0}
	if diff := cmp.Diff(wantSt, st, cmp.Comparer(decimal.Decimal.Equal)); err != nil || diff != "" {
		t.Errorf("GetPrompt (-want +got):\n%s %v", diff, err)
	}

	// The same through the provider: the declared amount, the commission
	// and the total beside it, the key in the note.
	p := provider(t, endpoint, sandbox.DefaultClientID, sandbox.DefaultAPIKey)
	obj, err := p.Create(ctx, prompt("ord-12345", "100.50", providers.FieldPayer, "customer", providers.FieldDescription, "Order #12345",
		providers.FieldSuccessURL, "https://shop.example.com/order/12345/complete"))
	if err != nil {
		t.Fatal(err)
	}
	wantObj := providers.Object{Kind: providers.Invoice, Key: "ord-12345", ID: obj.ID, Status: providers.StatusPending, RawStatus: "pending",
		Amount: decimal.RequireFromString("100.50"), Currency: "USD", Fields: map[string]string{
			providers.ResultPaymentURL: "https://checkout.miraclepay.com/?sessionId=" + obj.ID, providers.ResultExpiresAt: "2025-01-29T14:30:00Z",
			miraclepay.ResultCommission: "3.02", miraclepay.ResultTotalAmount: "103.52"}}
	if diff := cmp.Diff(wantObj, obj, cmp.Comparer(decimal.Decimal.Equal)); diff != "" {
		t.Errorf("object (-want +got):\n%s", diff)
	}
}

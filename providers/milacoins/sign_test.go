package milacoins

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/milacoins/sandbox"
)

// The locally computed vectors of gateways/NOTES.md, section 1.
const (
	vectorGET  = "7337735782b1c85046f36d44fccb2da16a5c0639348aeacdd34516043039551c"
	vectorPOST = "2712a1230e28fdfcc8fb7719a22af0de34ecc5df434edf4f2df43e1790b2dd86"
	vectorBody = `{"wallet":"USDT","amount":10.5,"currency":"USD","externalID":"order-1"}`
)

func TestSignVectors(t *testing.T) {
	if got := Sign("test-secret", "1700000000", "GET", "/api/v1/transactions/invoices/?limit=2", nil); got != vectorGET {
		t.Errorf("GET: Sign = %s, want %s", got, vectorGET)
	}
	if got := Sign("test-secret", "1700000000", "post", "/api/v1/invoices", []byte(vectorBody)); got != vectorPOST {
		t.Errorf("POST: Sign = %s, want %s", got, vectorPOST)
	}
}

// TestSignVectorsOnTheWire: the client sends exactly the vectors'
// requests, and the emulator, mounted at the host's root as the vendor's
// API is, accepts them. Under `payform sandbox serve` the same requests
// go to /milacoins/api/v1/... and that prefix is signed too.
func TestSignVectorsOnTheWire(t *testing.T) {
	at := time.Unix(1700000000, 0).UTC()
	em, err := sandbox.New(sandbox.Options{Secret: "test-secret", Clock: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	defer em.Close()
	var mu sync.Mutex
	var sigs, bodies []string
	var statuses []int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(b)))
		rec := httptest.NewRecorder()
		em.ServeHTTP(rec, r)
		mu.Lock()
		sigs, bodies, statuses = append(sigs, r.Header.Get("X-Sig")), append(bodies, string(b)), append(statuses, rec.Code)
		mu.Unlock()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}))
	defer srv.Close()
	c, err := NewClient(Options{Endpoint: srv.URL, APIKey: sandbox.DefaultAPIKey, Secret: "test-secret", Clock: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var page Page
	if err := c.do(ctx, http.MethodGet, "/api/v1/transactions/invoices/", []param{{"limit", "2"}}, nil, "transactions/invoices", &page); err != nil {
		t.Fatalf("GET: %v", err)
	}
	req := providers.Request{Kind: providers.Invoice, Key: "order-1", Amount: decimal.RequireFromString("10.50"), Currency: "USD",
		Fields: map[string]string{providers.FieldWallet: "USDT"}}
	if _, err := c.Create(ctx, req); err != nil {
		t.Fatalf("POST: %v", err)
	}
	want := []string{vectorGET, vectorPOST}
	for i := range want {
		if sigs[i] != want[i] || statuses[i] != http.StatusOK {
			t.Errorf("request %d: X-Sig %s (answered %d), want %s", i+1, sigs[i], statuses[i], want[i])
		}
	}
	if bodies[0] != "" || bodies[1] != vectorBody {
		t.Errorf("bodies %q, want none and %s", bodies, vectorBody)
	}
}

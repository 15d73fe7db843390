package sandbox

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
)

// TestConcurrentClients has 16 clients race to send 40 withdrawals each,
// every one twice: each foreign_id is made exactly once, and the balance
// drops by exactly what was made.
func TestConcurrentClients(t *testing.T) {
	h := newHarness(t, Options{Balances: map[string]decimal.Decimal{"BTC": decimal.NewFromInt(1000)}})
	btc := address(t, "BTC", "a")
	const clients, perClient = 16, 40
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perClient {
				// Clients c and c^1 send the same keys.
				fid := fmt.Sprintf("w-%d-%d", c/2, i)
				body := withdrawalBody("BTC", fid, "0.00000001", btc)
				status, _, err := h.try(http.MethodPost, makePath, body, signedHeader(body))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				statuses[status]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	made := clients / 2 * perClient
	if statuses[http.StatusCreated] != made || statuses[http.StatusBadRequest] != made {
		t.Errorf("statuses %v, want %d × 201 and %d × 400", statuses, made, made)
	}
	want := decimal.NewFromInt(1000).Sub(decimal.RequireFromString("0.00000001").Mul(decimal.NewFromInt(int64(made))))
	if got := h.em.Balances()["BTC"]; !got.Equal(want) {
		t.Errorf("balance %s, want %s", got, want)
	}
	ids := map[string]bool{}
	for _, o := range h.em.Ledger() {
		if o.CreateRequests != 2 || ids[o.ID] {
			t.Errorf("%s: id %s, %d create requests; want a fresh id and 2", o.Key, o.ID, o.CreateRequests)
		}
		ids[o.ID] = true
	}
	if len(ids) != made {
		t.Errorf("%d withdrawals, want %d", len(ids), made)
	}
}

// BenchmarkWithdrawals measures withdrawals over HTTP from parallel
// clients (run with -cpu to vary them).
func BenchmarkWithdrawals(b *testing.B) {
	h := newHarness(b, Options{Balances: map[string]decimal.Decimal{"BTC": decimal.NewFromInt(1_000_000)}})
	btc, _ := money.GenerateAddress("BTC", []byte("bench"))
	var n atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := withdrawalBody("BTC", fmt.Sprint("w", n.Add(1)), "0.00000001", btc)
			if status, got, err := h.try(http.MethodPost, makePath, body, signedHeader(body)); err != nil || status != 201 {
				b.Errorf("%d %s %v", status, got, err)
				return
			}
		}
	})
}

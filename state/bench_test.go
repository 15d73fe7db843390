package state

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkLoad measures opening a state of 100,000 resources (snapshot
// decode and index; no journal to replay).
func BenchmarkLoad(b *testing.B) {
	path := filepath.Join(b.TempDir(), "payform.state.json")
	s, err := Open(context.Background(), &Local{Path: path}, Options{Actor: "b", Version: "b"})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 100_000 {
		addr := fmt.Sprintf(`payout.batch["po-%d"]`, i)
		key := fmt.Sprintf("po-%d", i)
		if err := s.Record(&Entry{Op: OpAdopt, Address: addr, Provider: "wllxpay", Key: key,
			Object: &Declared{Kind: "payout", Gateway: "wllxpay", Amount: "0.0001", Currency: "BTC", Attrs: map[string]string{"address": "bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv"}},
			Result: &Result{Outcome: OutcomeAdopted, ID: key, Status: "submitted", RawStatus: "processing"}}, false); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		st, _, err := (&Local{Path: path}).Load()
		if err != nil || st.Len() != 100_000 {
			b.Fatal(err)
		}
	}
}

package state

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// state100k writes a local state of 100,000 adopted payouts (and as many
// journal entries) and returns its path.
func state100k(b *testing.B) string {
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
	return path
}

// BenchmarkLoad measures opening a state of 100,000 resources: snapshot
// decode and index, and the hash chain of its 100,000 journal entries
// checked (none to replay).
func BenchmarkLoad(b *testing.B) {
	path := state100k(b)
	b.ReportAllocs()
	for b.Loop() {
		st, _, err := (&Local{Path: path}).Load(context.Background())
		if err != nil || st.Len() != 100_000 {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify measures audit verify: replaying 100,000 entries from
// the first through the state machine and comparing the result with the
// snapshot. Issue 11: O(n), under 2 s.
func BenchmarkVerify(b *testing.B) {
	path := state100k(b)
	b.ReportAllocs()
	for b.Loop() {
		rep, err := Verify(context.Background(), &Local{Path: path}, nil, nil)
		if err != nil || rep.Entries != 100_000 {
			b.Fatal(rep, err)
		}
	}
}

// BenchmarkCheckHistory measures the chain check alone: 100,000 entries.
func BenchmarkCheckHistory(b *testing.B) {
	path := state100k(b)
	st, _, err := (&Local{Path: path}).Load(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(path + ".journal")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	b.ReportAllocs()
	for b.Loop() {
		if err := checkHistory(f.Name(), f, st.JournalOffset, GenesisHash(st.Lineage), st.JournalSeq, st.JournalHash, nil); err != nil {
			b.Fatal(err)
		}
	}
}

package pg

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

// BenchmarkDurableRecords measures durable journal records (an intent
// committed before the call it protects) with 10 concurrent writers, as
// apply's workers make them.
func BenchmarkDurableRecords(b *testing.B) {
	be := openBackend(b, testSchema(b), "bench")
	s := openStore(b, be)
	defer s.Close()
	record(b, s, apply1())
	var next atomic.Int64
	b.ResetTimer()
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				if err := s.Record(intent(fmt.Sprintf(`payout.bench["po-%d"]`, i), fmt.Sprint("po-", i)), true); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	be.mu.Lock()
	commits := be.commits
	be.mu.Unlock()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(b.N)/float64(max(commits, 1)), "records/commit")
}

// BenchmarkLoad measures loading a workspace of 100,000 entries whose
// snapshot is at the last: the whole history's chain is checked (every
// row's hash and link), nothing is replayed.
func BenchmarkLoad(b *testing.B) {
	schema := testSchema(b)
	be := openBackend(b, schema, "bench")
	s := openStore(b, be)
	record(b, s, apply1())
	for i := range 99_999 {
		if err := s.Record(adopt(fmt.Sprintf(`payout.bench["po-%d"]`, i), fmt.Sprint("po-", i)), false); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		st, _, err := be.Load(context.Background())
		if err != nil || st.JournalSeq != 100_000 {
			b.Fatal(st, err)
		}
	}
}

package pg

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestGroupCommit: durable records from concurrent workers share
// commits. (That none is lost or duplicated is the suite's
// ConcurrentRecords.)
func TestGroupCommit(t *testing.T) {
	b := openBackend(t, testSchema(t), "default")
	s := openStore(t, b)
	record(t, s, apply1())
	var wg sync.WaitGroup
	for w := range 10 {
		wg.Go(func() {
			for i := range 60 {
				addr := fmt.Sprintf(`payout.a["%d-%d"]`, w, i)
				key := fmt.Sprintf("k%d-%d", w, i)
				if err := s.Record(intent(addr, key), true); err != nil {
					t.Error(err)
					return
				}
				if err := s.Record(outcome(addr, key, key), false); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b.mu.Lock()
	commits := b.commits
	b.mu.Unlock()
	t.Logf("1200 entries in %d commits", commits)
	if commits >= 1200 {
		t.Errorf("%d commits for 1200 entries: no group commit", commits)
	}
}

// TestBackgroundFlush: entries nobody syncs are committed soon anyway.
func TestBackgroundFlush(t *testing.T) {
	schema := testSchema(t)
	s := openStore(t, openBackend(t, schema, "default"))
	defer s.Close()
	record(t, s, apply1(), intent(`payout.a["0"]`, "k0"))
	start := time.Now()
	for i := 1; i <= 5; i++ {
		if err := s.Record(adopt(fmt.Sprintf(`payout.a["%d"]`, i), fmt.Sprint("k", i)), false); err != nil {
			t.Fatal(err)
		}
	}
	for journalRows(t, schema, "default") < 6 {
		if time.Since(start) > 2*time.Second {
			t.Fatal("entries written without Sync were not committed within 2s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("committed by the background flush within %s", time.Since(start).Round(time.Millisecond))
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("the background flush took %s", d)
	}
}

func TestCloseFlushes(t *testing.T) {
	schema := testSchema(t)
	b := openBackend(t, schema, "default")
	b.flushDelay = time.Hour
	s := openStore(t, b)
	record(t, s, apply1(), intent(`payout.a["0"]`, "k0"))
	for i := 1; i <= 5; i++ {
		if err := s.Record(adopt(fmt.Sprintf(`payout.a["%d"]`, i), fmt.Sprint("k", i)), false); err != nil {
			t.Fatal(err)
		}
	}
	if n := journalRows(t, schema, "default"); n != 2 {
		t.Fatalf("%d rows before Close, want 1 (the flush is an hour away)", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n := journalRows(t, schema, "default"); n != 7 {
		t.Errorf("%d rows after Close, want 6", n)
	}
}

// TestLostSessionCannotCommit: once the lock's session is gone, nothing
// more is committed, the error sticks, and another process can take over.
func TestLostSessionCannotCommit(t *testing.T) {
	schema := testSchema(t)
	b := openBackend(t, schema, "default")
	s := openStore(t, b)
	record(t, s, apply1(), intent(`payout.a["1"]`, "k1"))
	terminate(t, lockPID(t, b))

	err := s.Record(intent(`payout.a["2"]`, "k2"), true)
	if err == nil {
		t.Fatal("a durable record through a lost session succeeded")
	}
	if !strings.Contains(err.Error(), "pg:"+schema+"/default: committing journal entries 3-3") {
		t.Errorf("error = %v", err)
	}
	if err2 := s.Record(adopt(`payout.a["3"]`, "k3"), false); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("next Record = %v, want the same error again", err2)
	}
	if err := s.Close(); err == nil {
		t.Error("Close after a failed commit succeeded")
	}

	s2 := openStore(t, openBackend(t, schema, "default"))
	defer s2.Close()
	if st := s2.State(); st.JournalSeq != 2 || st.Resource(`payout.a["1"]`) == nil {
		t.Errorf("journal_seq %d, want only entry 1", st.JournalSeq)
	}
	record(t, s2, intent(`payout.a["2"]`, "k2"))
}

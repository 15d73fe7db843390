// Package sendlogtest is the conformance suite of providers.SendLog: the
// local file passes it, and so must any other backend (PostgreSQL).
package sendlogtest

import (
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/payform/payform/providers"
)

// Opener opens the log under test; each call opens the same log again,
// as the next run of payform would.
type Opener func() providers.SendLog

// Run runs the suite. newLog returns an Opener for a fresh, empty log;
// instances that are io.Closers are closed at the end of each test.
func Run(t *testing.T, newLog func(t *testing.T) Opener) {
	open := func(t *testing.T, o Opener) providers.SendLog {
		l := o()
		if c, ok := l.(io.Closer); ok {
			t.Cleanup(func() { c.Close() })
		}
		return l
	}
	t.Run("SendsAndAnswersSurviveReopen", func(t *testing.T) {
		o := newLog(t)
		l := open(t, o)
		t0 := time.Now()
		record(t, l, "acct", providers.Send{ID: "r1.1", At: t0})
		record(t, l, "acct", providers.Send{ID: "r1.2", At: t0.Add(time.Second), Create: true})
		record(t, l, "acct", providers.Send{ID: "r1.1", At: t0, Done: t0.Add(300 * time.Millisecond)})
		want := []providers.Send{
			{ID: "r1.1", At: t0, Done: t0.Add(300 * time.Millisecond)},
			{ID: "r1.2", At: t0.Add(time.Second), Create: true},
		}
		check(t, load(t, l, "acct", t0.Add(-time.Minute)), want)
		check(t, load(t, open(t, o), "acct", t0.Add(-time.Minute)), want)
	})
	t.Run("AccountsApart", func(t *testing.T) {
		l := open(t, newLog(t))
		t0 := time.Now()
		record(t, l, "a", providers.Send{ID: "r.1", At: t0})
		record(t, l, "b", providers.Send{ID: "r.2", At: t0})
		check(t, load(t, l, "a", t0.Add(-time.Minute)), []providers.Send{{ID: "r.1", At: t0}})
		check(t, load(t, l, "c", t0.Add(-time.Minute)), nil)
	})
	t.Run("SinceCountsTheAnswer", func(t *testing.T) {
		l := open(t, newLog(t))
		t0 := time.Now().Add(-10 * time.Minute)
		record(t, l, "acct", providers.Send{ID: "r.old", At: t0})
		record(t, l, "acct", providers.Send{ID: "r.slow", At: t0})
		record(t, l, "acct", providers.Send{ID: "r.slow", At: t0, Done: t0.Add(2 * time.Minute)})
		record(t, l, "acct", providers.Send{ID: "r.new", At: t0.Add(3 * time.Minute)})
		check(t, load(t, l, "acct", t0.Add(time.Minute)), []providers.Send{
			{ID: "r.slow", At: t0, Done: t0.Add(2 * time.Minute)},
			{ID: "r.new", At: t0.Add(3 * time.Minute)},
		})
	})
	t.Run("AnswerWithoutSend", func(t *testing.T) {
		l := open(t, newLog(t))
		t0 := time.Now()
		record(t, l, "acct", providers.Send{ID: "r.none", At: t0, Done: t0})
		for _, s := range load(t, l, "acct", t0.Add(-time.Minute)) {
			if s.ID == "r.none" && !s.At.IsZero() && s.Done.IsZero() {
				t.Errorf("an answer alone made a send under way: %+v", s)
			}
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		l := open(t, newLog(t))
		t0 := time.Now()
		var wg sync.WaitGroup
		for i := range 50 {
			wg.Go(func() {
				id := fmt.Sprintf("r.%d", i)
				if err := l.Record("acct", providers.Send{ID: id, At: t0}); err != nil {
					t.Error(err)
				}
				if err := l.Record("acct", providers.Send{ID: id, At: t0, Done: t0.Add(time.Millisecond)}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		got := load(t, l, "acct", t0.Add(-time.Minute))
		if len(got) != 50 {
			t.Fatalf("%d sends loaded, want 50", len(got))
		}
		for _, s := range got {
			if s.Done.IsZero() {
				t.Errorf("%s lost its answer", s.ID)
			}
		}
	})
}

func record(t *testing.T, l providers.SendLog, account string, s providers.Send) {
	t.Helper()
	if err := l.Record(account, s); err != nil {
		t.Fatalf("Record(%q, %+v): %v", account, s, err)
	}
}

func load(t *testing.T, l providers.SendLog, account string, since time.Time) []providers.Send {
	t.Helper()
	got, err := l.Load(account, since)
	if err != nil {
		t.Fatalf("Load(%q): %v", account, err)
	}
	return got
}

// precision is how far a backend may round a time, always up (later is
// the safe side for a rate limit).
const precision = time.Millisecond

func check(t *testing.T, got, want []providers.Send) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("loaded %d sends, want %d:\n got %+v\nwant %+v", len(got), len(want), got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.Create != w.Create || !near(g.At, w.At) || !near(g.Done, w.Done) {
			t.Errorf("send %d: got %+v, want %+v (times rounded up by at most %v)", i, g, w, precision)
		}
	}
}

func near(got, want time.Time) bool {
	if want.IsZero() || got.IsZero() {
		return want.IsZero() == got.IsZero()
	}
	d := got.Sub(want)
	return d >= 0 && d <= precision
}

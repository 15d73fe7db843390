package emulator

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestNotifierRetriesUntilOK(t *testing.T) {
	var calls atomic.Int32
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer rcv.Close()
	n := &Notifier{Schedule: []time.Duration{time.Minute, time.Minute, time.Minute}, Scale: 6000}
	n.Send(Callback{URL: rcv.URL, Body: []byte(`{}`)})
	n.Wait()
	got := n.Deliveries()
	if len(got) != 3 || got[0].Status != 503 || got[2].Status != 200 || !got[2].Final || got[1].Final {
		t.Errorf("deliveries = %+v", got)
	}
}

func TestNotifierGivesUp(t *testing.T) {
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusUnauthorized) }))
	defer rcv.Close()
	n := &Notifier{Schedule: []time.Duration{time.Minute}, Scale: 6000, GiveUp: func(s int) bool { return s == 401 }}
	n.Send(Callback{URL: rcv.URL})
	n.Wait()
	if got := n.Deliveries(); len(got) != 1 || !got[0].Final {
		t.Errorf("deliveries = %+v, want one final attempt", got)
	}
	n2 := &Notifier{Schedule: []time.Duration{time.Minute, time.Minute}, Scale: 6000}
	n2.Send(Callback{URL: rcv.URL})
	n2.Wait()
	if got := n2.Deliveries(); len(got) != 3 {
		t.Errorf("without GiveUp: %d attempts, want 3 (first + 2 retries)", len(got))
	}
}

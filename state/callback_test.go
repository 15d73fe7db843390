package state

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// cbRef is the inbox item a test callback entry takes in.
func cbRef(seq uint64) *CallbackRef {
	return &CallbackRef{Inbox: seq, Digest: "sha256:00", Type: "withdrawal", ID: "77", Via: "signature", ReceivedAt: t0}
}

// cbEntry is a callback entry for addr (key key) telling status.
func cbEntry(addr, key string, res *Result, seq uint64) *Entry {
	return &Entry{Op: OpCallback, Address: addr, Provider: "wllxpay", Key: key, Result: res, Callback: cbRef(seq)}
}

func TestCallbackEntryRecordsAStatus(t *testing.T) {
	path := filepath.Join(t.TempDir(), "payform.state.json")
	s := openStore(t, path)
	addr := `payout.a["1"]`
	record(t, s, apply1(), intent(addr, "k1"), outcome(addr, "k1", "101"),
		cbEntry(addr, "k1", &Result{Outcome: OutcomeRefreshed, ID: "101", Status: "failed", RawStatus: "error",
			Remote: map[string]string{"error": "The withdrawal could not be sent to the network."}}, 1))
	r := s.State().Resource(addr)
	if r.Status != "failed" || r.RawStatus != "error" || r.ID != "101" || r.Remote["error"] == "" || r.Pending != nil {
		t.Fatalf("after the callback: %+v", r)
	}
	live := toWire(s.State())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Replayed from the first entry (the snapshot written at Close is
	// set aside), the journal gives the same record.
	os.Remove(path)
	s2 := New(live.Lineage, "test")
	rp := NewReplayer(s2, "journal", nil, false)
	f, _ := os.Open(path + ".journal")
	defer f.Close()
	if _, err := journalScan(path+".journal", f, 0, 0, GenesisHash(live.Lineage), 0, nil, func(e *Entry, end int64) error { return rp.Add(e, end) }); err != nil {
		t.Fatal(err)
	}
	got := toWire(s2)
	got.Serial, got.PayformVersion, got.JournalOffset = live.Serial, live.PayformVersion, live.JournalOffset
	if diff := cmp.Diff(live, got); diff != "" {
		t.Errorf("replayed state differs from the live one (-live +replayed):\n%s", diff)
	}
}

func TestCallbackEntrySettlesADoubt(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "payform.state.json"))
	a, b := `payout.a["1"]`, `payout.a["2"]`
	record(t, s, apply1(), intent(a, "k1"), intent(b, "k2"))
	// The callback proves a's object: adopted, with its id and status.
	record(t, s, cbEntry(a, "k1", &Result{Outcome: OutcomeAdopted, ID: "77", Status: "submitted", RawStatus: "processing", Note: "settled by a callback"}, 1))
	// b's proves an object that differs from what was sent: unknown.
	record(t, s, cbEntry(b, "k2", &Result{Outcome: OutcomeUnknown, ID: "78", Status: "confirmed", Error: "amount 2, declared 1.5"}, 2))
	ra, rb := s.State().Resource(a), s.State().Resource(b)
	if ra.Pending != nil || ra.ID != "77" || ra.Status != "submitted" || ra.Amount != "1.5" {
		t.Errorf("a after an adopting callback: %+v", ra)
	}
	if rb.Pending == nil || !rb.Pending.Manual || rb.Status != "unknown" || rb.Pending.Reason != "amount 2, declared 1.5" {
		t.Errorf("b after a callback that differs: %+v %+v", rb, rb.Pending)
	}
	if !s.State().Reserved(KeyRef{"wllxpay", "payout", "k1"}) || !s.State().Reserved(KeyRef{"wllxpay", "payout", "k2"}) {
		t.Error("a callback released a key")
	}
}

func TestCallbackEntryRefusals(t *testing.T) {
	settledAddr, doubtAddr := `payout.a["1"]`, `payout.a["2"]`
	status := func(o Outcome, id string) *Result { return &Result{Outcome: o, ID: id, Status: "confirmed"} }
	for _, tc := range []struct {
		name string
		e    *Entry
		want string
	}{
		{"plan id", func() *Entry {
			e := cbEntry(settledAddr, "k1", status(OutcomeRefreshed, "101"), 1)
			e.PlanID = "plan-1"
			return e
		}(), "callbacks are taken in outside any plan's run"},
		{"no callback", &Entry{Op: OpCallback, Address: settledAddr, Provider: "wllxpay", Key: "k1", Result: status(OutcomeRefreshed, "101")}, "without the callback it takes in"},
		{"no digest", func() *Entry {
			e := cbEntry(settledAddr, "k1", status(OutcomeRefreshed, "101"), 1)
			e.Callback.Digest = ""
			return e
		}(), "without the callback it takes in"},
		{"no status", cbEntry(settledAddr, "k1", &Result{Outcome: OutcomeRefreshed}, 1), "without the status"},
		{"not in state", cbEntry(`payout.a["9"]`, "k9", status(OutcomeRefreshed, ""), 1), "which is not in state"},
		{"other key", cbEntry(settledAddr, "k2", status(OutcomeRefreshed, "101"), 1), `names key "k2" at wllxpay, but the record has key "k1"`},
		{"other provider", func() *Entry {
			e := cbEntry(settledAddr, "k1", status(OutcomeRefreshed, "101"), 1)
			e.Provider = "wllxpay.eu"
			return e
		}(), "at wllxpay.eu, but the record"},
		{"other object", cbEntry(settledAddr, "k1", status(OutcomeRefreshed, "555"), 1), "another object under the same key is never the record"},
		{"settled adopted", cbEntry(settledAddr, "k1", status(OutcomeAdopted, "101"), 1), `which is settled, with outcome "adopted"`},
		{"doubt refreshed", cbEntry(doubtAddr, "k2", status(OutcomeRefreshed, "78"), 1), `which is in doubt, with outcome "refreshed"`},
		{"doubt not-created", cbEntry(doubtAddr, "k2", status(OutcomeNotCreated, ""), 1), `which is in doubt, with outcome "not-created"`},
		{"refresh naming a callback", &Entry{Op: OpRefresh, Address: settledAddr, Provider: "wllxpay", Key: "k1", Result: status(OutcomeRefreshed, "101"), Callback: cbRef(1)}, "only a callback entry takes one in"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t, filepath.Join(t.TempDir(), "payform.state.json"))
			record(t, s, apply1(), intent(settledAddr, "k1"), outcome(settledAddr, "k1", "101"), intent(doubtAddr, "k2"))
			before := toWire(s.State())
			err := s.Record(tc.e, true)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Record = %v, want a refusal saying %q", err, tc.want)
			}
			if diff := cmp.Diff(before, toWire(s.State())); diff != "" {
				t.Errorf("a refused entry changed the state:\n%s", diff)
			}
		})
	}
}

// A callback entry forged into the journal, correctly chained, is refused
// by every load, naming it.
func TestForgedCallbackEntryIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "payform.state.json")
	s := openStore(t, path)
	addr := `payout.a["1"]`
	record(t, s, apply1(), intent(addr, "k1"), outcome(addr, "k1", "101"))
	s.Close() // the snapshot's head is entry 3
	data, _ := os.ReadFile(path + ".journal")
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	last, err := decodeLine([]byte(lines[len(lines)-1]), nil)
	if err != nil {
		t.Fatal(err)
	}
	forged := cbEntry(addr, "k1", &Result{Outcome: OutcomeRefreshed, ID: "999", Status: "confirmed"}, 1)
	forged.Seq, forged.Prev, forged.At, forged.Actor = last.Seq+1, last.Hash, last.At, "mallory"
	line, err := forged.encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".journal", append(data, line...), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), &Local{Path: path}, Options{NoLock: true})
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Seq != 4 || !strings.Contains(err.Error(), "a callback about object 999") {
		t.Fatalf("Open = %v, want entry 4 refused as another object", err)
	}
}

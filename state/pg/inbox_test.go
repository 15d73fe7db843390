package pg

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/payform/payform/inbox"
)

func inboxItem(id, status string) *inbox.Item {
	u := &url.URL{Path: "/"}
	body := []byte(`{"id":"` + id + `","status":"` + status + `"}`)
	return &inbox.Item{ReceivedAt: t0, Gateway: "wllxpay", Verdict: inbox.Accepted, Provider: "wllxpay", Account: "acct", Via: "signature",
		Callback: &inbox.Callback{Type: "withdrawal", ID: id, Key: "po-" + id, Status: status,
			Object: &inbox.Object{Kind: "payout", Key: "po-" + id, ID: id, Status: "failed", RawStatus: status, Amount: "0.25", Currency: "BTC"}},
		Request: inbox.NewRequest("POST", u, nil, body), Digest: inbox.RequestDigest("POST", u, body)}
}

// TestInboxTable: the pg inbox keeps items in order, once each, apart
// from other workspaces; items kept apart are cut; the table refuses
// edits; how far the state took it in is recorded.
func TestInboxTable(t *testing.T) {
	ctx := context.Background()
	schema := testSchema(t)
	b := openBackend(t, schema, "treasury")
	other := openBackend(t, schema, "other")
	box := b.Inbox()
	if seq, added, err := box.Add(ctx, inboxItem("12", "error")); err != nil || seq != 1 || !added {
		t.Fatalf("Add = %d %v %v", seq, added, err)
	}
	if seq, added, err := box.Add(ctx, inboxItem("12", "error")); err != nil || seq != 1 || added {
		t.Fatalf("repeat: Add = %d %v %v, want 1 false", seq, added, err)
	}
	apart := &inbox.Item{ReceivedAt: t0, Gateway: "wllxpay", Verdict: inbox.Rejected, Reason: "not verified",
		Request: inbox.Request{Method: "POST", Path: "/", Body: strings.Repeat("é", inbox.MaxApartBody)}}
	if seq, _, err := box.Add(ctx, apart); err != nil || seq != 2 {
		t.Fatalf("rejected: %d %v", seq, err)
	}
	if seq, _, _ := other.Inbox().Add(ctx, inboxItem("12", "error")); seq != 1 {
		t.Errorf("another workspace's inbox numbers from 1, got %d", seq)
	}
	var items []*inbox.Item
	box.Items(ctx, 0, func(it *inbox.Item) error { items = append(items, it); return nil })
	if len(items) != 2 || items[0].Callback.Object.Amount != "0.25" || !items[1].Request.Truncated || len(items[1].Request.Body) > inbox.MaxApartBody {
		t.Fatalf("items: %+v", items)
	}
	if n, _ := box.Folded(ctx); n != 0 {
		t.Errorf("Folded of a new inbox: %d", n)
	}
	if err := box.SetFolded(ctx, 1, map[uint64]string{1: "a repeat"}); err != nil {
		t.Fatal(err)
	}
	if err := box.SetFolded(ctx, 2, map[uint64]string{1: "again", 2: "kept apart"}); err != nil {
		t.Fatal(err)
	}
	if notes, _ := box.Notes(ctx); len(notes) != 2 || notes[1] != "a repeat" || notes[2] != "kept apart" {
		t.Errorf("Notes = %v", notes)
	}
	if n, _ := box.Folded(ctx); n != 2 {
		t.Errorf("Folded = %d, want 2", n)
	}
	if n, _ := other.Inbox().Folded(ctx); n != 0 {
		t.Errorf("another workspace's Folded = %d", n)
	}
	admin := adminConn(t)
	if _, err := admin.Exec(ctx, `UPDATE `+schema+`.inbox SET verdict = 'accepted' WHERE seq = 2`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("UPDATE of the inbox: %v, want it refused", err)
	}
}

// TestInboxConcurrentWriters: two `callback serve` replicas of one
// workspace add at once; the items number 1..N without gaps, each kept
// once, and a reader never sees N+1 before N.
func TestInboxConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	schema := testSchema(t)
	a, b := openBackend(t, schema, "default"), openBackend(t, schema, "default")
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			box := a.Inbox()
			if i%2 == 1 {
				box = b.Inbox()
			}
			// Every callback is delivered twice, to either replica.
			for range 2 {
				if _, _, err := box.Add(ctx, inboxItem(fmt.Sprint(i), "confirmed")); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	next := uint64(1)
	a.Inbox().Items(ctx, 0, func(it *inbox.Item) error {
		if it.Seq != next {
			t.Errorf("item %d after %d", it.Seq, next-1)
		}
		next++
		if seen[it.Callback.ID] {
			t.Errorf("callback %s kept twice", it.Callback.ID)
		}
		seen[it.Callback.ID] = true
		return nil
	})
	if len(seen) != 40 {
		t.Errorf("%d callbacks kept, want 40", len(seen))
	}
}
